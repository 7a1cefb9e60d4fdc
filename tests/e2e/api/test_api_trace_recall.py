"""Traceability over HTTP on SQLite and PostgreSQL, on the genealogy of tests/trace_world.py
(supplier lots → blend → repack → customers): transformations, traces (by id, number, serial
and scan), recalls (hold, notes, recoveries, exports, closing), reports in three formats,
EPCIS events validated against GS1's schema, and ledger verification that catches tampering.
Requests that must write nothing are checked to write nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from api_kit import Api, assert_problem, fixed_clock, make_tenant
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from lotline.adapters import tables as t
from lotline.domain.reports import FSMA204_COLUMNS
from lotline.entrypoints.api.app import create_app
from trace_world import (
    BACKWARD_FROM_BOTTLES,
    FORWARD_FROM_OLIVE_FARM,
    RECALL_DELIVERIES,
    RECALL_LOTS,
    RECALL_ON_HAND,
    World,
    add_hamper,
    backward_summary,
    build_world,
    forward_summary,
    recall_summary,
)

EPCIS = Path(__file__).resolve().parents[4] / "shared" / "standards" / "epcis"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api.services())


def count(api: Api, table: t.Table) -> int:
    with api.app.state.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table.name} WHERE org_id = :o"),
                                {"o": api.tenant.org_id}).scalar_one())


# --- traces ------------------------------------------------------------------------------------


def test_traces_by_id_number_serial_and_scan(api: Api, world: World) -> None:
    forward = api.get(f"/trace/batches/{world.lot_id('OF-26-01')}", role="viewer")
    assert forward.status_code == 200, forward.text
    assert forward_summary(forward.json()) == FORWARD_FROM_OLIVE_FARM
    assert forward.json()["lot"]["quantity"] == 100  # an exact JSON number
    backward = api.get("/trace/batches/bt-1", params={"direction": "backward"})
    assert backward_summary(backward.json()) == BACKWARD_FROM_BOTTLES
    unit = api.get("/trace/serials/GB-002", role="viewer").json()
    assert (unit["serial_number"], unit["status"], unit["order_id"]) == (
        "GB-002", "SHIPPED", world.orders["SO-ALICE"].id)
    assert backward_summary(unit["lot"]) == ("GB-1", None, [], ["TR-REPACK"],
                                             BACKWARD_FROM_BOTTLES[4])
    scanned = api.get("/trace/scan", params={"data": "(01)09506000134352(10)BT-1",
                                             "direction": "forward"}).json()
    assert (scanned["scan"]["gtin"], scanned["scan"]["lot"]) == ("09506000134352", "BT-1")
    assert forward_summary(scanned["forward"]) == FORWARD_FROM_OLIVE_FARM[5][0][5][0]
    assert scanned["serial"] is None and scanned["backward"] is None
    by_serial = api.get("/trace/scan", params={"data": "GB-002"}).json()
    assert by_serial["serial"]["serial_number"] == "GB-002"


def test_unknown_serials_and_lots_are_404s_naming_the_number(api: Api, world: World) -> None:
    body = assert_problem(api.get("/trace/serials/GB-999"), 404, "not_found")
    assert body["detail"] == "serial not found: serial_number=GB-999"
    assert body["value"] == "GB-999"
    body = assert_problem(api.get("/trace/batches/LOT-NOPE"), 404, "not_found")
    assert body["detail"] == "batch not found: batch_id=LOT-NOPE"
    body = assert_problem(api.get("/trace/scan", params={
        "data": "(01)09506000134352(10)LOT-NOPE"}), 404, "not_found")
    assert body["detail"] == "batch not found: batch_number=LOT-NOPE"
    assert_problem(api.get("/trace/batches/BT-1", params={"direction": "up"}), 422,
                   "validation_error")


def test_another_organization_sees_none_of_it(api: Api, other: Api, world: World) -> None:
    assert_problem(other.get(f"/trace/batches/{world.lot_id('BT-1')}"), 404, "not_found")
    assert_problem(other.get("/trace/serials/GB-002"), 404, "not_found")


# --- transformations ---------------------------------------------------------------------------


def test_a_transformation_over_http_and_the_ones_that_write_nothing(api: Api,
                                                                    world: World) -> None:
    blend = world.products["blend"].id
    made = api.post("/transformations", json={
        "kind": "production", "reference": "TR-API",
        "inputs": [{"batch_id": world.lot_id("HG-77"), "quantity": "2.5"}],
        "outputs": [{"product_id": blend, "batch_number": "BL-API", "quantity": 2.5,
                     "expiry_date": "2027-01-31"}]}, role="manager")
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["reference"], body["kind"]) == ("TR-API", "production")
    assert [(i["batch_id"], i["quantity"], i["cost"]) for i in body["inputs"]] == [
        (world.lot_id("HG-77"), 2.5, 7.5)]
    assert [(o["product_id"], o["quantity"], o["serial_ids"]) for o in body["outputs"]] == [
        (blend, 2.5, [])]
    tree = api.get("/trace/batches/BL-API", params={"direction": "backward"}).json()
    assert backward_summary(tree) == ("BL-API", None, [], ["TR-API"], [
        ("HG-77", "Hill Grove", [("ASN-HG-1", 50)], [], [])])
    assert api.get(f"/transformations/{body['id']}", role="viewer").json() == body
    listed = api.get("/transformations", params={"limit": 2}).json()
    assert [t["reference"] for t in listed["items"]] == ["TR-API", "TR-REPACK"]
    assert listed["next_cursor"] == listed["items"][1]["id"]
    rest = api.get("/transformations", params={"cursor": listed["next_cursor"]}).json()
    assert ([t["reference"] for t in rest["items"]], rest["next_cursor"]) == (["TR-BLEND"], None)
    repack = api.get(f"/transformations/{world.transformations['TR-REPACK']}").json()
    assert [(i["batch_id"], i["quantity"], i["cost"]) for i in repack["inputs"]] == [
        (world.lot_id("BL-1"), 70, 168)]
    assert [(o["batch_id"], o["quantity"], len(o["serial_ids"])) for o in repack["outputs"]] \
        == [(world.lot_id("BT-1"), 60, 0), (world.lot_id("GB-1"), 5, 5)]
    assert_problem(api.get("/transformations/nope"), 404, "not_found")

    before = (count(api, t.transformations), count(api, t.movements), count(api, t.batches))
    over = api.post("/transformations", json={
        "inputs": [{"batch_id": world.lot_id("HG-77"), "quantity": 3}],
        "outputs": [{"product_id": blend, "batch_number": "BL-OVER", "quantity": 3}]})
    assert "lot 'HG-77' has 2.5 free" in assert_problem(over, 409, "insufficient_stock")[
        "detail"]
    consumed = api.post("/transformations", json={
        "inputs": [{"serial_number": "GB-001"}],
        "outputs": [{"product_id": blend, "batch_number": "BL-X", "quantity": 1}]})
    assert "'GB-001' is SHIPPED" in assert_problem(consumed, 409, "conflict")["detail"]
    unknown = api.post("/transformations", json={
        "inputs": [{"batch_id": "no-such-lot", "quantity": 1}],
        "outputs": [{"product_id": blend, "batch_number": "BL-X", "quantity": 1}]})
    assert assert_problem(unknown, 404, "not_found")["field"] == "inputs.0.batch_id"
    empty = api.post("/transformations", json={"inputs": [], "outputs": []})
    assert_problem(empty, 422, "validation_error")
    viewer = api.post("/transformations", role="viewer", json={
        "inputs": [{"batch_id": world.lot_id("HG-77"), "quantity": 1}],
        "outputs": [{"product_id": blend, "batch_number": "BL-X", "quantity": 1}]})
    assert_problem(viewer, 403, "forbidden")
    assert (count(api, t.transformations), count(api, t.movements),
            count(api, t.batches)) == before


def test_installing_a_unit_into_itself_or_its_component_is_a_422(api: Api,
                                                                world: World) -> None:
    box = api.get("/serials/lookup/GB-003").json()
    part = api.get("/serials/lookup/GB-004").json()
    installed = api.post(f"/serials/{part['id']}/status",
                         json={"status": "INSTALLED", "parent_serial_id": box["id"]})
    assert installed.status_code == 200, installed.text
    before = count(api, t.movements)
    for parent in (box["id"], part["id"]):
        response = api.post(f"/serials/{box['id']}/status",
                            json={"status": "INSTALLED", "parent_serial_id": parent})
        problem = assert_problem(response, 422, "validation_error")
        assert "itself or into one of its own components" in problem["detail"]
    assert count(api, t.movements) == before
    unit = api.get("/trace/serials/GB-004").json()
    assert unit["installed_in"] == ["GB-003"]
    assert api.get("/trace/serials/GB-003").json()["components"] == ["GB-004"]


# --- recalls -----------------------------------------------------------------------------------


def test_a_recall_over_http_follows_units_inside_a_shipped_assembly(api: Api,
                                                                   world: World) -> None:
    add_hamper(world)
    recall = api.post("/recalls", role="manager", json={
        "batch_ids": [world.lot_id("GB-1")], "reason": "cracked"}).json()
    assert [(e["customer"]["name"], [(d["serial_numbers"], d["inside_assemblies"])
                                     for o in e["orders"] for d in o["deliveries"]])
            for e in recall["report"]["customers"]] == [
        ("Alice Deli", [(["GB-001", "GB-002"], [])]),
        ("Dave Diner", [(["GB-003", "GB-004"], ["HM-001"])])]
    assert [(i["serial_number"], i["assembly_serial_number"], i["assembly_status"])
            for i in recall["report"]["installed"]] == [("GB-003", "HM-001", "SHIPPED"),
                                                        ("GB-004", "HM-001", "SHIPPED")]
    exported = api.get(f"/recalls/{recall['id']}/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["section"], r["serial_numbers"], r["inside_assemblies"], r["status"])
            for r in rows if r["inside_assemblies"]] == [
        ("shipped", "GB-003 GB-004", "HM-001", ""),
        ("installed_in_assembly", "GB-003", "HM-001", "SHIPPED"),
        ("installed_in_assembly", "GB-004", "HM-001", "SHIPPED")]


def test_a_recall_over_http_from_hold_to_close(api: Api, world: World) -> None:
    created = api.post("/recalls", role="manager", json={
        "batch_ids": [world.lot_id("OF-26-01")], "reason": "Pesticide residue",
        "hold": True})
    assert created.status_code == 201, created.text
    recall = created.json()
    assert recall_summary(recall) == {
        "lots": RECALL_LOTS, "deliveries": RECALL_DELIVERIES,
        "customer_totals": [("Alice Deli", 22), ("Bob Market", 30), ("Carol Cafe", 5)],
        "on_hand": RECALL_ON_HAND, "shipped": 57}
    assert (recall["reference"], recall["status"], recall["held"], recall["effectiveness"]) \
        == ("RC-000001", "open", True, 0)
    assert len(recall["report"]["held_lots"]) == 4
    for number, _depth in RECALL_LOTS:
        lot = api.get(f"/batches/{world.lot_id(number)}").json()
        assert lot["hold"]["kind"] == "recall" and lot["available_quantity"] == 0
    assert api.get(f"/batches/{world.lot_id('HG-77')}").json()["hold"] is None
    assert api.get(f"/recalls/{recall['id']}", role="viewer").json() == recall

    svc = api.services()
    svc.orders.returns(world.orders["SO-BOB"].id,
                       [{"batch_id": world.lot_id("BT-1"), "quantity": 10}], reason="recall")
    svc.orders.returns(world.orders["SO-ALICE"].id, [{"serial_number": "GB-001"}],
                       reason="recall")
    now = api.get(f"/recalls/{recall['id']}").json()
    assert (now["recovered_quantity"], now["effectiveness"]) == (11, 0.193)

    noted = api.post(f"/recalls/{recall['id']}/notes", json={"text": "Bob called back"})
    assert noted.status_code == 201
    assert [n["text"] for n in noted.json()["notes"]] == ["Bob called back"]
    assert_problem(api.post(f"/recalls/{recall['id']}/notes", role="viewer",
                            json={"text": "x"}), 403, "forbidden")

    exported = api.get(f"/recalls/{recall['id']}/export", params={"format": "csv"})
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="RC-000001.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["section"], r["customer_name"], r["order_reference"], r["batch_number"],
             r["quantity"], r["serial_numbers"]) for r in rows if r["section"] == "shipped"] \
        == [("shipped", c, o, b, str(q), " ".join(s)) for c, o, b, q, s in RECALL_DELIVERIES]
    assert [(r["batch_number"], r["location_code"], r["quantity"]) for r in rows
            if r["section"] == "on_hand"] == [(b, loc, str(q)) for b, loc, q in RECALL_ON_HAND]
    book = api.get(f"/recalls/{recall['id']}/export", params={"format": "xlsx"})
    assert book.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets[0]
    assert sheet.max_row == len(rows) + 1
    as_json = api.get(f"/recalls/{recall['id']}/export", params={"format": "json"})
    assert json.loads(as_json.content)["id"] == recall["id"]

    listed = api.get("/recalls", params={"status": "open"}).json()
    assert [(r["reference"], r["recovered_quantity"]) for r in listed["items"]] == [
        ("RC-000001", 11)]
    assert "report" not in listed["items"][0] and listed["next_cursor"] is None
    closed = api.post(f"/recalls/{recall['id']}/close", json={"note": "done"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert [n["text"] for n in closed.json()["notes"]] == ["Bob called back", "done"]
    again = api.post(f"/recalls/{recall['id']}/close")
    assert "already closed" in assert_problem(again, 409, "conflict")["detail"]
    assert api.get("/recalls", params={"status": "open"}).json()["items"] == []


def test_bad_recalls_are_clear_problems_and_write_nothing(api: Api, world: World) -> None:
    olive_farm = world.suppliers["Olive Farm"].id
    empty = api.post("/recalls", json={"batch_ids": [], "reason": "x", "hold": True})
    problem = assert_problem(empty, 422, "validation_error")
    assert problem["errors"][0] == {"field": "batch_ids", "message": "must be a non-empty "
                                    "list of lot ids", "value": []}
    reversed_range = api.post("/recalls", json={
        "supplier_id": olive_farm, "received_from": "2026-05-01",
        "received_to": "2026-01-01", "reason": "x"})
    problem = assert_problem(reversed_range, 422, "validation_error")
    assert problem["detail"] == "received_to: 2026-01-01 is before received_from 2026-05-01"
    unknown = api.post("/recalls", json={"batch_ids": [world.lot_id("BT-1"), "nope"],
                                         "reason": "x", "hold": True})
    assert assert_problem(unknown, 404, "not_found")["detail"] == \
        "batch not found: batch_ids=nope"
    viewer = api.post("/recalls", role="viewer",
                      json={"batch_ids": [world.lot_id("BT-1")], "reason": "x"})
    assert_problem(viewer, 403, "forbidden")
    assert_problem(api.get("/recalls/no-such-recall"), 404, "not_found")
    assert count(api, t.recalls) == 0
    assert api.get(f"/batches/{world.lot_id('BT-1')}").json()["hold"] is None
    by_supplier = api.post("/recalls", json={"supplier_id": olive_farm, "reason": "audit",
                                             "received_from": "2026-03-01",
                                             "received_to": "2026-03-01"})
    assert by_supplier.status_code == 201, by_supplier.text
    assert recall_summary(by_supplier.json())["lots"] == RECALL_LOTS


# --- reports, EPCIS ----------------------------------------------------------------------------


def test_reports_in_json_csv_and_xlsx(api: Api, world: World) -> None:
    valuation = api.get("/reports/valuation", role="viewer")
    assert valuation.status_code == 200, valuation.text
    assert [(r["product_sku"], r["on_hand"], r["value"], r["average_cost"])
            for r in valuation.json()["items"]] == [
        ("BOTTLE-500", 10, 25.84615, 2.584615), ("GIFT-BOX", 3, 7.753845, 2.584615),
        ("OIL-BLEND", 25, 60, 2.4), ("OIL-BULK", 45, 95, 2.111111)]
    assert {"product_id", "on_hand", "value", "average_cost"} <= set(
        valuation.json()["items"][0])
    fsma = api.get("/reports/fsma204", params={"batch_id": world.lot_id("BT-1"),
                                               "format": "xlsx"})
    assert fsma.headers["content-type"] == XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(fsma.content)).worksheets[0].values)
    assert rows[0] == FSMA204_COLUMNS
    assert [(r[0], r[2], r[5], r[21], r[24], r[30]) for r in rows[1:]] == [
        ("shipping", "BT-1", 20, "Alice Deli", "Lisbon", "SO-ALICE"),
        ("shipping", "BT-1", 30, "Bob Market", "Porto", "SO-BOB"),
        ("transformation_output", "BT-1", 60, None, None, "TR-REPACK")]
    expiring = api.get("/reports/expiring", params={"days": 400, "as_of": "2026-06-01",
                                                    "format": "csv"})
    assert expiring.headers["content-type"] == "text/csv; charset=utf-8"
    lines = expiring.text.splitlines()
    assert lines[0] == ("product_sku,product_name,batch_number,supplier,expiry_date,on_hand,"
                        "unit_cost,batch_id,days_left")
    assert len(lines) == 6
    history = api.get("/reports/serial-history", params={"serial_number": "GB-001"}).json()
    assert [m["kind"] for m in history["items"]] == ["produce", "allocation", "shipment"]
    assert_problem(api.get("/reports/serial-history", params={"serial_number": "NOPE"}),
                   404, "not_found")
    assert_problem(api.get("/reports/valuation", params={"format": "pdf"}), 422,
                   "validation_error")
    assert_problem(api.get("/reports/fsma204", params={"start": "2026-05-01",
                                                       "end": "2026-04-01"}),
                   422, "validation_error")


@pytest.mark.skipif(not (EPCIS / "EPCIS-JSON-Schema.json").exists(),
                    reason="the GS1 EPCIS schema is not in shared/standards/epcis")
def test_epcis_events_validate_against_the_gs1_schema(api: Api, world: World) -> None:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import best_match

    schema = json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    assert {"uri", "date-time"} <= set(Draft7Validator.FORMAT_CHECKER.checkers)
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    for params in ({}, {"batch_id": world.lot_id("GB-1")},
                   {"since": "2026-03-01", "until": "2026-03-01"}):
        response = api.get("/epcis/document", params=params, role="viewer")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/ld+json"
        document = response.json()
        assert best_match(validator.iter_errors(document)) is None
        assert document["epcisBody"]["eventList"]
    assert_problem(api.get("/epcis/document", params={"since": "yesterday"}), 422,
                   "validation_error")


# --- the ledger --------------------------------------------------------------------------------


def test_ledger_verify_is_for_admins(api: Api, world: World) -> None:
    report = api.post("/ledger/verify")
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["ok"], body["problems"]) == (True, [])
    assert body["movements"] > 0 and body["serials"] == 5
    for role in ("manager", "viewer"):
        assert_problem(api.post("/ledger/verify", role=role), 403, "forbidden")


@pytest.fixture
def tamper_api(fresh_database: Any) -> Iterator[Api]:
    """An app of its own on a database of its own, whose append-only trigger is dropped."""
    app = create_app(engine=fresh_database.engine, clock=fixed_clock())
    with TestClient(app) as client:
        yield Api(client, make_tenant(app, client, roles=("admin",)), app)


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_ledger_verify_catches_an_update_behind_the_apps_back(tamper_api: Api) -> None:
    world = build_world(tamper_api.services())
    engine = tamper_api.app.state.engine
    m = t.movements.c
    with engine.begin() as conn:
        target = conn.execute(t.movements.select().where(
            m.org_id == tamper_api.tenant.org_id, m.batch_id == world.lot_id("BT-1"),
            m.kind == "shipment").order_by(m.seq).limit(1)).one()
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER movements_no_update"))
            conn.execute(text("DROP TRIGGER movements_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER movements_append_only ON movements"))
        conn.execute(update(t.movements).where(m.id == target.id).values(
            quantity=Decimal(2)))
    body = tamper_api.post("/ledger/verify").json()
    assert body["ok"] is False
    tampered = [p for p in body["problems"] if p["kind"] == "tampered"]
    assert [(p["stream_id"], p["movement_id"]) for p in tampered] == [
        (world.lot_id("BT-1"), target.id)]
    # Nothing was repaired: the row is still as the tamperer left it.
    with engine.connect() as conn:
        assert conn.execute(t.movements.select().with_only_columns(m.quantity).where(
            m.id == target.id)).scalar_one() == Decimal(2)
