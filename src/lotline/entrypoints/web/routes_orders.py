"""/orders: sales orders by status (paged), a new order (customer and lines), and an order's
page with its lines and the allocate action; picking and shipping stay on /picking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState
from lotline.entrypoints.web.line_forms import Row, padded, place_form_error, read_rows
from lotline.entrypoints.web.records import PAGE_SIZE, Input, ListLinks
from lotline.entrypoints.web.templating import status_choices

router = APIRouter(route_class=WebRoute, include_in_schema=False)
LINE_INPUTS = ("product_id", "quantity")
HEAD = (Input("reference", "Order reference", required=True),
        Input("customer_id", "Customer", "select", required=True))
STATUSES = dict(status_choices("order"))


@router.get("/orders")
def order_list(web: WebDep, status: str = "", cursor: str = "") -> Response:
    chosen = status if status in STATUSES else ""
    links = ListLinks("/orders", "", cursor, (("status", chosen),))
    result = web.svc.orders.list(status=chosen or None, limit=PAGE_SIZE, cursor=cursor or None)
    query = web.request.query_params
    names = lookups.Names(web.svc)
    names.prefetch_customers([order.customer_id for order in result.items])
    return page(web, "orders/list.html", {
        "nav": "orders", "orders": result.items, "names": names,
        "status": chosen, "statuses": [("", "Every status"), *STATUSES.items()],
        "saved": query.get("saved", "")[:100], **links.context(result.next_cursor)})


def _new_page(web: Web, state: FormState, rows: list[Row], status: int = 200) -> Response:
    customers = lookups.every(lambda cursor: web.svc.customers.list(limit=200, cursor=cursor))
    return page(web, "orders/new.html", {
        "nav": "orders", "form": state, "rows": padded(rows, LINE_INPUTS),
        "customers": [(c.id, c.name) for c in sorted(customers, key=lambda c: c.name.casefold())],
        "products": lookups.products(web.svc)}, status=status)


@router.get("/orders/new")
def new_order(web: WebDep, customer_id: str = "") -> Response:
    web.require_manager("creating orders")
    state = FormState(values={"reference": "", "customer_id": customer_id})
    return _new_page(web, state, [])


def _lines(rows: list[Row]) -> list[dict[str, Any]]:
    return [{"product_id": row.get("product_id") or None,
             "quantity": row.get("quantity").strip() or None} for row in rows]


@router.post("/orders/new")
def create_order(web: WebDep, form: FormDep) -> Response:
    web.require_manager("creating orders")
    state = FormState(values={"reference": field(form, "reference"),
                              "customer_id": field(form, "customer_id")})
    rows = [row for row in read_rows(form, LINE_INPUTS) if not row.blank]
    if field(form, "more"):
        return _new_page(web, state, rows)
    if not state.get("reference").strip():
        state.add("reference", "Enter the order reference")
    if not state.get("customer_id"):
        state.add("customer_id", "Choose the customer")
    if not rows:
        state.add(None, "Add at least one line: a product and its quantity")
    if state.ok:
        try:
            order = web.svc.orders.create_order(state.get("reference"),
                                                state.get("customer_id"), _lines(rows))
        except LotlineError as error:
            place_form_error(web, state, rows, error, HEAD)
        else:
            return redirect(f"/orders/{order.id}?" + urlencode({"done": "created"}))
    return _new_page(web, state, rows, status=422)


DONE = {"created": "Order created. Allocate it to reserve stock.",
        "allocated": "Allocated: the units are reserved; pick them on the picking page."}


@router.get("/orders/{order_id}")
def order_page(web: WebDep, order_id: str) -> Response:
    view = web.svc.orders.view(order_id)
    names = lookups.Names(web.svc)
    query = web.request.query_params
    open_quantity = sum((line.quantity - line.allocated_quantity - line.shipped_quantity
                         for line in view.lines), Decimal(0))
    return page(web, "orders/detail.html", {
        "nav": "orders", "order": view, "names": names,
        "customer": names.customer(view.customer_id), "done": DONE.get(query.get("done", "")),
        "error": query.get("error", "")[:500], "can_allocate": view.status in (
            "open", "allocated", "partially_shipped") and open_quantity > 0})


@router.post("/orders/{order_id}/allocate")
def allocate(web: WebDep, order_id: str, form: FormDep) -> Response:
    web.require_manager("allocating")
    try:
        web.svc.orders.allocate(order_id, partial=field(form, "partial") == "1")
    except LotlineError as error:
        return redirect(f"/orders/{order_id}?" + urlencode({
            "error": error.message}))
    return redirect(f"/orders/{order_id}?done=allocated")
