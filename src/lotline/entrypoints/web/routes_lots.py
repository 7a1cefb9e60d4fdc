"""/lots: lots by expiry with colour (expired / within the product's alert window / fine) and
filters; /lots/{id}: balances per location, serials, movements, hold and active actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.domain.model import Batch
from lotline.domain.statuses import HoldKind
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState, optional, place_error

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 50
HOLD_CHOICES = {"": None, "yes": True, "no": False}


@dataclass(frozen=True, slots=True)
class LotFilters:
    product_id: str = ""
    supplier_id: str = ""
    status: str = ""
    hold: str = ""
    q: str = ""
    cursor: str = ""

    def url(self, **changes: str) -> str:
        values = replace(self, **changes)
        query = {f.name: getattr(values, f.name) for f in fields(values)
                 if getattr(values, f.name)}
        return "/lots" + (f"?{urlencode(query)}" if query else "")


def today(web: Web) -> dt.date:
    return web.session.actor.today(web.svc.settings.get().timezone)


def expiry_state(batch: Batch, alert_days: int, as_of: dt.date) -> str:
    """expired (on and after the expiry date), expiring (within the alert window), fine,
    or none (no expiry date)."""
    if batch.expiry_date is None:
        return "none"
    if batch.is_expired or batch.expiry_date <= as_of:
        return "expired"
    if batch.expiry_date <= as_of + dt.timedelta(days=alert_days):
        return "expiring"
    return "fine"


@router.get("/lots")
def lot_list(web: WebDep, product_id: str = "", supplier_id: str = "", status: str = "",
             hold: str = "", q: str = "", cursor: str = "") -> Response:
    filters = LotFilters(product_id, supplier_id, status if status in ("active", "inactive")
                         else "", hold if hold in HOLD_CHOICES else "", q.strip(), cursor)
    result = web.svc.batches.list(
        product_id=product_id or None, supplier_id=supplier_id or None,
        status=filters.status or None, q=filters.q or None, limit=PAGE_SIZE,
        cursor=cursor or None, on_hold=HOLD_CHOICES[filters.hold], order="expiry")
    names = lookups.Names(web.svc)
    as_of = today(web)
    rows = []
    for batch in result.items:
        product = names.product(batch.product_id)
        alert = product.expiry_alert_days if product else 30
        rows.append({"batch": batch, "product": product,
                     "supplier": names.supplier(batch.supplier_id),
                     "state": expiry_state(batch, alert, as_of)})
    return page(web, "lots/list.html", {
        "nav": "lots", "filters": filters, "rows": rows, "today": as_of,
        "products": lookups.products(web.svc), "suppliers": lookups.suppliers(web.svc),
        "next_url": filters.url(cursor=result.next_cursor) if result.next_cursor else None,
        "first_url": filters.url(cursor="") if cursor else None})


def _detail(web: Web, batch_id: str, form: FormState | None = None,
            status: int = 200, fields_problem: str | None = None) -> Response:
    batch = web.svc.batches.get(batch_id)
    names = lookups.Names(web.svc)
    product = names.product(batch.product_id)
    serials = web.svc.serials.search(batch_id=batch.id, limit=PAGE_SIZE) \
        if product is not None and product.tracking.uses_serials else None
    movements = web.svc.reports.run("lot-history", batch_id=batch.id).rows
    return page(web, "lots/detail.html", {
        "nav": "lots", "batch": batch, "product": product, "names": names,
        "supplier": names.supplier(batch.supplier_id),
        "state": expiry_state(batch, product.expiry_alert_days if product else 30, today(web)),
        "serials": serials, "movements": list(reversed(movements)),
        "form": form or FormState(values={"reason": "", "kind": "quarantine"}),
        "hold_kinds": [(k.value, k.value.capitalize()) for k in HoldKind],
        "field_definitions": lot_field_definitions(web, batch),
        "fields_problem": fields_problem,
        "done": web.request.query_params.get("done", "")}, status=status)


lot_page = _detail


def lot_field_definitions(web: Web, batch: Batch) -> list[tuple[Any, str]]:
    """The lot custom fields a manager may fill in on the lot page, with the lot's values:
    the active ones, and inactive ones the lot still has a value of."""
    values = {f.custom_field_id: f.value for f in batch.custom_fields}
    return [(d, values.get(d.id, "")) for d in web.svc.custom_fields.list("batch")
            if d.active or d.id in values]


@router.get("/lots/{batch_id}")
def lot_detail(web: WebDep, batch_id: str) -> Response:
    return _detail(web, batch_id)


@router.post("/lots/{batch_id}/hold")
def hold_lot(web: WebDep, batch_id: str, form: FormDep) -> Response:
    web.require_manager("putting lots on hold")
    state = FormState(values={"reason": field(form, "reason"), "kind": field(form, "kind")})
    if not state.get("reason").strip():
        state.add("reason", "say why the lot is held")
    else:
        try:
            web.svc.batches.hold(batch_id, state.get("reason"), kind=state.get("kind")
                                 or "quarantine")
        except LotlineError as error:
            place_error(state, error, {})
    if not state.ok:
        return _detail(web, batch_id, state, status=422)
    return redirect(f"/lots/{batch_id}?done=held")


@router.post("/lots/{batch_id}/release")
def release_lot(web: WebDep, batch_id: str, form: FormDep) -> Response:
    web.require_manager("releasing lots")
    reason = optional(field(form, "reason"))
    if reason is None:  # the audit log keeps why a hold ended
        state = FormState(values={"reason": "", "kind": ""})
        state.add(None, "Say why the hold ends (the release reason)")
        return _detail(web, batch_id, state, status=422)
    web.svc.batches.release(batch_id, reason)
    return redirect(f"/lots/{batch_id}?done=released")


@router.post("/lots/{batch_id}/active")
def activate_lot(web: WebDep, batch_id: str) -> Response:
    web.require_manager("marking lots active")
    web.svc.batches.mark_active([batch_id])
    return redirect(f"/lots/{batch_id}?done=active")


@router.post("/lots/{batch_id}/inactive")
def deactivate_lot(web: WebDep, batch_id: str) -> Response:
    web.require_manager("marking lots inactive")
    web.svc.batches.mark_inactive([batch_id])
    return redirect(f"/lots/{batch_id}?done=inactive")
