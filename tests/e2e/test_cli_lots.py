"""`lotline batches` and `lotline serials`, driven through Typer's runner on a temporary
SQLite file; outputs are checked exactly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok, seed_catalogue, usage_error

import lotline


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def cli(db_url: str) -> Run:
    return make_cli(db_url)


# --- batches ---------------------------------------------------------------------------------

def test_batches_create_json_has_exact_decimals_and_iso_dates(cli: Run) -> None:
    seed_catalogue(cli)
    out = ok(cli("batches", "create", "--product", "OIL-1L", "--number", "L-2025A",
                 "--quantity", "12.50", "--unit-cost", "3.10", "--manufacturing-date",
                 "2025-01-10", "--expiry-date", "2027-01-01", "--purchase-date", "2025-02-01",
                 "--format", "json"))
    assert '"quantity": 12.5,' in out and '"unit_cost": 3.1,' in out
    assert '"balance_quantity": 12.5,' in out and '"in_quantity": 12.5,' in out
    batch = json.loads(out)
    assert (batch["batch_number"], batch["manufacturing_date"], batch["expiry_date"],
            batch["purchase_date"], batch["received_at"], batch["status"], batch["hold"],
            batch["is_expired"]) == ("L-2025A", "2025-01-10", "2027-01-01", "2025-02-01",
                                     "2025-02-01T00:00:00+00:00", "active", None, False)
    assert batch["entry_transaction_ref"] is not None
    assert len(batch["associated_locations"]) == 1


def test_batches_create_errors(cli: Run) -> None:
    seed_catalogue(cli)
    assert data_error(cli("batches", "create", "--product", "NOPE", "--number", "L1")) == \
        "error: not_found: product not found: sku=NOPE\n"
    assert data_error(cli("batches", "create", "--product", "OIL-1L", "--number", "L1",
                          "--expiry-date", "2027-13-01")) == \
        "error: validation_error: expiry_date: must be a date YYYY-MM-DD\n"
    assert data_error(cli("batches", "create", "--product", "OIL-1L", "--number", "L1",
                          "--quantity", "lots")) == \
        "error: validation_error: quantity: must be a number\n"
    ok(cli("batches", "create", "--product", "OIL-1L", "--number", "L1"))
    assert data_error(cli("batches", "create", "--product", "OIL-1L", "--number", "l1")) \
        .startswith("error: duplicate_batch: batch 'l1' already exists for this product and "
                    "supplier (id ")
    assert data_error(cli("batches", "create", "--product", "OIL-1L", "--number", "L2",
                          "--supplier", "ACME")) == \
        "error: not_found: supplier not found: code=ACME\n"


def test_batches_create_names_the_supplier_by_code_or_name(cli: Run, db_url: str) -> None:
    seed_catalogue(cli)
    svc = lotline.create_services(db_url)
    supplier = svc.suppliers.create_supplier(name="Olivar del Sur", code="OLIV")
    svc.engine.dispose()
    for ref, number in (("oliv", "L1"), ("Olivar del Sur", "L2"), (supplier.id, "L3")):
        batch = json.loads(ok(cli("batches", "create", "--product", "OIL-1L", "--number",
                                  number, "--supplier", ref, "--format", "json")))
        assert batch["supplier_id"] == supplier.id


def make_lots(cli: Run) -> dict[str, str]:
    seed_catalogue(cli)
    ids = {}
    for number, quantity, expiry in (("OLD", "5", "2020-01-01"), ("SOON", "7.25", "2030-01-01"),
                                     ("LATE", "0", "2031-06-30")):
        out = ok(cli("batches", "create", "--product", "OIL-1L", "--number", number,
                     "--quantity", quantity, "--expiry-date", expiry, "--format", "json"))
        ids[number] = json.loads(out)["id"]
    return ids


def test_batches_list_filters(cli: Run) -> None:
    make_lots(cli)

    def numbers(*args: str) -> list[str]:
        listed = json.loads(ok(cli("batches", "list", *args, "--format", "json")))
        return [b["batch_number"] for b in listed]

    assert numbers() == ["OLD", "SOON", "LATE"]
    assert numbers("--product", "OIL-1L") == ["OLD", "SOON", "LATE"]
    assert numbers("--product", "PEN") == []
    assert numbers("--expiring-before", "2030-06-01") == ["OLD", "SOON"]
    assert numbers("--has-stock") == ["OLD", "SOON"]
    assert numbers("--no-stock") == ["LATE"]
    assert numbers("--q", "soo") == ["SOON"]
    assert data_error(cli("batches", "list", "--expiring-before", "soon")) == \
        "error: validation_error: expiring_before: must be a date YYYY-MM-DD\n"


def test_batches_list_csv_rows(cli: Run) -> None:
    ids = make_lots(cli)
    rows = list(csv.DictReader(io.StringIO(ok(cli("batches", "list", "--format", "csv")))))
    assert [(r["id"], r["batch_number"], r["expiry_date"], r["quantity"], r["balance_quantity"],
             r["available_quantity"], r["is_expired"], r["hold"]) for r in rows] == [
        (ids["OLD"], "OLD", "2020-01-01", "5", "5", "0", "true", ""),
        (ids["SOON"], "SOON", "2030-01-01", "7.25", "7.25", "7.25", "false", ""),
        (ids["LATE"], "LATE", "2031-06-30", "0", "0", "0", "false", "")]
    balances = json.loads(rows[1]["associated_locations"])
    assert [(b["in_quantity"], b["balance_quantity"]) for b in balances] == [(7.25, 7.25)]


def test_batches_show_by_id_or_number_with_balances(cli: Run, db_url: str) -> None:
    ids = make_lots(cli)
    table = ok(cli("batches", "show", "soon"))
    assert "Lot SOON" in table and "Balances per location" in table
    assert "MAIN/STOCK" in table and "storage" in table and "7.25" in table
    by_id = json.loads(ok(cli("batches", "show", ids["SOON"], "--format", "json")))
    assert (by_id["id"], by_id["balance_quantity"]) == (ids["SOON"], 7.25)
    row = list(csv.DictReader(io.StringIO(ok(cli("batches", "show", "OLD", "-f", "csv")))))
    assert [(r["batch_number"], r["is_expired"]) for r in row] == [("OLD", "true")]
    svc = lotline.create_services(db_url)
    svc.batches.hold(ids["LATE"], "recall notice", kind="recall")
    svc.engine.dispose()
    assert "on recall hold" in ok(cli("batches", "show", "LATE"))
    assert data_error(cli("batches", "show", "NOPE")) == \
        "error: not_found: batch not found: batch_number=NOPE\n"


def test_the_same_lot_number_on_two_products_is_ambiguous(cli: Run, db_url: str) -> None:
    seed_catalogue(cli)
    ok(cli("batches", "create", "--product", "OIL-1L", "--number", "L-7", "--quantity", "1"))
    ok(cli("batches", "create", "--product", "PEN", "--number", "L-7", "--quantity", "2"))
    svc = lotline.create_services(db_url)
    oil, pen = (svc.batches.by_number("L-7", svc.products.by_sku(sku).id)[0].id
                for sku in ("OIL-1L", "PEN"))
    svc.engine.dispose()
    assert data_error(cli("batches", "show", "L-7")) == (
        "error: ambiguous: lot number 'L-7' (name the product with --product, the supplier "
        "with --supplier, or use the id) "
        f"matches 2 records: lot L-7 of OIL-1L, no supplier (id {oil}), lot L-7 of PEN, no "
        f"supplier (id {pen}); name one of them\n")
    shown = json.loads(ok(cli("batches", "show", "L-7", "--product", "PEN", "-f", "json")))
    assert shown["quantity"] == 2


# --- serials ---------------------------------------------------------------------------------

def make_pen_lot(cli: Run, quantity: str = "10") -> str:
    seed_catalogue(cli)
    out = ok(cli("batches", "create", "--product", "PEN", "--number", "P-1", "--quantity",
                 quantity, "--expiry-date", "2030-01-01", "--format", "json"))
    return str(json.loads(out)["id"])


def test_serials_register_arguments_and_lookup(cli: Run) -> None:
    batch_id = make_pen_lot(cli)
    assert ok(cli("serials", "register", "--batch", "P-1", "SN-1", " SN-2 ")) == \
        "registered 2 serial numbers of PEN in lot P-1 as IN_STOCK\n"
    assert ok(cli("serials", "register", "--product", "SCAN-1", "S-9", "--status",
                  "expected")) == "registered 1 serial number of SCAN-1 as EXPECTED\n"
    serial = json.loads(ok(cli("serials", "lookup", "SN-2", "--format", "json")))
    assert {k: serial[k] for k in ("serial_number", "batch_id", "status", "order_id",
                                   "hold")} == {
        "serial_number": "SN-2", "batch_id": batch_id, "status": "IN_STOCK", "order_id": None,
        "hold": None}
    table = ok(cli("serials", "lookup", "SN-1"))
    assert "Serial SN-1" in table and "MAIN/STOCK" in table and "P-1" in table
    assert "ALLOCATED (reserve)" in table
    rows = list(csv.DictReader(io.StringIO(ok(cli("serials", "lookup", "S-9", "-f", "csv")))))
    assert [(r["serial_number"], r["status"], r["location_id"]) for r in rows] == \
        [("S-9", "EXPECTED", "")]


def test_serials_register_from_a_file(cli: Run, tmp_path: Path) -> None:
    make_pen_lot(cli, quantity="5")
    numbers = tmp_path / "serials.txt"
    numbers.write_text("\ufeffF-1\n\n  F-2  \r\nF-3\n", encoding="utf-8")
    assert ok(cli("serials", "register", "--batch", "P-1", "--file", str(numbers), "F-0")) == \
        "registered 4 serial numbers of PEN in lot P-1 as IN_STOCK\n"
    for number in ("F-0", "F-1", "F-2", "F-3"):
        serial = json.loads(ok(cli("serials", "lookup", number, "--format", "json")))
        assert serial["serial_number"] == number
    assert ok(cli("serials", "register", "--batch", "P-1", "--file", "-", stdin="G-1\n")) == \
        "registered 1 serial number of PEN in lot P-1 as IN_STOCK\n"
    assert data_error(cli("serials", "register", "--batch", "P-1", "G-2")).startswith(
        "error: insufficient_stock: lot 'P-1' holds at most 5 serials; 5 are registered")


def test_a_duplicate_serial_registers_nothing(cli: Run, tmp_path: Path) -> None:
    make_pen_lot(cli)
    ok(cli("serials", "register", "--batch", "P-1", "SN-1"))
    numbers = tmp_path / "more.txt"
    numbers.write_text("SN-5\nSN-1\n", encoding="utf-8")
    assert data_error(cli("serials", "register", "--batch", "P-1", "--file", str(numbers))) == \
        "error: duplicate_serial: serial numbers already registered: SN-1\n"
    assert data_error(cli("serials", "lookup", "SN-5")) == \
        "error: not_found: serial not found: serial_number=SN-5\n"
    assert data_error(cli("serials", "register", "--batch", "P-1", "X", "X")) == \
        "error: validation_error: serial_numbers: repeated in the request: X\n"


def test_serials_register_needs_a_target_and_numbers(cli: Run) -> None:
    make_pen_lot(cli)
    assert "give serial numbers as arguments or with --file" in usage_error(
        cli("serials", "register", "--batch", "P-1"))
    assert "name the lot with --batch or the product with --product" in usage_error(
        cli("serials", "register", "SN-1"))
    assert "No such file" in usage_error(
        cli("serials", "register", "--batch", "P-1", "--file", "/nonexistent/serials.txt"))
    assert data_error(cli("serials", "register", "--product", "OIL-1L", "SN-1")) == (
        "error: validation_error: product_id: product 'OIL-1L' is tracked by 'lot' and takes "
        "no serial numbers\n")
    assert data_error(cli("serials", "register", "--product", "PEN", "SN-1")) == (
        "error: validation_error: batch_id: product 'PEN' is tracked by lot and serial; name "
        "the lot\n")


def test_serials_history_oldest_first(cli: Run, db_url: str) -> None:
    make_pen_lot(cli)
    ok(cli("serials", "register", "--batch", "P-1", "SN-1", "SN-2"))
    svc = lotline.create_services(db_url)
    customer = svc.customers.create_customer(name="City Care Pharmacy")
    product = svc.products.by_sku("PEN")
    order = svc.orders.create_order("SO-1", customer.id, [{"product_id": product.id,
                                                            "quantity": 1}])
    serial = svc.serials.lookup("SN-1")
    svc.serials.change_status(serial.id, "RESERVED", order_id=order.id)
    svc.serials.change_status(serial.id, "SOLD")
    svc.engine.dispose()
    moves = json.loads(ok(cli("serials", "history", "SN-1", "--format", "json")))
    assert [(m["kind"], m["from_status"], m["to_status"], m["quantity"], m["order_id"])
            for m in moves] == [("receipt", None, "IN_STOCK", 2, None),
                                ("allocation", "IN_STOCK", "ALLOCATED", 1, order.id),
                                ("shipment", "ALLOCATED", "SHIPPED", 1, order.id)]
    table = ok(cli("serials", "history", "SN-1"))
    assert "IN_STOCK → ALLOCATED" in table and "SO-1" in table and "MAIN/STOCK" in table
    header = ok(cli("serials", "history", "SN-1", "--format", "csv")).splitlines()[0]
    assert header.split(",")[:8] == ["id", "org_id", "stream_id", "seq", "occurred_at",
                                     "recorded_at", "actor", "kind"]
