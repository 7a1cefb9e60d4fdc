"""Two suppliers' lots with the same number, told apart in the CLI with --supplier (issue 16):
a lot number without it is exit 1 naming the suppliers; `orders pick --lot` picks the named
supplier's lot. And seed 003's batch operations: update, delete, bulk-delete, active,
inactive, hold and release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_kit import data_error, make_cli, ok, usage_error


def _lots(cli: Any, sku: str) -> dict[str, str]:
    suppliers = {s["id"]: s["code"] for s in json.loads(ok(cli("suppliers", "list", "-f",
                                                               "json")))}
    return {suppliers.get(lot["supplier_id"], "-"): lot["id"] for lot in json.loads(ok(cli(
        "batches", "list", "--product", sku, "-f", "json")))}


def _two_suppliers(tmp_path: Path) -> Any:
    cli = make_cli(f"sqlite:///{tmp_path / 'suppliers.db'}")
    ok(cli("suppliers", "add", "Acme", "--code", "S1"))
    ok(cli("suppliers", "add", "Bravo", "--code", "S2"))
    return cli


def test_register_serials_into_the_named_suppliers_lot(tmp_path: Path) -> None:
    cli = _two_suppliers(tmp_path)
    ok(cli("products", "add", "PEN", "Insulin pen", "--tracking", "lot_serial"))
    for code in ("S1", "S2"):
        ok(cli("batches", "create", "--product", "PEN", "--number", "LOT-A", "--quantity", "5",
               "--supplier", code))
    lots = _lots(cli, "PEN")
    assert data_error(cli("serials", "register", "SN-1", "--batch", "LOT-A", "--product",
                          "PEN")) == (
        "error: ambiguous: lot number 'LOT-A' (name the product with --product, the supplier "
        f"with --supplier, or use the id) matches 2 records: lot LOT-A of PEN from Acme (id "
        f"{lots['S1']}), lot LOT-A of PEN from Bravo (id {lots['S2']}); name one of them\n")
    assert ok(cli("serials", "register", "SN-1", "--batch", "LOT-A", "--product", "PEN",
                  "--supplier", "S2")) == \
        "registered 1 serial number of PEN in lot LOT-A as IN_STOCK\n"
    shown = json.loads(ok(cli("serials", "lookup", "SN-1", "-f", "json")))
    assert shown["batch_id"] == lots["S2"]
    listed = json.loads(ok(cli("serials", "list", "--lot", "LOT-A", "--supplier", "Bravo",
                               "-f", "json")))
    assert [s["serial_number"] for s in listed] == ["SN-1"]
    assert json.loads(ok(cli("batches", "show", "LOT-A", "--supplier", "S1", "-f", "json")))[
        "id"] == lots["S1"]
    assert data_error(cli("batches", "show", "LOT-A", "--supplier", "NOPE")) == \
        "error: not_found: supplier not found: code=NOPE\n"
    exported = tmp_path / "serials.csv"
    ok(cli("export", "serials", "--batch", "LOT-A", "--product", "PEN", "--supplier", "S2",
           "-o", str(exported)))
    assert [line.split(",")[0] for line in exported.read_text().splitlines()] == [
        "serial_number", "SN-1"]


def test_orders_pick_the_named_suppliers_lot(tmp_path: Path) -> None:
    cli = _two_suppliers(tmp_path)
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    ok(cli("customers", "add", "Bolt", "--code", "BOLT"))
    for code in ("S1", "S2"):
        ok(cli("batches", "create", "--product", "OIL", "--number", "s-1", "--quantity", "10",
               "--supplier", code))
    lots = _lots(cli, "OIL")
    ok(cli("orders", "create", "SO-1", "--customer", "BOLT", "--line", "OIL=7"))
    assert data_error(cli("orders", "allocate", "SO-1", "--lot", "s-1=7")).startswith(
        "error: ambiguous: lot number 's-1' (name the product with --product, the supplier "
        "with --supplier, or use the id) matches 2 records: lot s-1 of OIL from Acme")
    allocated = json.loads(ok(cli("orders", "allocate", "SO-1", "--lot", "s-1=7",
                                  "--supplier", "S2", "-f", "json")))
    assert [(a["batch_id"], a["quantity"]) for a in allocated["lines"][0]["allocations"]] == [
        (lots["S2"], 7)]
    error = data_error(cli("orders", "pick", "SO-1", "--lot", "s-1=7"))
    assert "lot s-1 of OIL from Acme" in error and "lot s-1 of OIL from Bravo" in error
    picked = json.loads(ok(cli("orders", "pick", "SO-1", "--lot", "s-1=7", "--supplier", "S2",
                               "-f", "json")))
    line = picked["lines"][0]
    assert (line["picked_quantity"], [(a["batch_id"], a["quantity"])
                                      for a in line["allocations"]]) == (7, [(lots["S2"], 7)])
    balances = {code: json.loads(ok(cli("batches", "show", lot_id, "-f", "json")))[
        "available_quantity"] for code, lot_id in lots.items()}
    assert balances == {"S1": 10, "S2": 3}


def test_batch_operations(tmp_path: Path) -> None:
    cli = _two_suppliers(tmp_path)
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    ok(cli("batches", "create", "--product", "OIL", "--number", "L-1", "--quantity", "10",
           "--supplier", "S1"))
    ok(cli("batches", "create", "--product", "OIL", "--number", "L-2", "--supplier", "S1"))
    ok(cli("batches", "create", "--product", "OIL", "--number", "L-3", "--supplier", "S2"))
    assert ok(cli("batches", "update", "L-1", "--quantity", "9", "--expiry-date",
                  "2027-01-31", "--reason", "miscounted")) == \
        "lot L-1 updated: quantity 9, expiry_date 2027-01-31\n"
    shown = json.loads(ok(cli("batches", "show", "L-1", "-f", "json")))
    assert (shown["quantity"], shown["balance_quantity"], shown["expiry_date"]) == (
        9, 9, "2027-01-31")
    assert "name at least one field" in usage_error(cli("batches", "update", "L-1"))
    assert ok(cli("batches", "hold", "L-1", "--reason", "lab check")) == \
        "lot L-1 on quarantine hold: lab check\n"
    held = json.loads(ok(cli("batches", "show", "L-1", "-f", "json")))
    assert (held["hold"]["reason"], held["hold"]["kind"], held["available_quantity"]) == (
        "lab check", "quarantine", 0)
    assert data_error(cli("batches", "hold", "L-1", "--reason", "")) == \
        "error: validation_error: reason: must not be empty\n"
    assert ok(cli("batches", "release", "L-1")) == "lot L-1 released\n"
    assert json.loads(ok(cli("batches", "show", "L-1", "-f", "json")))["hold"] is None
    assert ok(cli("batches", "inactive", "L-1", "L-2")) == "marked inactive: L-1, L-2\n"
    assert [json.loads(ok(cli("batches", "show", n, "-f", "json")))["status"]
            for n in ("L-1", "L-2", "L-3")] == ["inactive", "inactive", "active"]
    assert ok(cli("batches", "active", "L-1")) == "marked active: L-1\n"
    assert data_error(cli("batches", "delete", "L-1")).startswith("error: conflict: ")
    assert ok(cli("batches", "delete", "L-2")) == "lot L-2 deleted\n"
    assert data_error(cli("batches", "show", "L-2")) == \
        "error: not_found: batch not found: batch_number=L-2\n"
    ok(cli("batches", "create", "--product", "OIL", "--number", "L-4"))
    assert ok(cli("batches", "bulk-delete", "L-3", "L-4")) == "2 lots deleted: L-3, L-4\n"
    assert [lot["batch_number"] for lot in json.loads(ok(cli(
        "batches", "list", "-f", "json")))] == ["L-1"]
