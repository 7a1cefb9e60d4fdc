"""EPCIS 2.0: every document lotline produces validates against GS1's EPCIS JSON Schema with
Draft7Validator AND a format checker (`uri`, `date-time` asserted), on SQLite and PostgreSQL;
and the same validator gives the verdicts recorded for the official and hand-made examples in
shared/standards/epcis/manifest.json (a sanity check that it rejects what it should)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flow_support import MovableClock
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from trace_world import World, as_json, build_world

EPCIS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis"
pytestmark = pytest.mark.skipif(
    not (EPCIS / "EPCIS-JSON-Schema.json").exists(),
    reason=f"the GS1 EPCIS conformance material is not in {EPCIS} (it lives beside the "
           "repository, in shared/standards)")


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    checker = Draft7Validator.FORMAT_CHECKER
    # Without jsonschema[format-nongpl] these two formats are silently not checked.
    assert {"uri", "date-time"} <= set(checker.checkers)
    schema = json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=checker)


def assert_valid(validator: Draft7Validator, document: Any) -> None:
    error = best_match(validator.iter_errors(document))
    assert error is None, f"{error.message} at /{'/'.join(map(str, error.absolute_path))}"


@pytest.fixture(scope="module")
def world(database: Any) -> World:
    return build_world(database.services(clock=MovableClock()))


def test_the_manifest_verdicts_hold_with_the_format_checker(validator: Draft7Validator) -> None:
    entries = json.loads((EPCIS / "manifest.json").read_text(encoding="utf-8"))
    assert len(entries) == 14
    rejected = 0
    for entry in entries:
        document = json.loads((EPCIS / entry["file"]).read_text(encoding="utf-8"))
        assert validator.is_valid(document) == entry["valid"], entry["file"]
        rejected += not entry["valid"]
    assert rejected == 8  # every hand-made invalid example, the format-only ones included


def test_every_document_of_the_genealogy_validates(world: World,
                                                   validator: Draft7Validator) -> None:
    svc = world.svc
    documents = [svc.epcis.events(), svc.epcis.events(since="2026-04-10", until="2026-04-10"),
                 svc.epcis.events(since="2030-01-01")]
    documents += [svc.epcis.events(batch_id=lot.id) for lot in world.lots.values()]
    for document in documents:
        assert_valid(validator, as_json(document))
    assert documents[-1]["epcisBody"]["eventList"]  # a lot's own events
    assert documents[2]["epcisBody"]["eventList"] == []


def test_the_events_say_what_happened(world: World) -> None:
    events = as_json(world.svc.epcis.events())["epcisBody"]["eventList"]
    kinds = [(e["type"], e.get("action"), e["bizStep"]) for e in events]
    assert kinds.count(("ObjectEvent", "ADD", "receiving")) == 2
    # One event a shipment: SO-ALICE's lot and two serial units are one of the four.
    assert kinds.count(("ObjectEvent", "OBSERVE", "shipping")) == 4
    transformations = [e for e in events if e["type"] == "TransformationEvent"]
    # The repack made two lots: one event per output lot, linked by the transformation ID,
    # each with its own lot master data; the inputs are on the first.
    repack = [e for e in transformations
              if e["transformationID"].endswith(world.transformations["TR-REPACK"])]
    assert [e["ilmd"]["cbvmda:lotNumber"] for e in repack] == ["BT-1", "GB-1"]
    assert repack[0]["inputQuantityList"][0]["quantity"] == 70
    assert "inputQuantityList" not in repack[1]
    assert repack[0]["outputQuantityList"] == [{
        "epcClass": "https://id.gs1.org/01/09506000134352/10/BT-1", "quantity": 60,
        "uom": "EA"}]
    # A product without GTIN is named under the organization's own URN namespace (its slug).
    organization = repack[1]["outputEPCList"][0].split(":")[2]
    assert organization.startswith("test-")
    assert repack[1]["outputEPCList"] == [
        f"urn:lotline:{organization}:sku:GIFT-BOX:serial:GB-00{i}" for i in range(1, 6)]
    blend = [e for e in transformations
             if e["transformationID"].endswith(world.transformations["TR-BLEND"])]
    assert len(blend) == 1
    assert [q["quantity"] for q in blend[0]["inputQuantityList"]] == [60, 40]
    received = [e for e in events if e.get("action") == "ADD"]
    assert received[0]["ilmd"] == {"cbvmda:lotNumber": "OF-26-01",
                                   "cbvmda:itemExpirationDate": "2027-06-30"}
    assert all(e["eventTime"].startswith("2026-04-10T09:30:00.250") for e in events)
