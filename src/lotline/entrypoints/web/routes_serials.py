"""/serials: the list with status tabs and counts, search and filters; /serials/{id}: a unit
with its history and the transitions the table allows from its status."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from dataclasses import field as dataclass_field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError, NotFound
from lotline.domain.model import Serial
from lotline.domain.statuses import (
    FINAL_STATUSES,
    SERIAL_STATUSES,
    TRANSITIONS,
    SerialStatus,
    Tab,
    parse_enum,
)
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.confirming import ask, confirm_page, confirmed
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState, optional, place_error
from lotline.entrypoints.web.templating import STATUS_WORDS, is_htmx

router = APIRouter(route_class=WebRoute, include_in_schema=False)

TABS = tuple(s.value for s, info in SERIAL_STATUSES.items() if info.tab is Tab.ALWAYS)
# Shown only when they hold any unit (or are the current filter).
RARE_TABS = tuple(s.value for s, info in SERIAL_STATUSES.items() if info.tab is Tab.WHEN_USED)
PAGE_SIZE = 50
ACTION_ALIASES = {"parent_serial_id": "parent"}


@dataclass(frozen=True, slots=True)
class Filters:
    status: str = ""
    q: str = ""
    product_id: str = ""
    lot: str = ""
    batch_id: str = ""
    cursor: str = ""

    def url(self, **changes: str) -> str:
        values = replace(self, **changes)
        query = {f.name: getattr(values, f.name) for f in fields(values)
                 if getattr(values, f.name)}
        return "/serials" + (f"?{urlencode(query)}" if query else "")


@dataclass(frozen=True, slots=True)
class LotFilter:
    """The lot the list is narrowed to; a typed number naming no single lot leaves nothing
    to list and says why (with the lots to choose from when several share the number)."""

    batch_id: str | None = None
    problem: str | None = None
    choices: list[Any] = dataclass_field(default_factory=list)


def _lot_filter(web: Web, filters: Filters) -> LotFilter:
    if filters.batch_id:
        return LotFilter(batch_id=filters.batch_id)
    number = filters.lot.strip()
    if not number:
        return LotFilter()
    matches = web.svc.batches.by_number(number, filters.product_id or None)
    if len(matches) == 1:
        return LotFilter(batch_id=matches[0].id)
    if not matches:
        return LotFilter(problem=f"No lot numbered {number!r}.")
    return LotFilter(problem=f"Lot {number!r} matches {len(matches)} lots; choose one.",
                     choices=matches)


def _tabs(filters: Filters, counts: dict[str, int]) -> list[dict[str, Any]]:
    tabs = [{"key": "", "label": "All", "count": counts.get("ALL", 0)}]
    tabs += [{"key": s, "label": STATUS_WORDS[s], "count": counts.get(s, 0)} for s in TABS]
    tabs += [{"key": s, "label": STATUS_WORDS[s], "count": counts.get(s, 0)}
             for s in RARE_TABS if counts.get(s, 0) or filters.status == s]
    for tab in tabs:
        tab["url"] = filters.url(status=str(tab["key"]), cursor="")
        tab["current"] = tab["key"] == filters.status
    return tabs


@router.get("/serials")
def serial_list(web: WebDep, status: str = "", q: str = "", product_id: str = "",
                lot: str = "", batch_id: str = "", cursor: str = "") -> Response:
    wanted = parse_enum(SerialStatus, status, "status").value if status else ""
    filters = Filters(wanted, q.strip(), product_id, lot.strip(), batch_id, cursor)
    narrowed = _lot_filter(web, filters)
    counts = web.svc.serials.counts(product_id or None)
    items: list[Serial] = []
    next_cursor = None
    if narrowed.problem is None:
        result = web.svc.serials.search(q=filters.q or None, product_id=product_id or None,
                                        status=wanted or None, batch_id=narrowed.batch_id,
                                        limit=PAGE_SIZE, cursor=cursor or None)
        items, next_cursor = result.items, result.next_cursor
    names = lookups.Names(web.svc)
    names.prefetch_lot_numbers([s.batch_id for s in items])
    context = {
        "nav": "serials", "filters": filters, "tabs": _tabs(filters, counts), "items": items,
        "names": names, "lot_problem": narrowed.problem,
        "lot_choices": narrowed.choices,
        "next_url": filters.url(cursor=next_cursor) if next_cursor else None,
        "first_url": filters.url(cursor="") if cursor else None,
        "products": lookups.serial_products(web.svc),
        "added": web.request.query_params.get("added", "")[:12]}
    if is_htmx(web.request) and web.request.headers.get("hx-target") == "serial-results":
        return page(web, "serials/_results.html", context)
    return page(web, "serials/list.html", context)


def _actions(web: Web, serial: Serial) -> list[dict[str, Any]]:
    """The transitions the table allows from the unit's status, with what each one asks."""
    allowed = TRANSITIONS[serial.status]
    needs_order = SerialStatus.ALLOCATED in allowed or SerialStatus.SHIPPED in allowed
    orders = [o for o in lookups.orders(web.svc) if any(
        line.product_id == serial.product_id for line in o.lines)] if needs_order else []
    customers = lookups.customers(web.svc) if SerialStatus.ALLOCATED in allowed else []
    return [{"target": target.value, "label": label, "orders": orders, "customers": customers,
             "needs_order": target is SerialStatus.ALLOCATED,
             "offers_order": target is SerialStatus.SHIPPED and serial.order_id is None
             and serial.reserved_for is None,
             "needs_parent": target is SerialStatus.INSTALLED,
             "asks_reason": SERIAL_STATUSES[target].asks_reason}
            for target, label in allowed.items()]


def _detail(web: Web, serial_id: str, form: FormState | None = None, acting: str = "",
            status: int = 200) -> Response:
    serial = web.svc.serials.get(serial_id)
    names = lookups.Names(web.svc)
    changed = web.request.query_params.get("changed", "")
    return page(web, "serials/detail.html", {
        "nav": "serials", "serial": serial, "names": names,
        "product": names.product(serial.product_id), "lot": names.batch(serial.batch_id),
        "history": web.svc.serials.history(serial.id),
        "actions": _actions(web, serial) if web.session.can_manage else [],
        "form": form or FormState(), "acting": acting,
        "changed": STATUS_WORDS.get(changed, ""),
        "created": web.request.query_params.get("created") == "1"}, status=status)


@router.get("/serials/{serial_id}")
def serial_detail(web: WebDep, serial_id: str) -> Response:
    return _detail(web, serial_id)


def _parent_id(web: Web, state: FormState) -> str | None:
    number = optional(state.get("parent"))
    if number is None:
        return None
    try:
        return web.svc.serials.lookup(number).id
    except NotFound:
        state.add("parent", f"no serial numbered {number!r}")
        return None


STATUS_FIELDS = ("status", "order_id", "customer_id", "parent", "reason")


def _irreversible(target: str) -> SerialStatus | None:
    """The final status (scrapped, consumed, voided) a change leads to, else None."""
    return next((s for s in FINAL_STATUSES if s.value == target), None)


@router.get("/serials/{serial_id}/confirm")
def confirm_status(web: WebDep, serial_id: str, status: str = "", reason: str = "") -> Response:
    web.require_manager("changing a serial's status")
    serial = web.svc.serials.get(serial_id)
    final = _irreversible(status)
    label = TRANSITIONS[serial.status].get(final) if final is not None else None
    if final is None or label is None:
        return redirect(f"/serials/{serial_id}")
    why = f" Reason: {reason}." if reason.strip() else ""
    return confirm_page(
        web, nav="serials", question=f"{label[:1].upper() + label[1:]} {serial.serial_number}?",
        consequence=f"{serial.serial_number} becomes {STATUS_WORDS[final.value]} for good: "
                    f"it leaves stock and no action can bring it back.{why}",
        action=f"/serials/{serial_id}/status", fields={"status": final.value, "reason": reason},
        yes=f"Yes, {label}", back=f"/serials/{serial_id}")


@router.post("/serials/{serial_id}/status")
def change_status(web: WebDep, serial_id: str, form: FormDep) -> Response:
    web.require_manager("changing a serial's status")
    target = field(form, "status")
    state = FormState(values={name: field(form, name) for name in STATUS_FIELDS})
    final = _irreversible(target)
    if final is not None and not confirmed(form) and \
            final in TRANSITIONS[web.svc.serials.get(serial_id).status]:
        return ask(f"/serials/{serial_id}/confirm", state.values)
    parent = _parent_id(web, state)
    if target == SerialStatus.INSTALLED.value and parent is None and not state.errors:
        state.add("parent", "installing needs the parent unit's serial number")
    if target == SerialStatus.ALLOCATED.value and not (state.get("order_id")
                                                       or state.get("customer_id")):
        state.add("order_id", "reserving needs an order, or a customer to reserve it for")
    if state.ok:
        try:
            web.svc.serials.change_status(
                serial_id, target, order_id=optional(state.get("order_id")),
                customer_id=optional(state.get("customer_id")),
                parent_serial_id=parent, reason=optional(state.get("reason")))
        except LotlineError as error:
            if isinstance(error, NotFound) and error.entity == "serial" and error.field == "id":
                raise
            place_error(state, error, ACTION_ALIASES)
    if not state.ok:
        return _detail(web, serial_id, state, acting=target, status=422)
    return redirect(f"/serials/{serial_id}?changed={SerialStatus(target).value}")
