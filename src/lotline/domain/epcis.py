"""EPCIS 2.0 JSON-LD: identifiers (GS1 Digital Link when the product has a GTIN, else a URN
under the organization's own domain) and the event shapes lotline emits (DESIGN §8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def _part(text: str) -> str:
    """Percent-encode everything outside RFC 3986 unreserved characters (upper-case hex)."""
    return quote(text, safe="")


def _host(domain: str) -> str:
    return urlsplit(domain).hostname or "lotline.invalid"


def unit_id(domain: str, gtin: str | None, sku: str, serial: str) -> str:
    """A unit: the SGTIN Digital Link `{domain}/01/{gtin}/21/{serial}`."""
    if gtin:
        return f"{domain.rstrip('/')}/01/{gtin}/21/{_part(serial)}"
    return f"urn:lotline:{_host(domain)}:sku:{_part(sku)}:serial:{_part(serial)}"


def lot_class(domain: str, gtin: str | None, sku: str, lot: str | None) -> str:
    """A lot's quantity class: the LGTIN `{domain}/01/{gtin}/10/{lot}`."""
    if gtin:
        base = f"{domain.rstrip('/')}/01/{gtin}"
        return f"{base}/10/{_part(lot)}" if lot else base
    suffix = f":lot:{_part(lot)}" if lot else ""
    return f"urn:lotline:{_host(domain)}:sku:{_part(sku)}{suffix}"


def location_id(domain: str, warehouse_code: str, location_code: str) -> str:
    return (f"urn:lotline:{_host(domain)}:location:{_part(warehouse_code)}:"
            f"{_part(location_code)}")


def transformation_uri(domain: str, transformation_id: str) -> str:
    return f"urn:lotline:{_host(domain)}:transformation:{_part(transformation_id)}"


def event_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def quantity_element(epc_class: str, quantity: Decimal, uom: str) -> dict[str, Any]:
    return {"epcClass": epc_class, "quantity": quantity, "uom": uom}


def ilmd(lot: str | None, expiry: dt.date | None) -> dict[str, str]:
    data: dict[str, str] = {}
    if lot:
        data["cbvmda:lotNumber"] = lot
    if expiry:
        data["cbvmda:itemExpirationDate"] = expiry.isoformat()
    return data


def object_event(*, moment: dt.datetime, action: str, biz_step: str, disposition: str,
                 epcs: list[str], quantities: list[dict[str, Any]], read_point: str | None,
                 lot_data: dict[str, str] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "ObjectEvent", "eventTime": event_time(moment),
                             "eventTimeZoneOffset": "+00:00", "action": action,
                             "bizStep": biz_step, "disposition": disposition}
    if epcs:
        event["epcList"] = epcs
    if quantities:
        event["quantityList"] = quantities
    if read_point:
        event["readPoint"] = {"id": read_point}
        event["bizLocation"] = {"id": read_point}
    if lot_data and action == "ADD":  # EPCIS allows ilmd on ADD events only
        event["ilmd"] = lot_data
    return event


def transformation_event(*, moment: dt.datetime, transformation_id: str,
                         inputs: tuple[list[str], list[dict[str, Any]]],
                         outputs: tuple[list[str], list[dict[str, Any]]],
                         read_point: str | None, lot_data: dict[str, str]) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "TransformationEvent", "eventTime": event_time(moment),
                             "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
                             "disposition": "active", "transformationID": transformation_id}
    for prefix, (epcs, quantities) in (("input", inputs), ("output", outputs)):
        if epcs:
            event[f"{prefix}EPCList"] = epcs
        if quantities:
            event[f"{prefix}QuantityList"] = quantities
    if read_point:
        event["readPoint"] = {"id": read_point}
    if lot_data:
        event["ilmd"] = lot_data
    return event


def document(events: list[dict[str, Any]], created: dt.datetime) -> dict[str, Any]:
    return {"@context": [CONTEXT], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": event_time(created), "epcisBody": {"eventList": events}}
