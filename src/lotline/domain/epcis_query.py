"""The EPCIS 2.0 standard query parameters lotline answers (DESIGN §9, the REST binding's
`GET /events`): parsed once, checked strictly (an unknown name or a bad value is a
QueryParameterException naming it), then matched against an event's index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lotline.domain.epcis_index import (
    ANY_CLASS_FIELDS,
    ANY_EPC_FIELDS,
    CLASS_FIELDS,
    EPC_FIELDS,
    EventIndex,
    identifier,
    utc_time,
    vocabulary,
)
from lotline.domain.errors import FieldError, ValidationError

EVENT_TYPES = frozenset({"ObjectEvent", "AggregationEvent", "TransactionEvent",
                         "TransformationEvent", "AssociationEvent"})
# Parameter -> the index roles it matches (EPCIS 2.0 §8.2.7.1).
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": EPC_FIELDS, "MATCH_parentID": ("parentID",),
    "MATCH_inputEPC": ("inputEPCList",), "MATCH_outputEPC": ("outputEPCList",),
    "MATCH_anyEPC": (*ANY_EPC_FIELDS, "parentID"), "MATCH_epcClass": CLASS_FIELDS,
    "MATCH_inputEPCClass": ("inputQuantityList",),
    "MATCH_outputEPCClass": ("outputQuantityList",), "MATCH_anyEPCClass": ANY_CLASS_FIELDS}
EQUALS = ("EQ_bizStep", "EQ_disposition", "EQ_readPoint", "EQ_bizLocation", "EQ_action",
          "EQ_eventID")
TIMES = ("GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime")
PAGING = ("perPage", "nextPageToken")
PARAMETERS = frozenset({"eventType", *MATCH_ROLES, *EQUALS, *TIMES, *PAGING})
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000


class QueryParameterException(ValidationError):
    """The binding's QueryParameterException: a parameter lotline does not know, or a value it
    cannot read. The problem's type names it."""

    code = "QueryParameterException"
    http_status = 400
    title = "Query parameter exception"


@dataclass(frozen=True, slots=True)
class EpcisQuery:
    event_types: frozenset[str] = frozenset()
    since: dt.datetime | None = None  # GE_eventTime, UTC
    before: dt.datetime | None = None  # LT_eventTime, UTC
    recorded_since: dt.datetime | None = None  # GE_recordTime, UTC
    recorded_before: dt.datetime | None = None  # LT_recordTime, UTC
    equals: Mapping[str, frozenset[str]] = field(default_factory=dict)
    matches: Mapping[str, frozenset[str]] = field(default_factory=dict)
    per_page: int = DEFAULT_PER_PAGE
    page_token: str | None = None


def _values(raw: Sequence[str]) -> list[str]:
    # The binding passes a list as one comma-separated value; a repeated parameter adds more.
    return [part.strip() for text in raw for part in text.split(",") if part.strip()]


def _equal(name: str, value: str) -> str:
    if name in ("EQ_bizStep", "EQ_disposition"):
        return vocabulary(value)
    return identifier(value) if name in ("EQ_readPoint", "EQ_bizLocation") else value


def parse_query(params: Mapping[str, Sequence[str]]) -> EpcisQuery:
    errors: list[FieldError] = [FieldError(name, "is not a query parameter lotline supports",
                                           list(params[name]))
                                for name in sorted(params) if name not in PARAMETERS]
    if errors:
        raise QueryParameterException(errors)
    times: dict[str, dt.datetime] = {}
    for name in TIMES:
        if params.get(name):
            try:
                times[name] = utc_time(params[name][-1])
            except ValueError:
                errors.append(FieldError(name, "must be a date-time with its offset, "
                                               "2026-04-10T08:00:00Z", params[name][-1]))
    types = set(_values(params.get("eventType", ())))
    if types - EVENT_TYPES:
        errors.append(FieldError("eventType", f"must be among {', '.join(sorted(EVENT_TYPES))}",
                                 sorted(types - EVENT_TYPES)))
    per_page = _per_page(params.get("perPage", ()), errors)
    if errors:
        raise QueryParameterException(errors)
    token = params.get("nextPageToken")
    return EpcisQuery(
        event_types=frozenset(types), since=times.get("GE_eventTime"),
        before=times.get("LT_eventTime"), recorded_since=times.get("GE_recordTime"),
        recorded_before=times.get("LT_recordTime"),
        equals={name: frozenset(_equal(name, v) for v in _values(params[name]))
                for name in EQUALS if params.get(name)},
        matches={name: frozenset(identifier(v) for v in _values(params[name]))
                 for name in MATCH_ROLES if params.get(name)},
        per_page=per_page, page_token=token[-1] if token else None)


def _per_page(raw: Sequence[str], errors: list[FieldError]) -> int:
    if not raw:
        return DEFAULT_PER_PAGE
    text = raw[-1].strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PER_PAGE:
        errors.append(FieldError("perPage", f"must be a whole number from 1 to {MAX_PER_PAGE}",
                                 raw[-1]))
        return DEFAULT_PER_PAGE
    return int(text)


def _recorded_within(recorded: dt.datetime | None, query: EpcisQuery) -> bool:
    """GE_recordTime / LT_recordTime: an event without a recordTime is outside any bound."""
    if query.recorded_since is None and query.recorded_before is None:
        return True
    return recorded is not None and \
        (query.recorded_since is None or recorded >= query.recorded_since) and \
        (query.recorded_before is None or recorded < query.recorded_before)


_INDEX_FIELD = {"EQ_bizStep": "biz_step", "EQ_disposition": "disposition",
                "EQ_readPoint": "read_point", "EQ_bizLocation": "biz_location",
                "EQ_action": "action", "EQ_eventID": "key"}


def matches(index: EventIndex, query: EpcisQuery) -> bool:
    if query.event_types and index.event_type not in query.event_types:
        return False
    if query.since is not None and index.event_time < query.since:
        return False
    if query.before is not None and index.event_time >= query.before:
        return False
    if not _recorded_within(index.record_time, query):
        return False
    for name, wanted in query.equals.items():
        if getattr(index, _INDEX_FIELD[name]) not in wanted:
            return False
    return all(index.values(*MATCH_ROLES[name]) & wanted
               for name, wanted in query.matches.items())
