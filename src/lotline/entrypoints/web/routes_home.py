"""/ (dashboard) and /scan (the scan box's target)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import Ambiguous, ValidationError
from lotline.domain.model import Order
from lotline.entrypoints.web.core import Web, WebDep, WebRoute, page, redirect
from lotline.entrypoints.web.scanning import scan_target
from lotline.entrypoints.web.templating import STATUS_WORDS
from lotline.service_layer.order_progress import units_to_pick

router = APIRouter(route_class=WebRoute, include_in_schema=False)


TO_PICK_SHOWN = 10
TO_PICK_CHECKED = 60  # orders looked at for units still to pick (the dashboard stays fast)


def _orders_to_pick(web: Web) -> list[tuple[Order, Decimal]]:
    """Orders with allocated units still to pick, whatever their status says (an order
    partly shipped, or allocated unit by unit, has units to pick too)."""
    found: list[tuple[Order, Decimal]] = []
    checked = 0
    for status in ("allocated", "partially_shipped", "open"):
        for order in web.svc.orders.list(status=status, limit=TO_PICK_CHECKED).items:
            checked += 1
            units = units_to_pick(web.svc.orders.pick_list(order.id))
            if units:
                found.append((order, units))
            if len(found) >= TO_PICK_SHOWN or checked >= TO_PICK_CHECKED:
                return found
    return found


@router.get("/")
def dashboard(web: WebDep) -> Response:
    svc = web.svc
    counts = svc.serials.counts()
    expiring = svc.reports.run("expiring").rows
    expired = svc.reports.run("expired").rows
    to_pick = _orders_to_pick(web)
    recalls = svc.recalls.list(status="open")[:5]
    tiles = [(status, label, counts.get(status, 0)) for status, label in STATUS_WORDS.items()
             if counts.get(status, 0)]
    return page(web, "dashboard.html", {
        "nav": "home", "total": counts.get("ALL", 0), "tiles": tiles,
        "expiring": expiring[:10], "expiring_count": len(expiring),
        "expired": expired[:10], "expired_count": len(expired), "to_pick": to_pick,
        "recalls": recalls})


@router.get("/scan")
def scan(web: WebDep, data: str = "") -> Response:
    if not data.strip():
        return page(web, "scan.html", {"data": data, "problem": "Scan or type something.",
                                       "result": None}, status=422)
    try:
        result = web.svc.scan.parse(data)
    except (ValidationError, Ambiguous) as error:
        return page(web, "scan.html", {"data": data, "problem": error.message,
                                       "result": None}, status=422)
    target = scan_target(result)
    if target is not None:
        return redirect(target)
    return page(web, "scan.html", {"data": data, "problem": None, "result": result})
