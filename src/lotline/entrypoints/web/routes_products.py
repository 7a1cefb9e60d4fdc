"""/products: the catalogue, paged and searchable by SKU or name; a manager or admin creates
and edits products with the API's rules (GTIN 8/12/13/14 digits with its check digit, units
of measure as UN/ECE codes); a viewer reads them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.domain.model import Product
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, page, redirect
from lotline.entrypoints.web.forms import FormState
from lotline.entrypoints.web.records import (
    PAGE_SIZE,
    Input,
    ListLinks,
    changes_of,
    form_page,
    form_values,
    missing_required,
    place,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)

TRACKING = (("none", "Not tracked (quantity only)"), ("lot", "By lot"),
            ("serial", "By serial number"), ("lot_serial", "By lot and serial number"))
REMOVAL = (("fefo", "First expiry, first out (FEFO)"), ("fifo", "First in, first out (FIFO)"),
           ("lifo", "Last in, first out (LIFO)"))
INPUTS = (
    Input("sku", "SKU", required=True, attrs='autocomplete="off" maxlength="100"'),
    Input("name", "Name", required=True),
    Input("tracking", "Tracking", "select", required=True, options=TRACKING),
    Input("gtin", "GTIN", hint="8, 12, 13 or 14 digits; the last one is the check digit",
          attrs='inputmode="numeric" autocomplete="off" maxlength="14"'),
    Input("uom", "Unit of measure", required=True, hint="UN/ECE code: EA, KGM, LTR, ...",
          attrs='autocapitalize="characters" maxlength="3"'),
    Input("removal_strategy", "Picking order", "select", required=True, options=REMOVAL),
    Input("shelf_life_days", "Shelf life in days", "number", attrs='min="1" inputmode="numeric"'),
    Input("expiry_alert_days", "Expiry alert, days before", "number",
          attrs='min="0" inputmode="numeric"'),
    Input("serial_pattern", "Serial number pattern", hint="a regular expression new serial "
          "numbers must match", attrs='autocomplete="off"'),
)
TRACKING_WORDS = dict(TRACKING)


@router.get("/products")
def product_list(web: WebDep, q: str = "", cursor: str = "") -> Response:
    links = ListLinks("/products", q.strip(), cursor)
    result = web.svc.products.list(q=links.q or None, limit=PAGE_SIZE, cursor=cursor or None)
    rows = [{"href": f"/products/{p.id}",
             "cells": [p.sku, p.name, TRACKING_WORDS.get(p.tracking.value, p.tracking.value),
                       p.gtin or "—", p.uom]} for p in result.items]
    saved = web.request.query_params.get("saved", "")[:100]
    return page(web, "records/list.html", {
        "nav": "products", "heading": "Products", "path": "/products",
        "new_url": "/products/new", "new_label": "New product",
        "search_label": "SKU or name contains", "filters": [], "rows": rows,
        "columns": [("SKU", False), ("Name", False), ("Tracking", False), ("GTIN", True),
                    ("Unit", True)],
        "empty": "No products yet.", "saved": f"Product {saved} saved." if saved else "",
        **links.context(result.next_cursor)})


def _form(web: Web, state: FormState, *, product: Product | None,
          status: int = 200) -> Response:
    return form_page(web, state, INPUTS, path="/products", noun="product",
                     record=(product.id, product.sku) if product else None, status=status)


def _values(product: Product) -> dict[str, str]:
    values: dict[str, Any] = {
        "sku": product.sku, "name": product.name, "tracking": product.tracking.value,
        "gtin": product.gtin or "", "uom": product.uom,
        "removal_strategy": product.removal_strategy.value,
        "shelf_life_days": product.shelf_life_days or "",
        "expiry_alert_days": product.expiry_alert_days,
        "serial_pattern": product.serial_pattern or ""}
    return {name: str(value) for name, value in values.items()}


@router.get("/products/new")
def new_product(web: WebDep) -> Response:
    web.require_manager("creating products")
    state = FormState(values={i.name: "" for i in INPUTS})
    state.values.update(tracking="none", uom="EA", removal_strategy="fefo",
                        expiry_alert_days="30")
    return _form(web, state, product=None)


def _submitted(form: FormData) -> tuple[FormState, dict[str, Any]]:
    state = form_values(form, INPUTS)
    missing_required(state, INPUTS)
    changes = changes_of(state, INPUTS)
    if changes["expiry_alert_days"] is None:
        changes["expiry_alert_days"] = 0
    return state, changes


@router.post("/products/new")
def create_product(web: WebDep, form: FormDep) -> Response:
    web.require_manager("creating products")
    state, changes = _submitted(form)
    if state.ok:
        try:
            product = web.svc.products.create_product(**changes)
        except LotlineError as error:
            place(state, error, INPUTS)
        else:
            return redirect("/products?" + urlencode({"saved": product.sku}))
    return _form(web, state, product=None, status=422)


@router.get("/products/{product_id}")
def product_page(web: WebDep, product_id: str) -> Response:
    product = web.svc.products.get(product_id)
    return _form(web, FormState(values=_values(product)), product=product)


@router.post("/products/{product_id}")
def update_product(web: WebDep, product_id: str, form: FormDep) -> Response:
    web.require_manager("changing products")
    product = web.svc.products.get(product_id)
    state, changes = _submitted(form)
    if state.ok:
        try:
            web.svc.products.update(product_id, **changes)
        except LotlineError as error:
            place(state, error, INPUTS)
        else:
            return redirect(f"/products/{product_id}?saved=1")
    return _form(web, state, product=product, status=422)
