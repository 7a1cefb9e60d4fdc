"""The recall drill (issue 15 item 6) on the genealogy of tests/trace_world.py, on SQLite and
PostgreSQL: for OF-26-01's whole forward trace, the exact customers, FSMA 204 rows and EPCIS
events a recall would hand over; the EPCIS document validates against GS1's schema; and the
drill changes nothing (every table's row count, and every lot's hold, as before)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flow_support import MovableClock
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from epcis_capture_kit import EPCIS
from lotline.adapters import tables as t
from lotline.domain.errors import NotFound, PermissionDenied
from lotline.domain.statuses import Role
from support import Kit
from trace_world import RECALL_DELIVERIES, RECALL_LOTS, World, as_json, build_world

FSMA_ROWS = [  # event, TLC, document, quantity, ship-to
    ("shipping", "BL-1", "SO-CAROL", 5, "Carol Cafe"),
    ("transformation_input", "BL-1", "TR-REPACK", 70, None),
    ("transformation_output", "BL-1", "TR-BLEND", 100, None),
    ("shipping", "BT-1", "SO-ALICE", 20, "Alice Deli"),
    ("shipping", "BT-1", "SO-BOB", 30, "Bob Market"),
    ("transformation_output", "BT-1", "TR-REPACK", 60, None),
    ("shipping", "GB-1", "SO-ALICE", 2, "Alice Deli"),
    ("transformation_output", "GB-1", "TR-REPACK", 5, None),
    ("receiving", "OF-26-01", "ASN-OF-1", 100, "Main warehouse"),
    ("transformation_input", "OF-26-01", "TR-BLEND", 60, None),
]


@pytest.fixture
def world(database: Any) -> World:
    return build_world(database.services(clock=MovableClock()))


def table_counts(engine: Engine) -> dict[str, int]:
    """Every table's row count, every organization's rows."""
    with engine.connect() as conn:
        return {table.name: int(conn.execute(select(func.count()).select_from(table))
                                .scalar_one()) for table in t.metadata.sorted_tables}


def holds(world: World) -> dict[str, Any]:
    return {name: world.svc.batches.get(lot.id).hold for name, lot in world.lots.items()}


def test_the_drill_hands_over_what_a_recall_would_and_changes_nothing(world: World) -> None:
    svc = world.svc
    before, held_before = table_counts(svc.engine), holds(world)
    result = svc.recalls.drill(world.lot_id("OF-26-01"))
    assert table_counts(svc.engine) == before
    assert holds(world) == held_before
    assert all(hold is None for hold in held_before.values())
    shown = as_json(result.summary())
    assert [(lot["batch_number"], lot["depth"]) for lot in shown["lots"]] == RECALL_LOTS
    assert [(e["customer"]["name"], o["order_reference"], d["batch_number"], d["quantity"],
             d["serial_numbers"]) for e in shown["customers"] for o in e["orders"]
            for d in o["deliveries"]] == RECALL_DELIVERIES
    assert shown["customers"][0]["customer"]["address"]["city"] == "Lisbon"
    assert (shown["lot"]["batch_number"], shown["shipped_quantity"], shown["unattributed"]) \
        == ("OF-26-01", 57, [])
    assert [(r["event_type"], r["traceability_lot_code"], r["reference_document_number"],
             r["quantity"], r["ship_to_name"]) for r in result.fsma204.rows] == FSMA_ROWS
    assert shown["fsma_rows"] == len(FSMA_ROWS) and shown["elapsed_ms"] > 0


def test_the_epcis_document_holds_the_traced_lots_events(world: World) -> None:
    svc = world.svc
    result = svc.recalls.drill(world.lot_id("OF-26-01"))
    events = result.epcis["epcisBody"]["eventList"]
    whole = {e["eventID"] for e in svc.epcis.events()["epcisBody"]["eventList"]}
    assert {e["eventID"] for e in events} <= whole
    steps = sorted((e["type"], e.get("bizStep", "")) for e in events)
    # One event a shipment: SO-ALICE's two serial units of GB-1 (and its BT-1) are one;
    # TR-BLEND comes whole, the other oil it blended included.
    assert steps == [("ObjectEvent", "receiving")] + [("ObjectEvent", "shipping")] * 3 + \
        [("TransformationEvent", "commissioning")] * 3
    assert result.epcis_event_count == len(events) == 7


@pytest.mark.skipif(not (EPCIS / "EPCIS-JSON-Schema.json").exists(),
                    reason=f"GS1's EPCIS schema is not in {EPCIS} (LOTLINE_TEST_SHARED)")
def test_the_drill_epcis_document_validates(world: World) -> None:
    schema = json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    document = as_json(world.svc.recalls.drill(world.lot_id("OF-26-01")).epcis)
    error = best_match(validator.iter_errors(document))
    assert error is None, f"{error.message} at /{'/'.join(map(str, error.absolute_path))}"


def test_an_unknown_lot_or_a_viewer_is_refused_and_nothing_changes(world: World) -> None:
    svc = world.svc
    before = table_counts(svc.engine)
    with pytest.raises(NotFound) as missing:
        svc.recalls.drill("00000000-0000-7000-8000-000000000000")
    assert missing.value.field == "batch_id"
    with pytest.raises(PermissionDenied):
        Kit(svc).as_role(Role.VIEWER).recalls.drill(world.lot_id("OF-26-01"))
    assert table_counts(svc.engine) == before
