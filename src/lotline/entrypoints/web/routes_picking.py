"""/picking: orders to pick; /picking/{order}: the pick list by location, units ticked off by
scanning (a wrong unit shows the reason, in red, with a beep), then ship."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import Conflict, LotlineError
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.confirming import ask, confirm_page, confirmed
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.receiving_state import Outcome
from lotline.entrypoints.web.templating import is_htmx, visible
from lotline.entrypoints.web.templating import quantity as qty
from lotline.entrypoints.web.wording import in_user_words
from lotline.service_layer.order_progress import is_shippable, units_picked, units_to_pick
from lotline.service_layer.scan import ScanResult

router = APIRouter(route_class=WebRoute, include_in_schema=False)
LISTED = ("allocated", "open", "partially_shipped")


@router.get("/picking")
def picking_index(web: WebDep) -> Response:
    orders = {status: lookups.orders_with(web.svc, status) for status in LISTED}
    return page(web, "picking/index.html", {"nav": "picking", "orders": orders,
                                            "names": lookups.Names(web.svc)})


def _order_page(web: Web, order_id: str, *, outcome: Outcome | None = None,
                status: int = 200, **extra: Any) -> Response:
    view = web.svc.orders.view(order_id)
    to_pick = web.svc.orders.pick_list(view.id)
    picked = web.svc.serials.search(order_id=view.id, status="PICKED", limit=500).items
    names = lookups.Names(web.svc)
    context = {
        "nav": "picking", "order": view, "names": names, "to_pick": to_pick,
        "picked": picked, "outcome": outcome,
        "remaining": units_to_pick(to_pick), "picked_count": units_picked(view),
        "customer": names.customer(view.customer_id),
        "shippable": is_shippable(view), "shipped": False, "allocated": False, **extra}
    template = "picking/_panel.html" if is_htmx(web.request) else "picking/order.html"
    return page(web, template, context, status=status)


@router.get("/picking/{order_id}")
def order_page(web: WebDep, order_id: str) -> Response:
    query = web.request.query_params
    return _order_page(web, order_id, shipped=query.get("shipped") == "1",
                       allocated=query.get("allocated") == "1")


def _picked(result: ScanResult) -> str:
    """What a successful scan picked, in the result line."""
    if result.serial_record is not None:
        return result.serial_record.serial_number
    quantity = result.quantity or result.count or 1
    return f"{quantity} from lot {result.batch.batch_number}" if result.batch else "scan"


def _rejection(error: LotlineError) -> str:
    """Why picking refused the scan (the service names each rejected scan's reason)."""
    rejected = error.details.get("rejected") if isinstance(error, Conflict) else None
    if isinstance(rejected, list) and rejected:
        return "; ".join(in_user_words(Conflict(str(item["reason"])), sentence=False)
                         for item in rejected)
    return in_user_words(error, sentence=False)


def _listed(web: Web, order_id: str) -> set[str]:
    return {n for item in web.svc.orders.pick_list(order_id) for n in item.serial_numbers}


def _picked_outcome(web: Web, order_id: str, listed: set[str], result: ScanResult) -> Outcome:
    """A scan that changes the plan says so: another unit of the same product picked in
    place of a listed one sends the listed one back to stock."""
    record = result.serial_record
    if record is None or record.serial_number in listed:
        return Outcome(True, f"✓ {_picked(result)} picked")
    back = sorted(listed - _listed(web, order_id))
    if not back:
        return Outcome(True, f"✓ {_picked(result)} picked")
    return Outcome(True, f"{record.serial_number} picked instead of {back[0]}, which goes back "
                   "to stock", notice=True)


@router.post("/picking/{order_id}/scan")
def scan_unit(web: WebDep, order_id: str, form: FormDep) -> Response:
    web.require_manager("picking")
    data = field(form, "data")
    if not data.strip():
        return _order_page(web, order_id, outcome=Outcome(False, "scan a unit first"))
    listed = _listed(web, order_id)
    try:  # resolved once, in the pick, by the resolver every door uses
        result = web.svc.orders.pick_scan(order_id, data)
    except LotlineError as error:
        outcome = Outcome(False, f"Wrong unit — {visible(data.strip())}: {_rejection(error)}")
    else:
        outcome = _picked_outcome(web, order_id, listed, result)
    return _order_page(web, order_id, outcome=outcome)


@router.post("/picking/{order_id}/allocate")
def allocate(web: WebDep, order_id: str) -> Response:
    web.require_manager("allocating")
    try:
        web.svc.orders.allocate(order_id)
    except LotlineError as error:
        return _order_page(web, order_id, outcome=Outcome(False, error.message), status=409)
    return redirect(f"/picking/{order_id}?allocated=1")


@router.get("/picking/{order_id}/ship")
def confirm_ship(web: WebDep, order_id: str) -> Response:
    """Shipping units nobody scanned cannot be undone: say how many and ask first."""
    web.require_manager("shipping")
    view = web.svc.orders.view(order_id)
    unpicked = units_to_pick(web.svc.orders.pick_list(view.id))
    if not unpicked:
        return redirect(f"/picking/{order_id}")
    units = f"{qty(unpicked)} unit" + ("" if unpicked == 1 else "s")
    return confirm_page(
        web, nav="picking", question=f"Ship {view.reference} with {units} not picked?",
        consequence=f"{units} allocated but not scanned at picking will be shipped as "
        "allocated, without a check that they left the shelf.",
        action=f"/picking/{order_id}/ship", fields={}, yes="Yes, ship everything",
        back=f"/picking/{order_id}")


@router.post("/picking/{order_id}/ship")
def ship(web: WebDep, order_id: str, form: FormDep) -> Response:
    web.require_manager("shipping")
    unpicked = units_to_pick(web.svc.orders.pick_list(order_id))
    if unpicked and not confirmed(form):
        return ask(f"/picking/{order_id}/ship", {})
    try:
        web.svc.orders.ship(order_id)
    except LotlineError as error:
        return _order_page(web, order_id, outcome=Outcome(False, error.message), status=409)
    return redirect(f"/picking/{order_id}?shipped=1")
