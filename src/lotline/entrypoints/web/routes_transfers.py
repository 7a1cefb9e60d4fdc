"""/transfers: move units from one location to another by scanning them on a phone: the
from-location, each unit (or a lot and its quantity), the to-location; the scans wait in the
browser until posted, and the post records once (Idempotency-Key)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import JSONResponse, Response

from lotline.domain.errors import LotlineError, ValidationError
from lotline.domain.statuses import SerialStatus
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field
from lotline.entrypoints.web.forms import optional
from lotline.entrypoints.web.scan_lists import (
    Scanned,
    answer,
    done,
    failed,
    floor_page,
    judged,
    posted_units,
    quantity_of,
    refusal,
    resolved,
    status_of,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def location_choices(web: Web) -> list[tuple[str, str]]:
    """Every location (up to lookups.MAX_CHOICES) as `WAREHOUSE/CODE`, read in a few pages."""
    codes = {w.id: w.code for w in lookups.warehouses(web.svc)}
    found = lookups.locations(web.svc, None)
    return sorted(((loc.id, f"{codes.get(loc.warehouse_id, '?')}/{loc.code}") for loc in found),
                  key=lambda choice: choice[1])


@router.get("/transfers")
def transfers(web: WebDep, from_location_id: str = "", to_location_id: str = "") -> Response:
    query = web.request.query_params
    return floor_page(web, "transfers", {
        "locations": location_choices(web),
        "chosen": {"from": from_location_id, "to": to_location_id},
        "moved": query.get("moved", "")[:12]})


def _location_label(web: Web, text: str) -> tuple[str, str] | None:
    """A scanned location label (`STOCK`, `MAIN/A-01`): the location's id and code."""
    code = text.strip().upper()
    if not code or len(code) > 200 or any(ord(c) < 32 for c in code):
        return None
    warehouse_code, _, location_code = code.rpartition("/")
    warehouses = lookups.warehouses(web.svc)
    warehouse = next((w for w in warehouses if w.code == warehouse_code), None) \
        if warehouse_code else next((w for w in warehouses if w.is_default), None)
    if warehouse is None:
        return None
    try:
        location = web.svc.warehouses.location_by_code(location_code, warehouse.id)
    except LotlineError:
        return None
    return location.id, f"{warehouse.code}/{location.code}"


@router.post("/transfers/check")
def check_scan(web: WebDep, form: FormDep) -> Response:
    web.require_manager("transferring stock")
    source = field(form, "from_location_id")
    location = _location_label(web, field(form, "data"))
    if location is not None:
        slot = "to_location_id" if source and source != location[0] else "from_location_id"
        word = "To" if slot == "to_location_id" else "From"
        return JSONResponse({"ok": True, "set": {slot: location[0]},
                             "message": f"{word} {location[1]}"})
    if not source:
        return refusal("Scan or choose the location the units leave first")
    return judged(web, form, lambda scanned: _transfer_answer(web, source, scanned))


def _transfer_answer(web: Web, source: str, scanned: Scanned) -> Response:
    names = lookups.Names(web.svc)
    where = names.location_code(source)
    if scanned.serial is not None:
        if scanned.serial.location_id != source:
            here = names.location_code(scanned.serial.location_id) or "no location"
            return refusal(f"{scanned.serial.serial_number} is at {here}, not at {where}")
        if scanned.serial.status in (SerialStatus.ALLOCATED, SerialStatus.PICKED):
            return refusal(f"{scanned.serial.serial_number} is {status_of(scanned.serial)} "
                           "for an order; release it before moving it")
        return answer(scanned, f"{scanned.serial.serial_number} added")
    if scanned.product is not None and scanned.product.tracking.uses_serials:
        return refusal(f"{scanned.product.sku} is serial-tracked: scan each unit, not the lot")
    return answer(scanned, f"{scanned.label} added: set its quantity")


@router.post("/transfers")
def post_transfer(web: WebDep, form: FormDep) -> Response:
    web.require_manager("transferring stock")
    source, target = field(form, "from_location_id"), field(form, "to_location_id")
    reason = optional(field(form, "reason"))
    if not source or not target:
        return failed(web, "Choose both locations: where the units are and where they go")
    try:
        units = resolved(web, posted_units(form))
        if not units:
            raise ValidationError.single("units", "Scan at least one unit or lot")
        numbers = [s.serial.serial_number for _, s in units if s.serial is not None]
        moved = 0
        if numbers:
            moved += web.svc.stock.transfer(source, target, serial_numbers=numbers,
                                            reason=reason)
        for posted, scanned in units:
            if scanned.batch is not None and scanned.serial is None:
                moved += web.svc.stock.transfer(source, target, batch_id=scanned.batch.id,
                                                quantity=quantity_of(posted, scanned),
                                                reason=reason)
    except LotlineError as error:
        return failed(web, error)
    return done(web, "/transfers?" + urlencode({"moved": moved, "from_location_id": source,
                                                "to_location_id": target}))
