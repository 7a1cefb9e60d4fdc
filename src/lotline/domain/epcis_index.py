"""What the EPCIS query matches an event on (DESIGN §9), read from the event itself so that
captured events (indexed when stored) and lotline's own (filtered as exported) answer a query
alike. Identifiers are compared in their canonical form: a GS1 key as its `id.gs1.org` Digital
Link whatever the event wrote (EPC URN or another domain), CBV words bare (`shipping`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lotline.domain.epcis_hash import event_hash
from lotline.domain.epcis_uri import canonical_gs1_uri

CBV_PREFIXES = ("https://ref.gs1.org/cbv/BizStep-", "https://ref.gs1.org/cbv/Disp-",
                "urn:epcglobal:cbv:bizstep:", "urn:epcglobal:cbv:disp:",
                "https://ref.gs1.org/cbv/BTT-", "urn:epcglobal:cbv:btt:",
                "https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:")
# Where each query parameter looks (EPCIS 2.0 §8.2.7.1): epc = epcList and childEPCs, the rest
# add parentID and the transformation's inputs and outputs; classes likewise for quantities.
EPC_FIELDS = ("epcList", "childEPCs")
ANY_EPC_FIELDS = (*EPC_FIELDS, "inputEPCList", "outputEPCList")
CLASS_FIELDS = ("quantityList", "childQuantityList")
ANY_CLASS_FIELDS = (*CLASS_FIELDS, "inputQuantityList", "outputQuantityList")
# The typed lists EQ_bizTransaction_{type}, EQ_source_{type} and EQ_destination_{type} look
# in: list -> (ref role, the entry's value field). Such a ref's value is "{type} {identifier}"
# (the type as its bare CBV word), so one indexed equality finds type and value together.
TYPED_LISTS = {"bizTransactionList": ("bizTransaction", "bizTransaction"),
               "sourceList": ("source", "source"),
               "destinationList": ("destination", "destination")}
ERROR_DECLARED = ("errorDeclaration", "declared")  # the ref EXISTS_errorDeclaration finds


@lru_cache(maxsize=256)  # places, classes, parties recur event after event (few: bounded memory)
def identifier(uri: str) -> str:
    """The canonical form an identifier is stored and compared in."""
    text = uri.strip()
    return canonical_gs1_uri(text) or text


def vocabulary(value: str) -> str:
    """A CBV value as its bare word (`shipping`), anything else unchanged."""
    for prefix in CBV_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def utc_time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class EventIndex:
    key: str  # the eventID, or the event hash when the event has none
    event_type: str
    event_time: dt.datetime  # UTC
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    refs: frozenset[tuple[str, str]]  # (role, canonical identifier)
    record_time: dt.datetime | None = None  # UTC; what a repository answered (recordTime)

    def values(self, *roles: str) -> set[str]:
        return {value for role, value in self.refs if role in roles}


def _place(event: Mapping[str, Any], name: str) -> str | None:
    place = event.get(name)
    return identifier(str(place["id"])) if isinstance(place, Mapping) and "id" in place \
        else None


def event_refs(event: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    for name in ANY_EPC_FIELDS:
        for epc in event.get(name) or ():
            refs.add((name, identifier(str(epc))))
    if event.get("parentID"):
        refs.add(("parentID", identifier(str(event["parentID"]))))
    for name in ANY_CLASS_FIELDS:
        for element in event.get(name) or ():
            if isinstance(element, Mapping) and element.get("epcClass"):
                refs.add((name, identifier(str(element["epcClass"]))))
    if event.get("transformationID"):
        refs.add(("transformationID", identifier(str(event["transformationID"]))))
    if isinstance(event.get("errorDeclaration"), Mapping):
        refs.add(ERROR_DECLARED)
    return frozenset(refs | _typed_refs(event))


def typed_value(kind: str, value: str) -> str:
    """A typed list entry as its ref value: bare CBV type word, space, canonical identifier."""
    return f"{vocabulary(kind.strip())} {identifier(value)}"


def _typed_refs(event: Mapping[str, Any]) -> set[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    for list_name, (role, field) in TYPED_LISTS.items():
        for entry in event.get(list_name) or ():
            if isinstance(entry, Mapping) and entry.get("type") and entry.get(field):
                refs.add((role, typed_value(str(entry["type"]), str(entry[field]))))
    return refs


def index_event(event: Mapping[str, Any], context: Any = None) -> EventIndex:
    """The index of a schema-valid event (`context`: its document's, for the event hash)."""
    key = str(event.get("eventID") or event_hash(event, context))
    return EventIndex(
        key=key, event_type=str(event["type"]), event_time=utc_time(str(event["eventTime"])),
        action=event.get("action"),
        biz_step=vocabulary(str(event["bizStep"])) if event.get("bizStep") else None,
        disposition=vocabulary(str(event["disposition"])) if event.get("disposition")
        else None,
        read_point=_place(event, "readPoint"), biz_location=_place(event, "bizLocation"),
        refs=event_refs(event),
        record_time=_record_time(event))


def _record_time(event: Mapping[str, Any]) -> dt.datetime | None:
    try:
        return utc_time(str(event["recordTime"])) if event.get("recordTime") else None
    except ValueError:  # a form the schema lets through and Python cannot read: none
        return None


def parties(event: Mapping[str, Any], list_name: str) -> dict[str, list[str]]:
    """The `sourceList`/`destinationList` entries by type (bare CBV word), identifiers
    canonical."""
    found: dict[str, list[str]] = {}
    for entry in event.get(list_name) or ():
        if isinstance(entry, Mapping) and entry.get("type") and entry.get(list_name[:-4]):
            kind = str(entry["type"]).rsplit("-", 1)[-1].rsplit(":", 1)[-1]
            found.setdefault(kind, []).append(identifier(str(entry[list_name[:-4]])))
    return found
