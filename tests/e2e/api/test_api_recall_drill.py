"""POST /api/v1/recalls/drill on SQLite and PostgreSQL, on tests/trace_world.py's genealogy:
the JSON summary (exact customers, counts, elapsed time), the zip of the three files, the
manager role, a 404 for an unknown lot and a 422 naming an unknown field; none writes a row."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from api_kit import Api, assert_problem
from sqlalchemy import func, select

from lotline.adapters import tables as t
from trace_world import RECALL_DELIVERIES, RECALL_LOTS, World, build_world


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api.services())


def counts(api: Api) -> dict[str, int]:
    with api.app.state.engine.connect() as conn:
        return {table.name: int(conn.execute(select(func.count()).select_from(table))
                                .scalar_one()) for table in t.metadata.sorted_tables}


def test_the_drill_answers_the_summary_and_writes_nothing(api: Api, world: World) -> None:
    before = counts(api)
    answer = api.post("/recalls/drill", role="manager",
                      json={"batch_id": world.lot_id("OF-26-01")})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert counts(api) == before
    assert body["lot"] == {"batch_id": world.lot_id("OF-26-01"), "batch_number": "OF-26-01"}
    assert [(lot["batch_number"], lot["depth"]) for lot in body["lots"]] == RECALL_LOTS
    assert [(e["customer"]["name"], o["order_reference"], d["batch_number"], d["quantity"],
             d["serial_numbers"]) for e in body["customers"] for o in e["orders"]
            for d in o["deliveries"]] == RECALL_DELIVERIES
    assert (body["fsma_rows"], body["epcis_event_count"], body["shipped_quantity"]) == \
        (10, 7, 57)
    assert body["elapsed_ms"] > 0


def test_the_zip_holds_the_three_files(api: Api, world: World) -> None:
    before = counts(api)
    answer = api.post("/recalls/drill?format=zip", role="manager",
                      json={"batch_id": world.lot_id("OF-26-01")})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert float(answer.headers["x-elapsed-ms"]) > 0
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.namelist() == ["fsma204.xlsx", "customers.csv", "epcis.json"]
    customers = list(csv.DictReader(io.StringIO(archive.read("customers.csv").decode())))
    assert [r["customer_name"] for r in customers] == ["Alice Deli", "Alice Deli",
                                                       "Bob Market", "Carol Cafe"]
    events = json.loads(archive.read("epcis.json"))["epcisBody"]["eventList"]
    assert len(events) == 7
    assert counts(api) == before


def test_refusals_write_nothing(api: Api, world: World) -> None:
    before = counts(api)
    lot = world.lot_id("OF-26-01")
    assert api.post("/recalls/drill", role="viewer", json={"batch_id": lot}).status_code \
        == 403
    missing = assert_problem(api.post("/recalls/drill", role="manager", json={
        "batch_id": "00000000-0000-7000-8000-000000000000"}), 404, "not_found")
    assert "batch_id" in missing["detail"]
    assert_problem(api.post("/recalls/drill", role="manager",
                            json={"batch_id": lot, "hold": True}), 422, "validation_error")
    assert_problem(api.post("/recalls/drill?format=pdf", role="manager",
                            json={"batch_id": lot}), 422, "validation_error")
    assert counts(api) == before
