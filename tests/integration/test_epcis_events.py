"""Exported EPCIS events as DESIGN §9 lists them, on SQLite and PostgreSQL: every kind
(receiving, shipping, return, scrapping, transformation, hold, release, recall) with its SGLN
places, parties, business transactions and the organization's offset; every document valid
against GS1's schema; and each `eventID` equal to the hash `epcis-event-hash-generator`
computes for the same event."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from supply_world import Supply, build_supply
from trace_world import as_json

EPCIS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis"
SO_1 = "urn:lotline:{org}:order:SO-1"
MAIN = "https://id.gs1.org/414/4012345000009"
BOLT = [{"type": "owning_party", "destination": "https://id.gs1.org/417/9521000000018"},
        {"type": "location", "destination": "https://id.gs1.org/414/9521000000018"}]
LETTUCE = "https://id.gs1.org/01/09506000134352/10/GF-007"


@pytest.fixture(scope="module")
def supply(database: Any) -> Supply:
    return build_supply(database.services)


@pytest.fixture(scope="module")
def document(supply: Supply) -> dict[str, Any]:
    return as_json(supply.svc.epcis.events())  # type: ignore[no-any-return]


def org(event_ids: list[str]) -> str:
    return event_ids[0].split(":")[2]


def by_kind(document: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    kinds: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for event in document["epcisBody"]["eventList"]:
        kinds.setdefault((event["bizStep"], event["disposition"]), []).append(event)
    return kinds


def test_every_kind_of_event_is_exported_in_order(document: dict[str, Any]) -> None:
    events = document["epcisBody"]["eventList"]
    assert [(e["type"], e.get("action"), e["bizStep"],
             e["disposition"], e["eventTime"]) for e in events] == [
        ("ObjectEvent", "ADD", "receiving", "in_progress", "2026-04-10T10:00:00.000+01:00"),
        ("ObjectEvent", "ADD", "receiving", "in_progress", "2026-04-10T10:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "shipping", "in_transit", "2026-04-10T11:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "receiving", "returned", "2026-04-10T12:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "receiving", "returned", "2026-04-10T12:00:00.000+01:00"),
        ("ObjectEvent", "DELETE", "destroying", "destroyed", "2026-04-10T13:00:00.000+01:00"),
        ("TransformationEvent", None, "commissioning", "active",
         "2026-04-10T14:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "holding", "non_sellable_other",
         "2026-04-10T15:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "holding", "in_progress", "2026-04-10T16:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "inspecting", "recalled", "2026-04-10T17:00:00.000+01:00"),
        ("ObjectEvent", "OBSERVE", "shipping", "in_transit", "2026-04-10T18:00:00.000+01:00")]
    assert {e["eventTimeZoneOffset"] for e in events} == {"+01:00"}
    assert len({e["eventID"] for e in events}) == 11


def test_receiving_names_the_supplier_the_asn_and_our_sgln(document: dict[str, Any]) -> None:
    received = by_kind(document)[("receiving", "in_progress")][0]
    ident = org([received["bizTransactionList"][0]["bizTransaction"]])
    assert {key: value for key, value in received.items()
            if key not in ("type", "eventID", "eventTime", "action")} == {
        "eventTimeZoneOffset": "+01:00",
        "quantityList": [{"epcClass": LETTUCE, "quantity": 100, "uom": "EA"}],
        "bizStep": "receiving", "disposition": "in_progress",
        "readPoint": {"id": f"{MAIN}/254/RECEIVING"},
        "bizLocation": {"id": f"{MAIN}/254/RECEIVING"},
        "bizTransactionList": [{"type": "desadv",
                                "bizTransaction": f"urn:lotline:{ident}:receipt:ASN-1"}],
        "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/0614141000005"},
                       {"type": "location", "source": "https://id.gs1.org/414/0614141000005"}],
        "destinationList": [{"type": "location", "destination": MAIN}],
        "ilmd": {"cbvmda:lotNumber": "GF-007", "cbvmda:itemExpirationDate": "2026-04-30"}}
    assert ident.startswith("test-")


def test_shipping_and_returns_name_customer_and_order(document: dict[str, Any]) -> None:
    kinds = by_kind(document)
    shipped, returned = kinds[("shipping", "in_transit")], kinds[("receiving", "returned")]
    ident = org([shipped[0]["bizTransactionList"][0]["bizTransaction"]])
    order = [{"type": "urn:lotline:btt:so", "bizTransaction": SO_1.format(org=ident)}]
    assert shipped[0]["readPoint"] == {"id": f"{MAIN}/254/STOCK"}
    assert "bizLocation" not in shipped[0]
    assert (shipped[0]["sourceList"], shipped[0]["destinationList"],
            shipped[0]["bizTransactionList"]) == (
        [{"type": "location", "source": MAIN}], BOLT, order)
    # One event for the shipment (CBV: one physical shipping action), a lot and two units.
    assert (shipped[0]["epcList"], shipped[0]["quantityList"]) == (
        [f"urn:lotline:{ident}:sku:PEN:serial:P-001",
         f"urn:lotline:{ident}:sku:PEN:serial:P-002"],
        [{"epcClass": LETTUCE, "quantity": 30, "uom": "EA"}])
    assert shipped[1]["destinationList"] == [
        {"type": "owning_party", "destination": f"urn:lotline:{ident}:customer:CASH"}]
    assert returned[0]["quantityList"] == [{"epcClass": LETTUCE, "quantity": 5, "uom": "EA"}]
    assert returned[1]["epcList"] == [f"urn:lotline:{ident}:sku:PEN:serial:P-001"]
    for event in returned:
        assert (event["readPoint"], event["bizLocation"], event["bizTransactionList"]) == (
            {"id": f"{MAIN}/254/RETURNS"}, {"id": f"{MAIN}/254/RETURNS"}, order)
        assert event["sourceList"] == [{"type": "owning_party", "source": b["destination"]}
                                       if b["type"] == "owning_party" else
                                       {"type": "location", "source": b["destination"]}
                                       for b in BOLT]
        assert event["destinationList"] == [{"type": "location", "destination": MAIN}]


def test_scrapping_holds_recalls_and_transformations(document: dict[str, Any],
                                                     supply: Supply) -> None:
    kinds = by_kind(document)
    scrapped = kinds[("destroying", "destroyed")][0]
    ident = org(scrapped["epcList"])
    assert (scrapped["epcList"], scrapped["readPoint"]) == (
        [f"urn:lotline:{ident}:sku:PEN:serial:P-003"], {"id": f"{MAIN}/254/STOCK"})
    held, released = kinds[("holding", "non_sellable_other")][0], \
        kinds[("holding", "in_progress")][0]
    for event in (held, released):
        assert (event["quantityList"], event["bizLocation"]) == (
            [{"epcClass": LETTUCE, "quantity": 55, "uom": "EA"}], {"id": f"{MAIN}/254/STOCK"})
    recall = kinds[("inspecting", "recalled")][0]
    salad = f"urn:lotline:{ident}:sku:SALAD:lot:SAL-1"
    assert recall["quantityList"] == [{"epcClass": LETTUCE}, {"epcClass": salad}]
    assert recall["bizTransactionList"] == [{"type": "urn:lotline:btt:recall",
                                             "bizTransaction": f"urn:lotline:{ident}:recall:RC-1"}]
    made = kinds[("commissioning", "active")][0]
    assert (made["inputQuantityList"], made["outputQuantityList"], made["transformationID"],
            made["ilmd"]) == (
        [{"epcClass": LETTUCE, "quantity": 20, "uom": "EA"}],
        [{"epcClass": salad, "quantity": 10, "uom": "EA"}],
        f"urn:lotline:{ident}:transformation:{supply.ids['transformation']}",
        {"cbvmda:lotNumber": "SAL-1", "cbvmda:itemExpirationDate": "2026-04-14"})


def test_a_lot_and_a_day_narrow_the_document(supply: Supply) -> None:
    svc = supply.svc
    salad = as_json(svc.epcis.events(batch_id=supply.lots["SAL-1"].id))["epcisBody"]
    assert [(e["bizStep"], e["disposition"]) for e in salad["eventList"]] == [
        ("commissioning", "active"), ("inspecting", "recalled"), ("shipping", "in_transit")]
    assert as_json(svc.epcis.events(since="2026-04-11"))["epcisBody"]["eventList"] == []


def _generator_hashes(document: dict[str, Any]) -> list[str]:
    from epcis_event_hash_generator import hash_generator as generator
    from epcis_event_hash_generator import json_to_py

    logging.disable(logging.WARNING)  # it logs every bare word it replaces
    try:
        events = json_to_py.event_list_from_epcis_document_json(
            json.loads(json.dumps(document)))
        return list(generator.epcis_hashes_from_events(events))
    finally:
        logging.disable(logging.NOTSET)


def test_every_event_id_is_the_reference_event_hash(document: dict[str, Any],
                                                    supply: Supply) -> None:
    events = document["epcisBody"]["eventList"]
    assert _generator_hashes(document) == [event["eventID"] for event in events]
    # The hash holds in any time zone and on any Digital Link domain (it is canonical).
    supply.svc.settings.update(timezone="America/Los_Angeles",
                               digital_link_domain="https://example.com")
    try:
        shifted = as_json(supply.svc.epcis.events())
    finally:
        supply.svc.settings.update(timezone="Europe/Lisbon",
                                   digital_link_domain="https://id.gs1.org")
    moved = shifted["epcisBody"]["eventList"]
    assert moved[0]["eventTime"] == "2026-04-10T02:00:00.000-07:00"
    assert moved[0]["quantityList"][0]["epcClass"].startswith("https://example.com/01/")
    assert _generator_hashes(shifted) == [event["eventID"] for event in moved]


@pytest.mark.skipif(not (EPCIS / "EPCIS-JSON-Schema.json").exists(),
                    reason=f"the GS1 EPCIS conformance material is not in {EPCIS} (it lives "
                           "beside the repository, in shared/standards)")
def test_every_document_validates_against_the_official_schema(
        document: dict[str, Any], supply: Supply) -> None:
    schema = json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    documents = [document] + [as_json(supply.svc.epcis.events(batch_id=lot.id))
                              for lot in supply.lots.values()]
    for checked in documents:
        error = best_match(validator.iter_errors(checked))
        assert error is None, f"{error.message} at /{'/'.join(map(str, error.absolute_path))}"
