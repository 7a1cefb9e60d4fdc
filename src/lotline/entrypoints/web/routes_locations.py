"""/locations: every warehouse's locations, paged, searchable by code and filtered by
warehouse; a manager or admin creates and edits them, and holds or releases a location with a
reason (a held location lets stock out only to quarantine or returns)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.domain.model import Location
from lotline.domain.statuses import HoldKind, LocationKind
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState
from lotline.entrypoints.web.records import (
    PAGE_SIZE,
    Input,
    ListLinks,
    form_values,
    missing_required,
    place,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
KINDS = tuple((k.value, k.value.capitalize()) for k in LocationKind)
HOLD_KINDS = tuple((k.value, k.value.capitalize()) for k in HoldKind)
DONE = {"held": "The location is on hold: stock may leave it only for quarantine or returns.",
        "released": "The hold is released."}


def _inputs(web: Web, editing: bool) -> tuple[Input, ...]:
    warehouses = tuple((w.id, f"{w.code} · {w.name}") for w in lookups.warehouses(web.svc))
    code = Input("code", "Code", required=True, hint="e.g. A-01-03; stored in capitals",
                 attrs='autocomplete="off" autocapitalize="characters" maxlength="100"')
    kind = Input("kind", "Kind", "select", required=True, options=KINDS)
    if editing:
        return code, kind
    return Input("warehouse_id", "Warehouse", "select", required=True,
                 options=warehouses), code, kind


@router.get("/locations")
def location_list(web: WebDep, q: str = "", warehouse_id: str = "",
                  cursor: str = "") -> Response:
    warehouses = lookups.warehouses(web.svc)
    chosen = warehouse_id if any(w.id == warehouse_id for w in warehouses) else ""
    links = ListLinks("/locations", q.strip(), cursor, (("warehouse_id", chosen),))
    result = web.svc.warehouses.list_locations(warehouse_id=chosen or None, q=links.q or None,
                                               limit=PAGE_SIZE, cursor=cursor or None)
    names = lookups.Names(web.svc)
    rows = []
    for loc in result.items:
        warehouse = names.warehouse(loc.warehouse_id)
        hold = f"On {loc.hold.kind.value} hold: {loc.hold.reason}" if loc.hold else "Not held"
        rows.append({"href": f"/locations/{loc.id}",
                     "cells": [loc.code, warehouse.code if warehouse else "",
                               loc.kind.value.capitalize(), hold]})
    saved = web.request.query_params.get("saved", "")[:100]
    return page(web, "records/list.html", {
        "nav": "locations", "heading": "Locations", "path": "/locations",
        "new_url": "/locations/new", "new_label": "New location",
        "search_label": "Code contains", "rows": rows,
        "filters": [("warehouse_id", "Warehouse",
                     [("", "All warehouses")] + [(w.id, w.code) for w in warehouses], chosen)],
        "columns": [("Code", False), ("Warehouse", False), ("Kind", False), ("Hold", False)],
        "empty": "No locations.", "saved": f"Location {saved} saved." if saved else "",
        **links.context(result.next_cursor)})


def _form(web: Web, state: FormState, location: Location | None, status: int = 200,
          hold_form: FormState | None = None) -> Response:
    names = lookups.Names(web.svc)
    query = web.request.query_params
    heading = "New location"
    if location is not None:
        heading = f"Location {names.location_code(location.id)}"
    return page(web, "locations/form.html", {
        "nav": "locations", "form": state, "inputs": _inputs(web, location is not None),
        "heading": heading, "location": location, "hold_kinds": HOLD_KINDS,
        "hold_form": hold_form or FormState(values={"reason": "", "kind": "quarantine"}),
        "action": f"/locations/{location.id}" if location else "/locations/new",
        "submit": "Save" if location else "Create location", "back_url": "/locations",
        "badge": "", "saved": "Saved." if query.get("saved") else "",
        "done": DONE.get(query.get("done", ""), "")}, status=status)


@router.get("/locations/new")
def new_location(web: WebDep) -> Response:
    web.require_manager("creating locations")
    default = next((w for w in lookups.warehouses(web.svc) if w.is_default), None)
    state = FormState(values={"warehouse_id": default.id if default else "", "code": "",
                              "kind": "storage"})
    return _form(web, state, None)


def _read(web: Web, form: FormData, location: Location | None) -> FormState:
    inputs = _inputs(web, location is not None)
    state = form_values(form, inputs)
    missing_required(state, inputs)
    return state


@router.post("/locations/new")
def create_location(web: WebDep, form: FormDep) -> Response:
    web.require_manager("creating locations")
    state = _read(web, form, None)
    if state.ok:
        try:
            created = web.svc.warehouses.create_location(
                state.get("warehouse_id"), state.get("code"), state.get("kind"))
        except LotlineError as error:
            place(state, error, _inputs(web, False), {"location_id": "code"})
        else:
            return redirect("/locations?" + urlencode({"saved": created.code}))
    return _form(web, state, None, status=422)


@router.get("/locations/{location_id}")
def location_page(web: WebDep, location_id: str) -> Response:
    location = web.svc.warehouses.get_location(location_id)
    state = FormState(values={"code": location.code, "kind": location.kind.value})
    return _form(web, state, location)


@router.post("/locations/{location_id}")
def update_location(web: WebDep, location_id: str, form: FormDep) -> Response:
    web.require_manager("changing locations")
    location = web.svc.warehouses.get_location(location_id)
    state = _read(web, form, location)
    if state.ok:
        try:
            web.svc.warehouses.update_location(location_id, code=state.get("code"),
                                               kind=state.get("kind"))
        except LotlineError as error:
            place(state, error, _inputs(web, True), {"location_id": "code"})
        else:
            return redirect(f"/locations/{location_id}?saved=1")
    return _form(web, state, location, status=422)


@router.post("/locations/{location_id}/hold")
def hold_location(web: WebDep, location_id: str, form: FormDep) -> Response:
    web.require_manager("holding stock")
    location = web.svc.warehouses.get_location(location_id)
    hold_form = FormState(values={"reason": field(form, "reason"), "kind": field(form, "kind")})
    if not hold_form.get("reason").strip():
        hold_form.add("reason", "Enter why the location is held")
    else:
        try:
            web.svc.stock.hold_location(location_id, hold_form.get("reason"),
                                        hold_form.get("kind") or "quarantine")
        except LotlineError as error:
            place(hold_form, error, (Input("reason", "Reason"), Input("kind", "Kind")))
        else:
            return redirect(f"/locations/{location_id}?done=held")
    state = FormState(values={"code": location.code, "kind": location.kind.value})
    return _form(web, state, location, status=422, hold_form=hold_form)


@router.post("/locations/{location_id}/release")
def release_location(web: WebDep, location_id: str, form: FormDep) -> Response:
    web.require_manager("releasing holds")
    location = web.svc.warehouses.get_location(location_id)
    hold_form = FormState(values={"reason": field(form, "reason"), "kind": ""})
    if not hold_form.get("reason").strip():
        hold_form.add("reason", "Enter why the hold ends")
    else:
        try:
            web.svc.stock.release_location(location_id, hold_form.get("reason"))
        except LotlineError as error:
            place(hold_form, error, (Input("reason", "Reason"),))
        else:
            return redirect(f"/locations/{location_id}?done=released")
    state = FormState(values={"code": location.code, "kind": location.kind.value})
    return _form(web, state, location, status=422, hold_form=hold_form)
