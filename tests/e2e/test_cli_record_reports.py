"""`lotline reports serial-number-location|lot-movement-history` (seed 002): a table of the
first rows, the whole report streamed as CSV, JSON or XLSX, with the reports' filters."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from cli_kit import data_error, make_cli, ok, usage_error


def _seed(tmp_path: Path) -> object:
    cli = make_cli(f"sqlite:///{tmp_path / 'reports.db'}")
    ok(cli("products", "add", "PEN", "Insulin pen", "--tracking", "lot_serial"))
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    ok(cli("suppliers", "add", "Acme", "--code", "S1"))
    ok(cli("suppliers", "add", "Bravo", "--code", "S2"))
    ok(cli("batches", "create", "--product", "PEN", "--number", "LOT-A", "--quantity", "5",
           "--supplier", "S1"))
    ok(cli("batches", "create", "--product", "PEN", "--number", "LOT-A", "--quantity", "5",
           "--supplier", "S2"))
    ok(cli("batches", "create", "--product", "OIL", "--number", "OIL-1", "--quantity", "8"))
    ok(cli("serials", "register", "P-1", "P-2", "--batch", "LOT-A", "--product", "PEN",
           "--supplier", "S1"))
    ok(cli("serials", "register", "P-3", "--batch", "LOT-A", "--product", "PEN",
           "--supplier", "S2"))
    ok(cli("serials", "status", "P-2", "DEFECTIVE", "--reason", "bent"))
    return cli


def test_cli_serial_number_location(tmp_path: Path) -> None:
    cli = _seed(tmp_path)
    table = ok(cli("reports", "serial-number-location", "--limit", "2"))
    assert "P-1" in table and "P-2" in table and "P-3" not in table
    assert "serial_id" not in table
    assert "2 rows; more rows: --limit, or --format csv|json|xlsx for every row" in table
    csv = ok(cli("reports", "serial-number-location", "-f", "csv")).splitlines()
    assert [line.split(",")[:7] for line in csv] == [
        ["serial_number", "product_sku", "product_name", "batch_number", "status", "warehouse",
         "location"],
        ["P-1", "PEN", "Insulin pen", "LOT-A", "IN_STOCK", "MAIN", "STOCK"],
        ["P-2", "PEN", "Insulin pen", "LOT-A", "DEFECTIVE", "MAIN", "STOCK"],
        ["P-3", "PEN", "Insulin pen", "LOT-A", "IN_STOCK", "MAIN", "STOCK"]]
    by_lot = json.loads(ok(cli("reports", "serial-number-location", "-f", "json", "--batch",
                               "LOT-A", "--product", "PEN", "--supplier", "S2")))
    assert [r["serial_number"] for r in by_lot["items"]] == ["P-3"]
    filtered = json.loads(ok(cli("reports", "serial-number-location", "-f", "json",
                                 "--status", "defective", "--warehouse", "MAIN",
                                 "--location", "STOCK")))
    assert [r["serial_number"] for r in filtered["items"]] == ["P-2"]
    target = tmp_path / "snl.xlsx"
    assert ok(cli("reports", "serial-number-location", "-f", "xlsx", "-o", str(target))) == \
        f"wrote report serial-number-location (3 rows) to {target}\n"
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "serial_number", "P-1", "P-2", "P-3"]
    lots = {lot["supplier_id"]: lot["id"] for lot in json.loads(ok(cli(
        "batches", "list", "--product", "PEN", "-f", "json")))}
    suppliers = {s["code"]: s["id"] for s in json.loads(ok(cli("suppliers", "list", "-f",
                                                               "json")))}
    assert data_error(cli("reports", "serial-number-location", "--batch", "LOT-A")) == (
        "error: ambiguous: lot number 'LOT-A' (name the product with --product, the supplier "
        "with --supplier, or use the id) matches 2 records: lot LOT-A of PEN from Acme (id "
        f"{lots[suppliers['S1']]}), lot LOT-A of PEN from Bravo (id {lots[suppliers['S2']]}); "
        "name one of them\n")
    assert data_error(cli("reports", "serial-number-location", "--status", "LOST")) == (
        "error: validation_error: status: unknown status 'LOST'; expected one of ALLOCATED, "
        "CANCELLED, CONSUMED, DEFECTIVE, EXPECTED, INSTALLED, IN_STOCK, PICKED, RECEIVED, "
        "RETURNED, SCRAPPED, SHIPPED\n")
    assert "takes no kind" in usage_error(cli("reports", "serial-number-location", "--kind",
                                              "receipt"))
    assert "takes no status" in usage_error(cli("reports", "valuation", "--status", "SOLD"))


def test_cli_lot_movement_history(tmp_path: Path) -> None:
    cli = _seed(tmp_path)
    rows = json.loads(ok(cli("reports", "lot-movement-history", "-f", "json")))["items"]
    assert [(r["kind"], r["product_sku"], r["batch_number"], r["serial_number"],
             r["quantity"], r["to_status"], r["reason"]) for r in rows] == [
        ("receipt", "OIL", "OIL-1", None, 8, None, None),
        ("receipt", "PEN", "LOT-A", None, 2, "IN_STOCK", None),
        ("receipt", "PEN", "LOT-A", "P-3", 1, "IN_STOCK", None),
        ("status_change", "PEN", "LOT-A", "P-2", 1, "DEFECTIVE", "bent")]
    kinds = json.loads(ok(cli("reports", "lot-movement-history", "-f", "json", "--kind",
                              "receipt", "--product", "PEN", "--location", "MAIN/STOCK")))
    assert [r["serial_number"] for r in kinds["items"]] == [None, "P-3"]
    day = rows[0]["occurred_at"][:10]
    dated = json.loads(ok(cli("reports", "lot-movement-history", "-f", "json", "--start", day,
                              "--end", day, "--batch", "OIL-1")))
    assert [r["batch_number"] for r in dated["items"]] == ["OIL-1"]
    assert json.loads(ok(cli("reports", "lot-movement-history", "-f", "json", "--end",
                             "2000-01-01")))["items"] == []
    table = ok(cli("reports", "lot-movement-history"))
    assert "status_change" in table and "bent" in table
    assert data_error(cli("reports", "lot-movement-history", "--kind", "teleport")).startswith(
        "error: validation_error: kind: unknown kind 'teleport'; expected one of ")
