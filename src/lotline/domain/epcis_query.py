"""The EPCIS 2.0 standard query parameters lotline answers (DESIGN §9, the REST binding's
`GET /events`, EPCIS 2.0 §8.2.7.1): parsed once, checked strictly (an unknown name or a bad
value is a QueryParameterException naming it) into conditions (epcis_conditions), then matched
against an event's index here or turned into SQL by the store.

One table, FILTERS, maps each parameter name to the function that builds its condition, and
PREFIXED does the same for the families named by a prefix (`EQ_bizTransaction_{type}`); the
result controls (order, limits, pages) are read by `_controls`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lotline.domain.epcis_conditions import (
    Condition,
    FieldMatch,
    RefMatch,
    TimeBound,
    TypeIn,
    merge_selections,
)
from lotline.domain.epcis_index import (
    ANY_CLASS_FIELDS,
    ANY_EPC_FIELDS,
    CLASS_FIELDS,
    EPC_FIELDS,
    ERROR_DECLARED,
    EventIndex,
    identifier,
    typed_value,
    utc_time,
    vocabulary,
)
from lotline.domain.epcis_patterns import NotAPattern, read_pattern, with_descendants
from lotline.domain.errors import FieldError, LotlineError, ValidationError

EVENT_TYPES = frozenset({"ObjectEvent", "AggregationEvent", "TransactionEvent",
                         "TransformationEvent", "AssociationEvent"})
ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})
# Parameter -> the index roles it matches (EPCIS 2.0 §8.2.7.1).
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": EPC_FIELDS, "MATCH_parentID": ("parentID",),
    "MATCH_inputEPC": ("inputEPCList",), "MATCH_outputEPC": ("outputEPCList",),
    "MATCH_anyEPC": (*ANY_EPC_FIELDS, "parentID"), "MATCH_epcClass": CLASS_FIELDS,
    "MATCH_inputEPCClass": ("inputQuantityList",),
    "MATCH_outputEPCClass": ("outputQuantityList",), "MATCH_anyEPCClass": ANY_CLASS_FIELDS}
# orderBy value -> the index field (and store column) events are ordered by.
ORDER_FIELDS = {"eventTime": "event_time"}
CONTROLS = ("perPage", "nextPageToken", "orderBy", "orderDirection", "eventCountLimit",
            "maxEventCount")
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
MASTER_DATA = ("names a master data attribute: lotline's EPCIS repository keeps no location or "
               "business master data vocabulary (captured master data is not stored), so no "
               "event could be selected by it; select places with EQ_ or WD_readPoint / "
               "WD_bizLocation")


class QueryParameterException(ValidationError):
    """The binding's QueryParameterException: a parameter lotline does not know, or a value it
    cannot read. The problem's type names it."""

    code = "QueryParameterException"
    http_status = 400
    title = "Query parameter exception"


class QueryTooLargeException(LotlineError):
    """The binding's QueryTooLargeException: more events match than `maxEventCount` allows.
    413, as the REST binding answers a result too large to return."""

    code = "QueryTooLargeException"
    http_status = 413
    title = "Query too large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"maxEventCount: more than {limit} events match the query; narrow it "
                         f"or raise maxEventCount", limit=limit)


@dataclass(frozen=True, slots=True)
class EpcisQuery:
    conditions: tuple[Condition, ...] = ()
    order_by: str = "event_time"  # an index field, ORDER_FIELDS
    descending: bool = False
    count_limit: int | None = None  # eventCountLimit: the first N events, over every page
    max_count: int | None = None  # maxEventCount: more match -> QueryTooLargeException
    per_page: int = DEFAULT_PER_PAGE
    page_token: str | None = None

    def _bound(self, at_or_after: bool) -> dt.datetime | None:
        moments = [c.moment for c in self.conditions if isinstance(c, TimeBound)
                   and c.field == "event_time" and c.at_or_after is at_or_after]
        if not moments:
            return None
        return max(moments) if at_or_after else min(moments)

    @property
    def since(self) -> dt.datetime | None:  # GE_eventTime, UTC
        return self._bound(True)

    @property
    def before(self) -> dt.datetime | None:  # LT_eventTime, UTC
        return self._bound(False)


def _values(raw: Sequence[str]) -> list[str]:
    # The binding passes a list as one comma-separated value; a repeated parameter adds more.
    return [part.strip() for text in raw for part in text.split(",") if part.strip()]


class _Refused(ValueError):
    """A value the builder cannot read; the message says what is expected."""


Builder = Callable[[str, list[str]], Condition]


def _event_type(name: str, values: list[str]) -> Condition:
    unknown = sorted(set(values) - EVENT_TYPES)
    if unknown:
        raise _Refused(f"must be among {', '.join(sorted(EVENT_TYPES))}: {', '.join(unknown)}")
    return TypeIn(name, frozenset(values))


def _time(field: str, at_or_after: bool) -> Builder:
    def build(name: str, values: list[str]) -> Condition:
        try:
            return TimeBound(name, field, at_or_after, utc_time(values[-1]))
        except ValueError:
            raise _Refused("must be a date-time with its offset, 2026-04-10T08:00:00Z") \
                from None
    return build


def _equal(field: str, read: Callable[[str], str] = str) -> Builder:
    def build(name: str, values: list[str]) -> Condition:
        return FieldMatch(name, field, merge_selections([], frozenset(map(read, values))))
    return build


def _action(name: str, values: list[str]) -> Condition:
    if set(values) - ACTIONS:
        raise _Refused(f"must be among ADD, OBSERVE, DELETE: "
                       f"{', '.join(sorted(set(values) - ACTIONS))}")
    return FieldMatch(name, "action", merge_selections([], frozenset(values)))


def _within(field: str) -> Builder:
    def build(name: str, values: list[str]) -> Condition:
        return FieldMatch(name, field, merge_selections(map(with_descendants, values)))
    return build


def _match(roles: tuple[str, ...]) -> Builder:
    def build(name: str, values: list[str]) -> Condition:
        try:
            return RefMatch(name, roles, merge_selections(map(read_pattern, values)))
        except NotAPattern as error:
            raise _Refused(f"{error} is not an EPC pattern lotline reads (urn:epc:idpat:sgtin:"
                           f"CP.ITEM.*, CP.*.*, *.*.*, likewise sscc and sgln, or a Digital "
                           f"Link ending in /*)") from None
    return build


def _refs(role: str, read: Callable[[str], str] = identifier) -> Builder:
    def build(name: str, values: list[str]) -> Condition:
        return RefMatch(name, (role,), merge_selections([], frozenset(map(read, values))))
    return build


def _error_declared(name: str, values: list[str]) -> Condition:
    # The standard ignores this parameter's value.
    return RefMatch(name, (ERROR_DECLARED[0],), merge_selections([], frozenset(
        {ERROR_DECLARED[1]})))


def _typed(role: str, prefix: str) -> Builder:
    def build(name: str, values: list[str]) -> Condition:
        kind = name.removeprefix(prefix)
        if not kind:
            raise _Refused(f"names no type: {prefix}{{type}}, {prefix}po")
        return RefMatch(name, (role,), merge_selections([], frozenset(
            typed_value(kind, value) for value in values)))
    return build


def _master_data(name: str, values: list[str]) -> Condition:
    raise _Refused(MASTER_DATA)


FILTERS: dict[str, Builder] = {
    "eventType": _event_type,
    "GE_eventTime": _time("event_time", True), "LT_eventTime": _time("event_time", False),
    "GE_recordTime": _time("record_time", True), "LT_recordTime": _time("record_time", False),
    "EQ_bizStep": _equal("biz_step", vocabulary),
    "EQ_disposition": _equal("disposition", vocabulary),
    "EQ_readPoint": _equal("read_point", identifier),
    "EQ_bizLocation": _equal("biz_location", identifier),
    "WD_readPoint": _within("read_point"), "WD_bizLocation": _within("biz_location"),
    "EQ_action": _action, "EQ_eventID": _equal("key"),
    "EQ_transformationID": _refs("transformationID"),
    "EXISTS_errorDeclaration": _error_declared,
    **{name: _match(roles) for name, roles in MATCH_ROLES.items()},
}
PREFIXED: dict[str, Builder] = {
    "EQ_bizTransaction_": _typed("bizTransaction", "EQ_bizTransaction_"),
    "EQ_source_": _typed("source", "EQ_source_"),
    "EQ_destination_": _typed("destination", "EQ_destination_"),
    "HASATTR_": _master_data, "EQATTR_": _master_data,
}


def _builder(name: str) -> Builder | None:
    if name in FILTERS:
        return FILTERS[name]
    return next((build for prefix, build in PREFIXED.items() if name.startswith(prefix)),
                None)


def parse_query(params: Mapping[str, Sequence[str]]) -> EpcisQuery:
    errors: list[FieldError] = [FieldError(name, "is not a query parameter lotline supports",
                                           list(params[name]))
                                for name in sorted(params)
                                if name not in CONTROLS and _builder(name) is None]
    if errors:
        raise QueryParameterException(errors)
    conditions: list[Condition] = []
    for name in sorted(params):
        build, values = _builder(name), _values(params[name])
        if build is None or not (values or name.startswith("EXISTS_")):
            continue
        try:
            conditions.append(build(name, values))
        except _Refused as refused:
            errors.append(FieldError(name, str(refused), list(params[name])))
    query = _controls(params, tuple(conditions), errors)
    if errors:
        raise QueryParameterException(errors)
    return query


def _controls(params: Mapping[str, Sequence[str]], conditions: tuple[Condition, ...],
              errors: list[FieldError]) -> EpcisQuery:
    order = params.get("orderBy", ["eventTime"])[-1]
    if order not in ORDER_FIELDS:
        errors.append(FieldError("orderBy", f"must be one of {', '.join(ORDER_FIELDS)}", order))
    direction = params.get("orderDirection", ["ASC"])[-1]
    if direction not in ("ASC", "DESC"):
        errors.append(FieldError("orderDirection", "must be ASC or DESC", direction))
    count_limit = _whole("eventCountLimit", params, errors)
    max_count = _whole("maxEventCount", params, errors)
    if count_limit is not None and max_count is not None:
        errors.append(FieldError("maxEventCount", "cannot be combined with eventCountLimit",
                                 params["maxEventCount"][-1]))
    per_page = _whole("perPage", params, errors, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    token = params.get("nextPageToken")
    return EpcisQuery(conditions=conditions, order_by=ORDER_FIELDS.get(order, "event_time"),
                      descending=direction == "DESC", count_limit=count_limit,
                      max_count=max_count, per_page=per_page,
                      page_token=token[-1] if token else None)


def _whole(name: str, params: Mapping[str, Sequence[str]], errors: list[FieldError],
           most: int | None = None) -> int | None:
    if not params.get(name):
        return None
    text = params[name][-1].strip()
    if not text.isdigit() or int(text) < 1 or (most is not None and int(text) > most):
        span = f"from 1 to {most}" if most is not None else "of 1 or more"
        errors.append(FieldError(name, f"must be a whole number {span}", params[name][-1]))
        return None
    return int(text)


def matches(index: EventIndex, query: EpcisQuery) -> bool:
    return all(condition.holds(index) for condition in query.conditions)
