"""Adding serials: one (seed 001's form: serial number, product, lot, warehouse, location,
purchase and warranty dates -> In stock) or many (pasted one per line, ranges `A..B`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.domain.serial_numbers import expand_serial_input
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, page, redirect
from lotline.entrypoints.web.forms import FormState, optional, place_error, read_form

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PLACEMENT = ("product_id", "batch_id", "warehouse_id", "location_id", "purchase_date",
             "warranty_expiry")
ONE_FIELDS = ("serial_number", *PLACEMENT)
BULK_FIELDS = ("serial_numbers", *PLACEMENT)
ALIASES = {"serial_numbers": "serial_number"}
BULK_ALIASES = {"serial_numbers": "serial_numbers"}


def _choices(web: Web, state: FormState) -> dict[str, Any]:
    svc = web.svc
    warehouses = lookups.warehouses(svc)
    if not state.get("warehouse_id") and warehouses:
        default = next((w for w in warehouses if w.is_default), warehouses[0])
        state.values["warehouse_id"] = default.id
    return {
        "products": [(p.id, f"{p.sku} · {p.name}") for p in lookups.serial_products(svc)],
        "lots": _lot_options(web, state.get("product_id")),
        "warehouses": [(w.id, f"{w.code} · {w.name}") for w in warehouses],
        "locations": _location_options(web, state.get("warehouse_id")),
    }


def _lot_options(web: Web, product_id: str) -> list[tuple[str, str]]:
    return [(b.id, b.batch_number + (f" (expires {b.expiry_date})" if b.expiry_date else ""))
            for b in lookups.lots_of(web.svc, product_id or None)]


def _location_options(web: Web, warehouse_id: str) -> list[tuple[str, str]]:
    if not warehouse_id:
        return []
    return [(loc.id, f"{loc.code} ({loc.kind.value})")
            for loc in lookups.locations(web.svc, warehouse_id)]


def _form_page(web: Web, template: str, state: FormState, status: int = 200) -> Response:
    return page(web, template, {"nav": "serials", "form": state, **_choices(web, state)},
                status=status)


def _placement(state: FormState) -> dict[str, Any]:
    return {name: optional(state.get(name)) for name in PLACEMENT}


@router.get("/serials/new")
def new_serial_form(web: WebDep, product_id: str = "", batch_id: str = "") -> Response:
    web.require_manager("registering serials")
    state = FormState(values=dict.fromkeys(ONE_FIELDS, ""))
    state.values.update(product_id=product_id, batch_id=batch_id)
    return _form_page(web, "serials/new.html", state)


@router.post("/serials/new")
def create_serial(web: WebDep, form: FormDep) -> Response:
    web.require_manager("registering serials")
    state = read_form(form, ONE_FIELDS)
    if not state.get("serial_number").strip():
        state.add("serial_number", "enter the serial number")
    if not state.get("product_id") and not state.get("batch_id"):
        state.add("product_id", "choose the product")
    if state.ok:
        try:
            serial = web.svc.serials.register(state.get("serial_number"), **_placement(state))
        except LotlineError as error:
            place_error(state, error, ALIASES, conflict_field="serial_number")
        else:
            return redirect(f"/serials/{serial.id}?created=1")
    return _form_page(web, "serials/new.html", state, status=422)


@router.get("/serials/bulk")
def bulk_form(web: WebDep, product_id: str = "", batch_id: str = "") -> Response:
    web.require_manager("registering serials")
    state = FormState(values=dict.fromkeys(BULK_FIELDS, ""))
    state.values.update(product_id=product_id, batch_id=batch_id)
    return _form_page(web, "serials/bulk.html", state)


@router.post("/serials/bulk")
def bulk_create(web: WebDep, form: FormDep) -> Response:
    web.require_manager("registering serials")
    state = read_form(form, BULK_FIELDS)
    if not state.get("serial_numbers").strip():
        state.add("serial_numbers", "paste at least one serial number")
    if not state.get("product_id") and not state.get("batch_id"):
        state.add("product_id", "choose the product")
    if state.ok:
        try:
            numbers = expand_serial_input(state.get("serial_numbers"), "serial_numbers")
            created = web.svc.serials.register_many(numbers, **_placement(state))
        except LotlineError as error:
            place_error(state, error, BULK_ALIASES, conflict_field="serial_numbers")
        else:
            where = (f"batch_id={state.get('batch_id')}" if state.get("batch_id")
                     else f"product_id={state.get('product_id')}")
            return redirect(f"/serials?{where}&added={len(created)}")
    return _form_page(web, "serials/bulk.html", state, status=422)


@router.get("/serials/options/lots")
def lot_options(web: WebDep, product_id: str = "") -> Response:
    return page(web, "serials/_options.html", {"options": _lot_options(web, product_id),
                                               "blank": "No lot", "selected": ""})


@router.get("/serials/options/locations")
def location_options(web: WebDep, warehouse_id: str = "") -> Response:
    return page(web, "serials/_options.html", {
        "options": _location_options(web, warehouse_id),
        "blank": "Default (STOCK)", "selected": ""})
