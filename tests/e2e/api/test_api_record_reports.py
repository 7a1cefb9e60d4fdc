"""Seed 002's reports as written, over HTTP: `serial-number-location` (each serial with
product, lot, status, warehouse, location; filters) and `lot-movement-history` (movements
across lots; filters product, lot, date range, kind, location) as paged JSON, CSV and XLSX."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from api_kit import Api, assert_problem, field_names

SNL = "/reports/serial-number-location"
LMH = "/reports/lot-movement-history"


def _world(api: Api) -> dict[str, Any]:
    pen = api.product(tracking="lot_serial")
    oil = api.product(tracking="lot")
    lot_a = api.batch(pen["id"], "PEN-A", quantity=5)
    lot_b = api.batch(pen["id"], "PEN-B", quantity=5)
    oil_1 = api.batch(oil["id"], "OIL-1", quantity=10)
    for number, lot in (("SN-1", lot_a), ("SN-2", lot_a), ("SN-3", lot_b)):
        api.serial(number, batch_id=lot["id"])
    shelf = api.location("SHELF-9")
    moved = api.post("/transfers", json={
        "from_location_id": api.location_id("STOCK"), "to_location_id": shelf["id"],
        "serial_numbers": ["SN-2"], "batch_id": lot_a["id"]})
    assert moved.status_code in (200, 201), moved.text
    serial_3 = api.get("/serials/lookup/SN-3").json()
    api.post(f"/serials/{serial_3['id']}/status", json={"status": "SCRAPPED",
                                                         "reason": "cracked"})
    return {"pen": pen, "oil": oil, "lot_a": lot_a, "lot_b": lot_b, "oil_1": oil_1,
            "shelf": shelf}


def test_serial_number_location_pages_and_filters(api: Api) -> None:
    w = _world(api)
    stock = api.standard_location("STOCK")
    first = api.get(SNL, params={"limit": 2}, role="viewer").json()
    assert (first["name"], first["columns"][:7]) == ("serial-number-location", [
        "serial_number", "product_sku", "product_name", "batch_number", "status", "warehouse",
        "location"])
    assert [(r["serial_number"], r["product_sku"], r["batch_number"], r["status"],
             r["warehouse"], r["location"], r["location_id"]) for r in first["items"]] == [
        ("SN-1", w["pen"]["sku"], "PEN-A", "IN_STOCK", "MAIN", "STOCK", stock["id"]),
        ("SN-2", w["pen"]["sku"], "PEN-A", "IN_STOCK", "MAIN", "SHELF-9", w["shelf"]["id"])]
    rest = api.get(SNL, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [(r["serial_number"], r["status"], r["warehouse"], r["location"])
            for r in rest["items"]] == [("SN-3", "SCRAPPED", None, None)]
    assert rest["next_cursor"] is None

    def numbers(**params: Any) -> list[str]:
        body = api.get(SNL, params=params).json()
        return [r["serial_number"] for r in body["items"]]

    assert numbers(batch_id=w["lot_a"]["id"]) == ["SN-1", "SN-2"]
    assert numbers(status="available") == ["SN-1", "SN-2"]
    assert numbers(location_id=w["shelf"]["id"]) == ["SN-2"]
    assert numbers(warehouse_id=stock["warehouse_id"], status="SCRAPPED") == []
    assert numbers(product_id=w["oil"]["id"]) == []
    assert field_names(api.get(SNL, params={"status": "LOST"})) == ["status"]
    assert field_names(api.get(SNL, params={"cursor": "nonsense"})) == ["cursor"]


def test_serial_number_location_files(api: Api) -> None:
    w = _world(api)
    csv = api.get(SNL, params={"format": "csv", "batch_id": w["lot_a"]["id"]})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    lines = csv.text.splitlines()
    assert lines[0] == ("serial_number,product_sku,product_name,batch_number,status,warehouse,"
                        "location,serial_id,product_id,batch_id,warehouse_id,location_id")
    assert [line.split(",")[:7] for line in lines[1:]] == [
        ["SN-1", w["pen"]["sku"], "Widget", "PEN-A", "IN_STOCK", "MAIN", "STOCK"],
        ["SN-2", w["pen"]["sku"], "Widget", "PEN-A", "IN_STOCK", "MAIN", "SHELF-9"]]
    xlsx = api.get(SNL, params={"format": "xlsx", "limit": 1})  # files hold every page
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = [row[:5] for row in sheet.iter_rows(values_only=True)]
    assert rows == [("serial_number", "product_sku", "product_name", "batch_number", "status"),
                    ("SN-1", w["pen"]["sku"], "Widget", "PEN-A", "IN_STOCK"),
                    ("SN-2", w["pen"]["sku"], "Widget", "PEN-A", "IN_STOCK"),
                    ("SN-3", w["pen"]["sku"], "Widget", "PEN-B", "SCRAPPED")]


def test_lot_movement_history_across_lots(api: Api) -> None:
    w = _world(api)
    body = api.get(LMH, role="viewer").json()
    assert [(r["kind"], r["batch_number"], r["serial_number"], r["quantity"],
             r["from_location"], r["to_location"], r["to_status"], r["reason"])
            for r in body["items"]] == [
        ("receipt", "OIL-1", None, 10, None, "MAIN/STOCK", None, None),
        ("receipt", "PEN-A", "SN-1", 1, None, "MAIN/STOCK", "IN_STOCK", None),
        ("receipt", "PEN-A", "SN-2", 1, None, "MAIN/STOCK", "IN_STOCK", None),
        ("receipt", "PEN-B", "SN-3", 1, None, "MAIN/STOCK", "IN_STOCK", None),
        ("transfer", "PEN-A", "SN-2", 1, "MAIN/STOCK", "MAIN/SHELF-9", "IN_STOCK", None),
        ("scrap", "PEN-B", "SN-3", 1, "MAIN/STOCK", None, "SCRAPPED", "cracked")]
    assert body["next_cursor"] is None
    assert body["items"][0]["occurred_at"] == "2026-03-01T10:00:00+00:00"

    def kinds(**params: Any) -> list[tuple[str, str]]:
        found = api.get(LMH, params=params).json()["items"]
        return [(r["kind"], r["batch_number"]) for r in found]

    assert kinds(product_id=w["oil"]["id"]) == [("receipt", "OIL-1")]
    assert kinds(batch_id=w["lot_b"]["id"]) == [("receipt", "PEN-B"), ("scrap", "PEN-B")]
    assert kinds(kind="transfer") == [("transfer", "PEN-A")]
    assert kinds(location_id=w["shelf"]["id"]) == [("transfer", "PEN-A")]
    assert kinds(start="2026-03-01", end="2026-03-01", kind="scrap") == [("scrap", "PEN-B")]
    assert kinds(start="2026-03-02") == []
    assert kinds(end="2026-02-28") == []
    assert field_names(api.get(LMH, params={"kind": "teleport"})) == ["kind"]
    assert field_names(api.get(LMH, params={"start": "2026-03-02",
                                            "end": "2026-03-01"})) == ["end"]
    paged = api.get(LMH, params={"limit": 4}).json()
    assert len(paged["items"]) == 4 and paged["next_cursor"] is not None
    tail = api.get(LMH, params={"limit": 4, "cursor": paged["next_cursor"]}).json()
    assert [r["kind"] for r in tail["items"]] == ["transfer", "scrap"]
    csv = api.get(LMH, params={"format": "csv", "kind": "scrap"}).text.splitlines()
    assert csv[1].split(",")[:8] == ["2026-03-01T10:00:00+00:00", "2026-03-01T10:00:00+00:00",
                                     "scrap", w["pen"]["sku"], "PEN-B", "SN-3", "1",
                                     "MAIN/STOCK"]
    assert assert_problem(api.get(LMH, role=None), 401, "unauthorized")["status"] == 401
