"""/suppliers and /customers: the same pages for both kinds of party (paged list searchable
by name or code, create, edit with the API's rules: e-mail, address parts and their lengths,
GLN with its GS1 check digit);
a manager or admin writes, a viewer reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.domain.model import Customer, Supplier
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
from lotline.service_layer.parties import CustomerService, SupplierService

router = APIRouter(route_class=WebRoute, include_in_schema=False)

COMMON = (
    Input("name", "Name", required=True),
    Input("code", "Code", attrs='autocomplete="off"'),
    Input("email", "E-mail", "email", attrs='autocomplete="off"'),
    Input("phone", "Phone", "tel"),
    Input("street", "Street address", attrs='autocomplete="off"'),
    Input("city", "City", attrs='autocomplete="off"'),
    Input("region", "Region", hint="state, province or county", attrs='autocomplete="off"'),
    Input("postal_code", "Postal code", attrs='autocomplete="off" maxlength="40"'),
    Input("country", "Country", hint="e.g. DE, US or the country's name",
          attrs='autocomplete="off"'),
    Input("gln", "GLN", hint="Global Location Number: 13 digits, the last the GS1 check digit",
          attrs='autocomplete="off" inputmode="numeric" maxlength="13"'),
)
ADDRESS_ALIASES = {f"address.{name}": name for name in ("street", "city", "region",
                                                        "postal_code", "country")}


@dataclass(frozen=True, slots=True)
class Kind:
    path: str
    one: str  # "supplier"
    heading: str
    inputs: tuple[Input, ...]

    def service(self, web: Web) -> SupplierService | CustomerService:
        return web.svc.suppliers if self.one == "supplier" else web.svc.customers


SUPPLIERS = Kind("/suppliers", "supplier", "Suppliers", COMMON)
CUSTOMERS = Kind("/customers", "customer", "Customers", (*COMMON, Input(
    "min_remaining_shelf_life_days", "Minimum shelf life left at shipping, days", "number",
    hint="lots closer to expiry are not allocated to this customer",
    attrs='min="0" inputmode="numeric"')))


def _list(web: Web, kind: Kind, q: str, cursor: str) -> Response:
    links = ListLinks(kind.path, q.strip(), cursor)
    result = kind.service(web).list(q=links.q or None, limit=PAGE_SIZE, cursor=cursor or None)
    rows = [{"href": f"{kind.path}/{p.id}",
             "cells": [p.name, p.code or "—", p.address.city or "—", p.email or "—"]}
            for p in result.items]
    saved = web.request.query_params.get("saved", "")[:200]
    return page(web, "records/list.html", {
        "nav": kind.path.strip("/"), "heading": kind.heading, "path": kind.path,
        "new_url": f"{kind.path}/new", "new_label": f"New {kind.one}",
        "search_label": "Name or code contains", "filters": [], "rows": rows,
        "columns": [("Name", False), ("Code", False), ("City", False), ("E-mail", True)],
        "empty": f"No {kind.one}s yet.",
        "saved": f"{kind.one.capitalize()} {saved} saved." if saved else "",
        **links.context(result.next_cursor)})


def _form(web: Web, kind: Kind, state: FormState, party: Supplier | Customer | None,
          status: int = 200) -> Response:
    return form_page(web, state, kind.inputs, path=kind.path, noun=kind.one,
                     record=(party.id, party.name) if party else None, status=status)


def _values(kind: Kind, party: Supplier | Customer) -> dict[str, str]:
    address = party.address
    values: dict[str, Any] = {
        "name": party.name, "code": party.code, "email": party.email, "phone": party.phone,
        "street": address.street, "city": address.city, "region": address.region,
        "postal_code": address.postal_code, "country": address.country, "gln": party.gln,
        "min_remaining_shelf_life_days": getattr(party, "min_remaining_shelf_life_days", None)}
    return {i.name: "" if values[i.name] is None else str(values[i.name])
            for i in kind.inputs}


def _save(web: Web, kind: Kind, form: FormData, party: Supplier | Customer | None) -> Response:
    web.require_manager(f"changing {kind.one}s")
    state = form_values(form, kind.inputs)
    missing_required(state, kind.inputs)
    changes = changes_of(state, kind.inputs)
    if state.ok:
        service = kind.service(web)
        try:
            if party is None:
                saved = (web.svc.suppliers.create_supplier(**changes) if kind is SUPPLIERS
                         else web.svc.customers.create_customer(**changes))
            else:
                saved = service.update(party.id, **changes)
        except LotlineError as error:
            place(state, error, kind.inputs, ADDRESS_ALIASES)
        else:
            return redirect(f"{kind.path}?" + urlencode({"saved": saved.name}) if party is None
                            else f"{kind.path}/{party.id}?saved=1")
    return _form(web, kind, state, party, status=422)


def _routes(kind: Kind) -> None:
    @router.get(kind.path, name=f"{kind.one}_list")
    def listing(web: WebDep, q: str = "", cursor: str = "") -> Response:
        return _list(web, kind, q, cursor)

    @router.get(f"{kind.path}/new", name=f"new_{kind.one}")
    def new(web: WebDep) -> Response:
        web.require_manager(f"creating {kind.one}s")
        return _form(web, kind, FormState(values={i.name: "" for i in kind.inputs}), None)

    @router.post(f"{kind.path}/new", name=f"create_{kind.one}")
    def create(web: WebDep, form: FormDep) -> Response:
        return _save(web, kind, form, None)

    @router.get(f"{kind.path}/{{party_id}}", name=f"{kind.one}_page")
    def detail(web: WebDep, party_id: str) -> Response:
        party = kind.service(web).get(party_id)
        return _form(web, kind, FormState(values=_values(kind, party)), party)

    @router.post(f"{kind.path}/{{party_id}}", name=f"update_{kind.one}")
    def update(web: WebDep, party_id: str, form: FormDep) -> Response:
        party = kind.service(web).get(party_id)
        return _save(web, kind, form, party)


_routes(SUPPLIERS)
_routes(CUSTOMERS)
