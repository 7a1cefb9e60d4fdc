"""The EPCIS standard query (DESIGN §9, the REST binding's `GET /events`) over both lotline's own
events (as exported, service_layer/epcis) and the captured ones, merged in (eventTime, event
key) order (or its reverse, orderDirection=DESC) and paged by an opaque `nextPageToken` bound
to the organization and the direction; eventCountLimit caps the events over every page,
maxEventCount refuses a query that matches more (QueryTooLargeException)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lotline.domain import epcis
from lotline.domain.epcis_index import EventIndex, index_event
from lotline.domain.epcis_own_scope import own_scope
from lotline.domain.epcis_query import (
    EpcisQuery,
    QueryParameterException,
    QueryTooLargeException,
    matches,
    parse_query,
)
from lotline.domain.errors import FieldError
from lotline.service_layer.base import Service
from lotline.service_layer.epcis import EpcisService
from lotline.service_layer.epcis_ports import PagePosition, StoredEvent
from lotline.service_layer.unit_of_work import UnitOfWork

QUERY_NAME = "SimpleEventQuery"


@dataclass(frozen=True, slots=True)
class QueryPage:
    document: dict[str, Any]  # an EPCISQueryDocument
    next_page_token: str | None


@dataclass(frozen=True, slots=True)
class PageMark:
    """Where the previous page ended, in which direction, and how many events the query has
    given so far (for eventCountLimit over several pages)."""

    position: PagePosition
    descending: bool = False
    given: int = 0


def encode_token(org_id: str, mark: PageMark) -> str:
    payload = {"o": org_id, "t": mark.position[0].isoformat(), "k": mark.position[1],
               "d": mark.descending, "n": mark.given}
    text = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def decode_token(org_id: str, token: str, descending: bool = False) -> PageMark:
    """The mark a token carries; a QueryParameterException for a token that is not one of
    ours, belongs to another organization or to the other orderDirection."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        mark = PageMark((dt.datetime.fromisoformat(payload["t"]), str(payload["k"])),
                        bool(payload.get("d", False)), int(payload.get("n", 0)))
        owner = payload["o"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise QueryParameterException([FieldError(
            "nextPageToken", "is not a page token lotline gave", token)]) from None
    if owner != org_id:
        raise QueryParameterException([FieldError(
            "nextPageToken", "belongs to another organization's query", token)])
    if mark.descending != descending:
        raise QueryParameterException([FieldError(
            "nextPageToken", "belongs to a query in the other orderDirection", token)])
    return mark


class EpcisQueryService(Service):
    def events(self, params: Mapping[str, Sequence[str]]) -> QueryPage:
        query = parse_query(params)
        org_id = self.actor.org_id
        mark = decode_token(org_id, query.page_token, query.descending) \
            if query.page_token else None
        if query.max_count is not None and mark is None:
            self._refuse_too_large(query, query.max_count)
        given = mark.given if mark else 0
        size = query.per_page if query.count_limit is None else \
            max(0, min(query.per_page, query.count_limit - given))
        after = mark.position if mark else None
        with self.reading(may_lag=True) as uow:
            stored = uow.epcis.page(query, after, size + 1)
            own_possible = _own_possible(uow, query)
        found = {item.key: item for item in stored}
        for item in self._own(query, after) if own_possible else ():
            found.setdefault(item.key, item)
        ordered = sorted(found.values(), key=lambda item: (item.event_time, item.key),
                         reverse=query.descending)
        page = ordered[:size]
        more = len(ordered) > size and (query.count_limit is None
                                        or given + len(page) < query.count_limit)
        token = encode_token(org_id, PageMark((page[-1].event_time, page[-1].key),
                                              query.descending, given + len(page))) \
            if more else None
        return QueryPage(_document(page, self.actor.now()), token)

    def _refuse_too_large(self, query: EpcisQuery, most: int) -> None:
        """maxEventCount: the whole result (every page) may hold at most `most` events."""
        with self.reading(may_lag=True) as uow:
            own_possible = _own_possible(uow, query)
        own = {item.key for item in self._own(query, None)} if own_possible else set()
        with self.reading(may_lag=True) as uow:
            stored = uow.epcis.count(query, most + 1)
            own -= uow.epcis.known_keys(sorted(own)) if own else set()
        if stored + len(own) > most:
            raise QueryTooLargeException(most)

    def _own(self, query: EpcisQuery, after: PagePosition | None) -> list[StoredEvent]:
        """lotline's own events in the query's window, from the page's position on (whole
        UTC days are exported, then each event matched exactly)."""
        since, until = query.since, query.before
        if after is not None and query.descending:
            until = min(filter(None, (until, after[0] + dt.timedelta(microseconds=1))))
        elif after is not None:
            since = max(filter(None, (since, after[0])))
        exported = EpcisService(self.uows, self.actor).events(
            since=since.date() if since else None, until=until.date() if until else None,
            recorded=True)
        own: list[StoredEvent] = []
        for event in exported["epcisBody"]["eventList"]:
            index = index_event(event)
            if not matches(index, query) or not _beyond(index, after, query.descending):
                continue
            own.append(StoredEvent(index.key, index.event_time, event, {}))
        return own


def _own_possible(uow: UnitOfWork, query: EpcisQuery) -> bool:
    """Whether lotline's own events could answer the query at all: exporting them is most of
    a query's cost, and a query for an eventID or a unit not ours needs none of them."""
    scope = own_scope(query)
    if not scope.possible:
        return False
    return scope.serial_numbers is None or uow.epcis.has_units_numbered(
        sorted(scope.serial_numbers))


def _beyond(index: EventIndex, after: PagePosition | None, descending: bool) -> bool:
    """Whether the event comes after the page position in the query's order."""
    if after is None:
        return True
    position = (index.event_time, index.key)
    return position < after if descending else position > after


def _document(page: list[StoredEvent], created: dt.datetime) -> dict[str, Any]:
    namespaces: dict[str, Any] = {}
    for item in page:
        namespaces.update(item.namespaces)
    context: list[Any] = [epcis.CONTEXT] + ([namespaces] if namespaces else [])
    return {"@context": context, "type": "EPCISQueryDocument", "schemaVersion": "2.0",
            "creationDate": epcis.event_time(created),
            "epcisBody": {"queryResults": {"queryName": QUERY_NAME,
                                           "resultsBody": {"eventList": [
                                               item.event for item in page]}}}}
