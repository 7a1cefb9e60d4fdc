"""/returns: a customer return by scanning the returned units on a phone, then what becomes of
them: back to stock, defective, scrapped (confirmed: it cannot be undone) or left in RETURNS
for inspection. A unit's order is the one it was shipped on; a lot's quantity needs the order
chosen. The scans wait in the browser until posted, and the post records once."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError, ValidationError
from lotline.domain.statuses import SerialStatus
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field
from lotline.entrypoints.web.scan_lists import (
    Posted,
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
OUTCOMES = {"returns": ("Leave in RETURNS for inspection", None),
            "restock": ("Back to stock", SerialStatus.IN_STOCK),
            "defective": ("Defective", SerialStatus.DEFECTIVE),
            "scrap": ("Scrap (cannot be undone)", SerialStatus.SCRAPPED)}


def _shipped_orders(web: Web) -> list[tuple[str, str]]:
    found = lookups.orders(web.svc, ("partially_shipped", "shipped"))
    names = lookups.Names(web.svc)
    return [(o.id, f"{o.reference} · {c.name}" if (c := names.customer(o.customer_id))
             else o.reference) for o in found]


@router.get("/returns")
def returns_page(web: WebDep) -> Response:
    query = web.request.query_params
    return floor_page(web, "returns", {
        "orders": _shipped_orders(web) if web.session.can_manage else [],
        "outcomes": [(k, v[0]) for k, v in OUTCOMES.items()],
        "returned": query.get("returned", "")[:12],
        "outcome": OUTCOMES.get(query.get("outcome", ""), ("", None))[0]})


@router.post("/returns/check")
def check_scan(web: WebDep, form: FormDep) -> Response:
    web.require_manager("recording returns")
    order_id = field(form, "order_id")
    return judged(web, form, lambda scanned: _return_answer(web, order_id, scanned))


def _return_answer(web: Web, order_id: str, scanned: Scanned) -> Response:
    if scanned.serial is not None:
        if scanned.serial.status is not SerialStatus.SHIPPED:
            return refusal(f"{scanned.serial.serial_number} is {status_of(scanned.serial)}; "
                           "only a shipped unit comes back as a return")
        order = lookups.Names(web.svc).order(scanned.serial.order_id)
        return answer(scanned, f"{scanned.serial.serial_number} added"
                      + (f" (order {order.reference})" if order else ""))
    if scanned.product is not None and scanned.product.tracking.uses_serials:
        return refusal(f"{scanned.product.sku} is serial-tracked: scan each returned unit")
    if not order_id:
        return refusal("A lot's quantity comes back on an order: choose the order first")
    return answer(scanned, f"{scanned.label} added: set the quantity returned")


def _by_order(units: list[tuple[Posted, Scanned]],
              order_id: str) -> dict[str, list[dict[str, Any]]]:
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for posted, scanned in units:
        if scanned.serial is not None:
            if scanned.serial.status is not SerialStatus.SHIPPED or not scanned.serial.order_id:
                raise ValidationError.single("units", f"{scanned.serial.serial_number} is "
                                             f"{status_of(scanned.serial)}, not shipped")
            lines[scanned.serial.order_id].append(
                {"serial_number": scanned.serial.serial_number})
        elif scanned.batch is not None:
            if not order_id:
                raise ValidationError.single("units", f"{scanned.label}: choose the order "
                                             "the lot was shipped on")
            lines[order_id].append({"batch_id": scanned.batch.id,
                                    "quantity": str(quantity_of(posted, scanned))})
    return lines


def _check_outcome(form: Any) -> SerialStatus | None:
    outcome = field(form, "outcome")
    if outcome not in OUTCOMES:
        raise ValidationError.single("outcome", "Choose what becomes of the returned units")
    if outcome == "scrap" and field(form, "confirm") != "yes":
        raise ValidationError.single("confirm", "Scrapping cannot be undone: tick the box to "
                                     "confirm it")
    return OUTCOMES[outcome][1]


@router.post("/returns")
def post_return(web: WebDep, form: FormDep) -> Response:
    web.require_manager("recording returns")
    reason = field(form, "reason").strip()
    try:
        if not reason:
            raise ValidationError.single("reason", "Say why the units came back (the reason)")
        target = _check_outcome(form)
        units = resolved(web, posted_units(form))
        if not units:
            raise ValidationError.single("units", "Scan at least one returned unit")
        for order_id, lines in _by_order(units, field(form, "order_id")).items():
            web.svc.orders.returns(order_id, lines, reason)
        count = 0
        for _, scanned in units:
            count += 1
            if target is not None and scanned.serial is not None:
                web.svc.serials.change_status(scanned.serial.id, target.value, reason=reason)
    except LotlineError as error:
        return failed(web, error)
    return done(web, "/returns?" + urlencode({"returned": count,
                                              "outcome": field(form, "outcome")}))
