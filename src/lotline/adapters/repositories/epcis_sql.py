"""The SQL of the EPCIS standard query over captured events (DESIGN §9), built once per query
shape: the conditions' kinds, fields and roles, how many patterns each holds, the page's order
and direction, with every value a bound parameter. A query by EPC repeated with other EPCs
reuses one statement instead of building (and SQLAlchemy keying) a new one each time, which
cost more than the indexed lookup itself."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    false,
    or_,
    select,
)

from lotline.adapters import tables as t
from lotline.domain.epcis_conditions import FieldMatch, RefMatch, TimeBound, TypeIn
from lotline.domain.epcis_patterns import Glob, Wild
from lotline.domain.epcis_query import EpcisQuery

# EventIndex field -> epcis_events column, where the names differ.
_COLUMNS = {"key": "event_key"}
# (kind, what it names, with exact values, number of patterns) per condition.
Shape = tuple[tuple[Any, ...], ...]


def _like(glob: Glob) -> str:
    return "".join("%" if part is Wild.ANY else "_" if part is Wild.ONE else
                   part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                   for part in glob)


def _sqlite_glob(glob: Glob) -> str:
    special = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})
    return "".join("*" if part is Wild.ANY else "?" if part is Wild.ONE else
                   part.translate(special) for part in glob)


def query_shape(query: EpcisQuery, dialect: str) -> tuple[Shape, list[Any]]:
    """The query's shape, and its values in the order the statement binds them."""
    shape: list[tuple[Any, ...]] = []
    values: list[Any] = []
    pattern = _sqlite_glob if dialect == "sqlite" else _like
    for condition in query.conditions:
        if isinstance(condition, TypeIn):
            shape.append(("type",))
            values.append(sorted(condition.types))
        elif isinstance(condition, TimeBound):
            shape.append(("time", condition.field, condition.at_or_after))
            values.append(condition.moment)
        else:
            named = condition.field if isinstance(condition, FieldMatch) else condition.roles
            selection = condition.selection
            shape.append((type(condition).__name__, named, bool(selection.exact),
                          len(selection.globs)))
            values += ([sorted(selection.exact)] if selection.exact else []) + \
                [pattern(glob) for glob in selection.globs]
    return tuple(shape), values


class _Params:
    """Bound parameters named in the order query_shape lists the values."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, expanding: bool = False) -> BindParameter[Any]:
        self.count += 1
        return bindparam(f"v{self.count - 1}", expanding=expanding)


def bound_values(values: list[Any]) -> dict[str, Any]:
    return {f"v{number}": value for number, value in enumerate(values)}


@lru_cache(maxsize=256)
def selected(shape: Shape, dialect: str, columns: tuple[str, ...]) -> Select[Any]:
    """`columns` of the organization's (`:org_id`) captured events the shape selects."""
    e = t.epcis_events.c
    params = _Params()
    statement = select(*(getattr(e, name) for name in columns)).where(
        e.org_id == bindparam("org_id"))
    for part in shape:
        statement = statement.where(_condition(part, params, dialect))
    return statement


@lru_cache(maxsize=256)
def page_statement(shape: Shape, dialect: str, order_by: str, descending: bool,
                   after: bool) -> Select[Any]:
    """A page of events: after `:after_time`, `:after_key` (when `after`) in the order asked,
    at most `:page_limit`."""
    e = t.epcis_events.c
    statement = selected(shape, dialect, ("event_key", "event_time", "record_time", "event",
                                          "namespaces"))
    order = getattr(e, order_by)
    if after:
        moment: BindParameter[Any] = bindparam("after_time")
        key: BindParameter[Any] = bindparam("after_key")
        statement = statement.where(
            or_(order < moment, and_(order == moment, e.event_key < key)) if descending else
            or_(order > moment, and_(order == moment, e.event_key > key)))
    ordering = (order.desc(), e.event_key.desc()) if descending else (order, e.event_key)
    return statement.order_by(*ordering).limit(bindparam("page_limit"))


def _condition(part: tuple[Any, ...], params: _Params, dialect: str) -> ColumnElement[bool]:
    e, r = t.epcis_events.c, t.epcis_event_refs.c
    kind = part[0]
    if kind == "type":
        return e.event_type.in_(params.next(expanding=True))
    if kind == "time":
        moment: Any = getattr(e, _COLUMNS.get(part[1], part[1]))
        bound: ColumnElement[bool] = moment >= params.next() if part[2] \
            else moment < params.next()
        return bound
    if kind == FieldMatch.__name__:
        column: Any = getattr(e, _COLUMNS.get(part[1], part[1]))
        return _selects(column, part[2], part[3], params, dialect)
    # IN (not a correlated EXISTS): the identifiers' events are looked up once by the
    # (org_id, value) index, not once per event of the organization.
    assert kind == RefMatch.__name__
    return e.id.in_(select(r.event_id).where(
        r.org_id == bindparam("org_id"), r.role.in_(list(part[1])),
        _selects(r.value, part[2], part[3], params, dialect)))


def _selects(column: Any, exact: bool, globs: int, params: _Params,
             dialect: str) -> ColumnElement[bool]:
    alternatives = [column.in_(params.next(expanding=True))] if exact else []
    for _ in range(globs):
        if dialect == "sqlite":  # its LIKE ignores case; GLOB does not
            alternatives.append(column.op("GLOB")(params.next()))
        else:
            alternatives.append(column.like(params.next(), escape="\\"))
    return or_(*alternatives) if alternatives else false()

