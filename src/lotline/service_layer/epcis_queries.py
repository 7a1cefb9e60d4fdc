"""The EPCIS standard query (DESIGN §9, the REST binding's `GET /events`) over both lotline's own
events (as exported, service_layer/epcis) and the captured ones, merged in (eventTime, event
key) order and paged by an opaque `nextPageToken` bound to the organization."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lotline.domain import epcis
from lotline.domain.epcis_index import index_event
from lotline.domain.epcis_query import (
    EpcisQuery,
    QueryParameterException,
    matches,
    parse_query,
)
from lotline.domain.errors import FieldError
from lotline.service_layer.base import Service
from lotline.service_layer.epcis import EpcisService
from lotline.service_layer.epcis_ports import PagePosition, StoredEvent

QUERY_NAME = "SimpleEventQuery"


@dataclass(frozen=True, slots=True)
class QueryPage:
    document: dict[str, Any]  # an EPCISQueryDocument
    next_page_token: str | None


def encode_token(org_id: str, position: PagePosition) -> str:
    payload = {"o": org_id, "t": position[0].isoformat(), "k": position[1]}
    text = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(text).decode("ascii").rstrip("=")


def decode_token(org_id: str, token: str) -> PagePosition:
    """The position a token carries; a QueryParameterException for a token that is not one
    of ours or belongs to another organization."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        moment = dt.datetime.fromisoformat(payload["t"])
        key = str(payload["k"])
        owner = payload["o"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise QueryParameterException([FieldError(
            "nextPageToken", "is not a page token lotline gave", token)]) from None
    if owner != org_id:
        raise QueryParameterException([FieldError(
            "nextPageToken", "belongs to another organization's query", token)])
    return moment, key


class EpcisQueryService(Service):
    def events(self, params: Mapping[str, Sequence[str]]) -> QueryPage:
        query = parse_query(params)
        org_id = self.actor.org_id
        after = decode_token(org_id, query.page_token) if query.page_token else None
        with self.reading() as uow:
            stored = uow.epcis.page(query, after, query.per_page + 1)
        found = {item.key: item for item in stored}
        for item in self._own(query, after):
            found.setdefault(item.key, item)
        ordered = sorted(found.values(), key=lambda item: (item.event_time, item.key))
        page = ordered[:query.per_page]
        more = len(ordered) > query.per_page
        token = encode_token(org_id, (page[-1].event_time, page[-1].key)) if more else None
        return QueryPage(_document(page, self.actor.now()), token)

    def _own(self, query: EpcisQuery, after: PagePosition | None) -> list[StoredEvent]:
        """lotline's own events in the query's window, from the page's position on (whole
        UTC days are exported, then each event matched exactly)."""
        starts = [moment for moment in (query.since, after[0] if after else None) if moment]
        since = max(starts).date() if starts else None
        until = query.before.date() if query.before else None
        exported = EpcisService(self.uows, self.actor).events(since=since, until=until,
                                                              recorded=True)
        own: list[StoredEvent] = []
        for event in exported["epcisBody"]["eventList"]:
            index = index_event(event)
            if not matches(index, query):
                continue
            if after is not None and (index.event_time, index.key) <= after:
                continue
            own.append(StoredEvent(index.key, index.event_time, event, {}))
        return own


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
