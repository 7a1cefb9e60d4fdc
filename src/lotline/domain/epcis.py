"""EPCIS 2.0 JSON-LD: identifiers and the event shapes lotline writes (DESIGN §8, §9), pure so
that export, capture and query build and read events the same way.

Identifiers: a unit is the SGTIN Digital Link `{domain}/01/{gtin}/21/{serial}` and a lot the
LGTIN `{domain}/01/{gtin}/10/{lot}`; a place with a GLN the SGLN `https://id.gs1.org/414/{gln}`
(`/254/{location code}` for a location in it) and a party with a GLN the PGLN
`https://id.gs1.org/417/{gln}`; whatever has no GS1 key a URN of the organization,
`urn:lotline:{organization}:{kind}:{code}`. Every event carries its `eventID`, the GS1 event
hash (epcis_hash)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lotline.domain.epcis_hash import event_hash, keyed_event_hash

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
GS1 = "https://id.gs1.org"
# CBV 2.0 has no business transaction type for a sales order or a recall; a type outside the
# CBV must be a URI (the schema refuses other bare words).
SALES_ORDER = "urn:lotline:btt:so"
RECALL = "urn:lotline:btt:recall"
ASN = "desadv"


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _part(text: str) -> str:
    """Percent-encode everything outside RFC 3986 unreserved characters (upper-case hex).
    Most codes have nothing to encode: they are returned as they are, without `quote`'s cost
    (an export writes one per unit)."""
    return text if _UNRESERVED.fullmatch(text) else quote(text, safe="")


def own_urn(organization: str, kind: str, *codes: str) -> str:
    """An identifier under the organization's own URN namespace."""
    return _urn_head(organization, kind) + "".join([":" + _part(code) for code in codes])


@lru_cache(maxsize=256)  # one organization, a few kinds (an export names one per order)
def _urn_head(organization: str, kind: str) -> str:
    return f"urn:lotline:{_part(organization)}:{kind}"


def unit_id(domain: str, gtin: str | None, sku: str, serial: str,
            organization: str = "lotline") -> str:
    """A unit: the SGTIN Digital Link `{domain}/01/{gtin}/21/{serial}`."""
    return _units_of(domain, gtin, sku, organization) + _part(serial)


def unit_ids(domain: str, gtin: str | None, sku: str, serials: Sequence[str],
             organization: str = "lotline") -> list[str]:
    """`unit_id` of each of a product's `serials` (a registration's 100,000 units)."""
    start, part, plain = _units_of(domain, gtin, sku, organization), _part, _UNRESERVED
    if plain.fullmatch("".join(serials)):  # all of them plain: one match, not one each
        return [start + serial for serial in serials]
    return [start + (serial if plain.fullmatch(serial) else part(serial))
            for serial in serials]


@lru_cache(maxsize=1024)
def _units_of(domain: str, gtin: str | None, sku: str, organization: str) -> str:
    """What the identifiers of a product's units start with (built once per product)."""
    if gtin:
        return f"{domain.rstrip('/')}/01/{gtin}/21/"
    return own_urn(organization, "sku", sku, "serial", "")


@lru_cache(maxsize=4096)  # few places, parties and lots, met again and again
def lot_class(domain: str, gtin: str | None, sku: str, lot: str | None,
              organization: str = "lotline") -> str:
    """A lot's quantity class: the LGTIN `{domain}/01/{gtin}/10/{lot}`."""
    if gtin:
        base = f"{domain.rstrip('/')}/01/{gtin}"
        return f"{base}/10/{_part(lot)}" if lot else base
    return own_urn(organization, "sku", sku, *(("lot", lot) if lot else ()))


@lru_cache(maxsize=4096)  # few places, parties and lots, met again and again
def location_id(organization: str, gln: str | None, warehouse_code: str,
                location_code: str | None = None) -> str:
    """A site (`location_code` None) or a location in it: SGLN when the site has a GLN."""
    if gln:
        extension = f"/254/{_part(location_code)}" if location_code else ""
        return f"{GS1}/414/{gln}{extension}"
    return own_urn(organization, "loc", warehouse_code, *((location_code,) if location_code
                                                          else ()))


@lru_cache(maxsize=65536)  # a drill's 40,000 shipments go to some 10,000 customers
def party_id(organization: str, kind: str, gln: str | None, code: str) -> str:
    """A supplier or customer as an owning party: its PGLN, else the organization's URN."""
    return f"{GS1}/417/{gln}" if gln else own_urn(organization, kind, code)


def party_location(gln: str | None) -> str | None:
    """A party's own site, when it has a GLN (an SGLN without extension)."""
    return f"{GS1}/414/{gln}" if gln else None


def transaction_id(organization: str, kind: str, reference: str) -> str:
    return own_urn(organization, kind, reference)


def transformation_uri(organization: str, transformation_id: str) -> str:
    return own_urn(organization, "transformation", transformation_id)


@lru_cache(maxsize=4096)
def offset_of(moment: dt.datetime, timezone: str) -> str:
    """The `±HH:MM` offset of `timezone` at `moment` (summer time included)."""
    local = moment.astimezone(ZoneInfo(timezone))
    minutes = int((local.utcoffset() or dt.timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@lru_cache(maxsize=4096)  # a shipment's or a transformation's events share their moment
def event_time(moment: dt.datetime, timezone: str = "UTC") -> str:
    """Milliseconds, in the organization's local time with its offset (`Z` in UTC)."""
    local = moment.astimezone(ZoneInfo(timezone))
    text = local.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    offset = offset_of(moment, timezone)
    return text + ("Z" if offset == "+00:00" else offset)


def quantity_element(epc_class: str, quantity: Decimal | None = None,
                     uom: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"epcClass": epc_class}
    if quantity is not None:
        element["quantity"] = quantity
    if uom:
        element["uom"] = uom
    return element


def ilmd(lot: str | None, expiry: dt.date | None) -> dict[str, str]:
    data: dict[str, str] = {}
    if lot:
        data["cbvmda:lotNumber"] = lot
    if expiry:
        data["cbvmda:itemExpirationDate"] = expiry.isoformat()
    return data


@dataclass(frozen=True, slots=True)
class Where:
    """Where and between whom an event happened, and under which documents."""

    read_point: str | None = None
    biz_location: str | None = None
    sources: Sequence[tuple[str, str]] = ()  # (owning_party | location, id)
    destinations: Sequence[tuple[str, str]] = ()
    transactions: Sequence[tuple[str, str]] = ()  # (type, business transaction id)


def _common(moment: dt.datetime, timezone: str) -> dict[str, Any]:
    return {"eventTime": event_time(moment, timezone),
            "eventTimeZoneOffset": offset_of(moment, timezone)}


def _place_and_parties(event: dict[str, Any], where: Where) -> None:
    if where.read_point:
        event["readPoint"] = {"id": where.read_point}
    if where.biz_location:
        event["bizLocation"] = {"id": where.biz_location}
    if where.transactions:
        event["bizTransactionList"] = [{"type": kind, "bizTransaction": ident}
                                       for kind, ident in where.transactions]
    if where.sources:
        event["sourceList"] = [{"type": kind, "source": ident} for kind, ident in where.sources]
    if where.destinations:
        event["destinationList"] = [{"type": kind, "destination": ident}
                                    for kind, ident in where.destinations]


def object_event(*, moment: dt.datetime, action: str, biz_step: str, disposition: str,
                 epcs: list[str], quantities: list[dict[str, Any]], where: Where = Where(),
                 lot_data: dict[str, str] | None = None,
                 timezone: str = "UTC") -> dict[str, Any]:
    # The eventID goes after `type`; filled in last (the hash leaves it out).
    event: dict[str, Any] = {"type": "ObjectEvent", "eventID": None,
                             **_common(moment, timezone)}
    if epcs or not quantities:
        event["epcList"] = epcs
    if quantities:
        event["quantityList"] = quantities
    event.update(action=action, bizStep=biz_step, disposition=disposition)
    _place_and_parties(event, where)
    with_lot_data = bool(lot_data) and action == "ADD"
    if with_lot_data:  # EPCIS allows ilmd on ADD events only
        event["ilmd"] = lot_data
    # All but the time, units, quantities and the ids of the pairs (epcis_hash.VARYING and
    # PAIRED) is told by this key.
    key = ("ObjectEvent", action, biz_step, disposition, where.read_point,
           where.biz_location, tuple(kind for kind, _ in where.sources),
           tuple(kind for kind, _ in where.destinations),
           tuple(kind for kind, _ in where.transactions),
           tuple(lot_data.items()) if with_lot_data and lot_data else None)
    event["eventID"] = keyed_event_hash(event, key)
    return event


def transformation_event(*, moment: dt.datetime, transformation_id: str,
                         inputs: tuple[list[str], list[dict[str, Any]]],
                         outputs: tuple[list[str], list[dict[str, Any]]],
                         where: Where = Where(), lot_data: dict[str, str],
                         timezone: str = "UTC") -> dict[str, Any]:
    event: dict[str, Any] = {"type": "TransformationEvent", **_common(moment, timezone)}
    for prefix, (epcs, quantities) in (("input", inputs), ("output", outputs)):
        if epcs:
            event[f"{prefix}EPCList"] = epcs
        if quantities:
            event[f"{prefix}QuantityList"] = quantities
    event.update(transformationID=transformation_id, bizStep="commissioning",
                 disposition="active")
    _place_and_parties(event, where)
    if lot_data:
        event["ilmd"] = lot_data
    return identified(event)


def identified(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its `eventID` (the GS1 event hash) after `type`."""
    rest = {key: value for key, value in event.items() if key not in ("type", "eventID")}
    return {"type": event["type"], "eventID": event_hash(rest | {"type": event["type"]}),
            **rest}


def with_record_time(event: dict[str, Any], recorded: dt.datetime) -> dict[str, Any]:
    """The event as a repository answers it: with its `recordTime` (UTC), when the repository
    recorded it, after its time zone (a `recordTime` the event came with is not ours and is
    replaced). The event hash leaves recordTime out, so its eventID stays the same."""
    stamped = {key: value for key, value in event.items() if key != "recordTime"}
    ordered = list(stamped.items())
    at = next((i + 1 for i, (key, _) in enumerate(ordered) if key == "eventTimeZoneOffset"),
              len(ordered))
    ordered.insert(at, ("recordTime", event_time(recorded)))
    return dict(ordered)


def document(events: list[dict[str, Any]], created: dt.datetime) -> dict[str, Any]:
    return {"@context": [CONTEXT], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": event_time(created), "epcisBody": {"eventList": events}}
