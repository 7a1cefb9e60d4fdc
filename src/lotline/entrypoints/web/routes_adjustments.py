"""/adjustments: correct lot balances at a location by scanning lot labels on a phone, each
with a signed quantity (+3 found, -2 damaged) and one reason for the list; the scans wait in
the browser until posted, and the post records once. Serial-tracked units change status on
their own page instead (a unit is scrapped or found, never adjusted by a number)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError, ValidationError
from lotline.entrypoints.web.core import FormDep, WebDep, WebRoute, field
from lotline.entrypoints.web.routes_transfers import location_choices
from lotline.entrypoints.web.scan_lists import (
    Posted,
    Scanned,
    answer,
    done,
    failed,
    floor_page,
    judged,
    posted_units,
    refusal,
    resolved,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
REASONS = (("damage", "Damaged"), ("expiry_write_off", "Expired, written off"),
           ("found", "Found"), ("count_correction", "Count correction"), ("other", "Other"))


@router.get("/adjustments")
def adjustments_page(web: WebDep) -> Response:
    query = web.request.query_params
    stock = next((v for v, t in location_choices(web) if t.endswith("/STOCK")), "")
    return floor_page(web, "adjustments", {
        "locations": location_choices(web), "chosen": stock,
        "reasons": REASONS, "adjusted": query.get("adjusted", "")[:12]})


@router.post("/adjustments/check")
def check_scan(web: WebDep, form: FormDep) -> Response:
    web.require_manager("adjusting stock")
    return judged(web, form, _adjustment_answer)


def _adjustment_answer(scanned: Scanned) -> Response:
    product = scanned.product
    if scanned.serial is not None or (product is not None and product.tracking.uses_serials):
        sku = product.sku if product else ""
        return refusal(f"{sku} is serial-tracked: change the unit's status on its page "
                       "(scrap, defective, found) instead of adjusting a number")
    return answer(scanned, f"{scanned.label} added: type + to add, - to remove (e.g. -2)")


def signed_quantity(posted: Posted, scanned: Scanned) -> Decimal:
    text = (posted.quantity or "").strip().replace("−", "-")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError.single("quantity", f"{scanned.label}: type the change as a "
                                     "number, + to add or - to remove (not "
                                     f"{text or 'empty'})") from None
    if not amount.is_finite() or amount == 0:
        raise ValidationError.single("quantity", f"{scanned.label}: the change must not be 0")
    return amount


@router.post("/adjustments")
def post_adjustment(web: WebDep, form: FormDep) -> Response:
    web.require_manager("adjusting stock")
    location_id = field(form, "location_id")
    reason = dict(REASONS).get(field(form, "reason"), "")
    note = field(form, "note").strip()
    try:
        if not reason:
            raise ValidationError.single("reason", "Choose the reason of the adjustment")
        units = resolved(web, posted_units(form))
        if not units:
            raise ValidationError.single("units", "Scan at least one lot label")
        for posted, scanned in units:
            if scanned.batch is None or scanned.serial is not None:
                raise ValidationError.single("units", f"{scanned.label}: only lots are "
                                             "adjusted here")
            web.svc.stock.adjust(quantity_delta=str(signed_quantity(posted, scanned)),
                                 reason=f"{reason}: {note}" if note else reason,
                                 batch_id=scanned.batch.id, location_id=location_id or None)
    except LotlineError as error:
        return failed(web, error)
    return done(web, "/adjustments?" + urlencode({"adjusted": len(units)}))
