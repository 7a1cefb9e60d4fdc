"""`lotline receipts`, `lotline orders` and `lotline stock` (with `suppliers` and `customers`),
driven through Typer's runner on a temporary SQLite file: a receipt, an order and a return with
their exact table outputs, JSON for machines, and exit codes 1 (data) and 2 (misuse)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok, usage_error

import lotline

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LOTS_CSV = """product,lot,expiry_date,serial_number,quantity
PEN,LOT-LATE,2027-06-30,SN-A1,
PEN,LOT-LATE,2027-06-30,SN-A2,
PEN,LOT-EARLY,2026-12-31,SN-B1,
PEN,LOT-EARLY,2026-12-31,SN-B2,
OIL,OIL-1,2027-01-31,,9.5
"""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'flows.db'}"


@pytest.fixture
def cli(db_url: str) -> Run:
    return make_cli(db_url)


def shown(text: str) -> str:
    """The output with ids as `<id>` and Rich's trailing padding removed."""
    return "\n".join(UUID.sub("<id>", line.rstrip()) for line in text.splitlines()) + "\n"


def catalogue(cli: Run) -> None:
    ok(cli("products", "add", "PEN", "Insulin pen", "--tracking", "lot_serial"))
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    ok(cli("suppliers", "add", "Acme Pharma", "--code", "ACME"))
    ok(cli("customers", "add", "Bolt Pharmacy", "--code", "BOLT"))


def received(cli: Run, tmp_path: Path) -> None:
    """ASN-1001 received (two lots of PEN with serials, 9.5 of OIL) and put away."""
    catalogue(cli)
    ok(cli("receipts", "create", "ASN-1001", "--supplier", "acme", "--line", "PEN=4@12.50",
           "--line", "OIL=10@2", "--expect", "PEN=SN-A1,SN-A2,SN-B1,SN-B2"))
    lots = tmp_path / "lots.csv"
    lots.write_text(LOTS_CSV, encoding="utf-8")
    ok(cli("receipts", "receive", "ASN-1001", "--lots-file", str(lots), "--reason",
           "half a litre spilt"))
    ok(cli("receipts", "putaway", "ASN-1001"))


RECEIPT = """\
received PEN into RECEIVING: LOT-LATE x 2, LOT-EARLY x 2
received OIL into RECEIVING: OIL-1 x 9.5
Receipt ASN-1001
┌───────────┬──────────────────────────────────────┐
│ Reference │ ASN-1001                             │
│ Supplier  │ Acme Pharma                          │
│ Warehouse │ MAIN                                 │
│ Status    │ received                             │
│ ID        │ <id> │
└───────────┴──────────────────────────────────────┘
Lines
┏━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┓
┃ Line ┃ Product ┃ Expected ┃ Received ┃ Unit cost ┃ Serials ┃ Reason             ┃
┡━━━━━━╇━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━┩
│ 1    │ PEN     │        4 │        4 │      12.5 │       4 │ —                  │
│ 2    │ OIL     │       10 │      9.5 │         2 │       0 │ half a litre spilt │
└──────┴─────────┴──────────┴──────────┴───────────┴─────────┴────────────────────┘
"""


def test_a_receipt_of_two_lots_with_serials_and_a_short_line(cli: Run, tmp_path: Path,
                                                              db_url: str) -> None:
    catalogue(cli)
    created = ok(cli("receipts", "create", "ASN-1001", "--supplier", "acme", "--line",
                     "PEN=4@12.50", "--line", "OIL=10@2", "--expect",
                     "PEN=SN-A1,SN-A2,SN-B1,SN-B2"))
    assert "│ Status    │ open" in created and "│ 1    │ PEN     │        4 │        0 │" in created
    lots = tmp_path / "lots.csv"
    lots.write_text(LOTS_CSV, encoding="utf-8")
    out = ok(cli("receipts", "receive", "ASN-1001", "--lots-file", str(lots), "--reason",
                 "half a litre spilt"))
    assert shown(out) == RECEIPT
    putaway = ok(cli("receipts", "putaway", "ASN-1001"))
    assert shown(putaway) == "put away ASN-1001 into MAIN/STOCK\n" + RECEIPT.split("\n", 2)[2]
    receipt = json.loads(ok(cli("receipts", "show", "ASN-1001", "--format", "json")))
    assert [(line["expected_quantity"], line["received_quantity"], line["reason"],
             line["expected_serials"]) for line in receipt["lines"]] == [
        (4, 4, None, ["SN-A1", "SN-A2", "SN-B1", "SN-B2"]), (10, 9.5, "half a litre spilt", [])]
    listed = json.loads(ok(cli("receipts", "list", "--supplier", "ACME", "-f", "json")))
    assert [r["reference"] for r in listed] == ["ASN-1001"]
    svc = lotline.create_services(db_url)
    try:
        by_lot = {b.batch_number: b for b in svc.batches.list(limit=10).items}
        assert {number: (b.balance_quantity, b.available_quantity, b.expiry_date.isoformat()
                         if b.expiry_date else None) for number, b in by_lot.items()} == {
            "LOT-LATE": (2, 2, "2027-06-30"), "LOT-EARLY": (2, 2, "2026-12-31"),
            "OIL-1": (9.5, 9.5, "2027-01-31")}
        assert svc.ledger.verify().ok
    finally:
        svc.engine.dispose()


ORDER = """\
Order SO-2001
┌───────────────┬──────────────────────────────────────┐
│ Reference     │ SO-2001                              │
│ Customer      │ Bolt Pharmacy                        │
│ Status        │ allocated                            │
│ Cost of goods │ —                                    │
│ Shipments     │ 0                                    │
│ ID            │ <id> │
└───────────────┴──────────────────────────────────────┘
Lines
┏━━━━━━┳━━━━━━━━━┳━━━━━┳━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┓
┃ Line ┃ Product ┃ Qty ┃ Allocated ┃ Picked ┃ Shipped ┃ Returned ┃
┡━━━━━━╇━━━━━━━━━╇━━━━━╇━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━┩
│ 1    │ PEN     │   2 │         2 │      0 │       0 │        0 │
│ 2    │ OIL     │   3 │         3 │      0 │       0 │        0 │
└──────┴─────────┴─────┴───────────┴────────┴─────────┴──────────┘
Allocations
┏━━━━━━┳━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Line ┃ Lot       ┃ Qty ┃ Unit cost ┃ Serial numbers ┃
┡━━━━━━╇━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ 1    │ LOT-EARLY │   2 │      12.5 │ SN-B1, SN-B2   │
│ 2    │ OIL-1     │   3 │         2 │ —              │
└──────┴───────────┴─────┴───────────┴────────────────┘
"""
PICK_LIST = """\
Pick list SO-2001
┏━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Location   ┃ Product ┃ Lot       ┃ Expiry     ┃ Qty ┃ Serial numbers ┃
┡━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━┩
│ MAIN/STOCK │ PEN     │ LOT-EARLY │ 2026-12-31 │   2 │ SN-B1, SN-B2   │
│ MAIN/STOCK │ OIL     │ OIL-1     │ 2027-01-31 │   3 │ —              │
└────────────┴─────────┴───────────┴────────────┴─────┴────────────────┘
"""


def test_an_order_allocated_fefo_picked_by_scans_and_shipped(cli: Run, tmp_path: Path) -> None:
    received(cli, tmp_path)
    created = ok(cli("orders", "create", "SO-2001", "--customer", "Bolt Pharmacy", "--line",
                     "PEN=2@30", "--line", "OIL=3"))
    assert "│ Status        │ open" in created and "nothing allocated" in created
    assert shown(ok(cli("orders", "allocate", "SO-2001"))) == ORDER
    assert shown(ok(cli("orders", "pick-list", "SO-2001"))) == PICK_LIST
    # A wrong scan rejects the whole call, with each reason, and picks nothing.
    assert data_error(cli("orders", "pick", "SO-2001", "SN-B1", "NOPE-9", "--lot",
                          "OIL-1=4")) == (
        "error: conflict: NOPE-9: no serial or lot with this number; lot OIL-1 x 4: only 3 of "
        "this lot are left to pick\n")
    assert shown(ok(cli("orders", "pick-list", "SO-2001"))) == PICK_LIST
    scans = tmp_path / "scans.txt"
    scans.write_text("SN-B1\n SN-B2 \n", encoding="utf-8")
    picked = ok(cli("orders", "pick", "SO-2001", "--file", str(scans), "--lot", "oil-1=3"))
    assert picked.startswith("picked 3 scans for SO-2001\n")
    assert "│ 2    │ OIL     │   3 │         3 │      3 │       0 │        0 │" in picked
    assert "nothing left to pick" in ok(cli("orders", "pick-list", "SO-2001"))
    view = json.loads(ok(cli("orders", "ship", "SO-2001", "--carrier", "DHL", "-f", "json")))
    assert (view["status"], view["cost_of_goods"], len(view["shipments"])) == ("shipped", 31, 1)
    assert [a["serial_numbers"] for line in view["lines"] for a in line["allocations"]] == [
        ["SN-B1", "SN-B2"], []]
    assert '"cost_of_goods": 31,' in ok(cli("orders", "show", "SO-2001", "--format", "json"))
    serial = json.loads(ok(cli("serials", "lookup", "SN-B1", "-f", "json")))
    assert (serial["status"], serial["location_id"]) == ("SHIPPED", None)
    listed = json.loads(ok(cli("orders", "list", "--customer", "bolt", "-f", "json")))
    assert [(o["reference"], o["status"]) for o in listed] == [("SO-2001", "shipped")]


RETURN = """\
returned 2 lines of SO-2001 into RETURNS
restocked 2 lines into MAIN/STOCK
Order SO-2001
┌───────────────┬──────────────────────────────────────┐
│ Reference     │ SO-2001                              │
│ Customer      │ Bolt Pharmacy                        │
│ Status        │ shipped                              │
│ Cost of goods │ 16.5                                 │
│ Shipments     │ 1                                    │
│ ID            │ <id> │
└───────────────┴──────────────────────────────────────┘
Lines
┏━━━━━━┳━━━━━━━━━┳━━━━━┳━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┓
┃ Line ┃ Product ┃ Qty ┃ Allocated ┃ Picked ┃ Shipped ┃ Returned ┃
┡━━━━━━╇━━━━━━━━━╇━━━━━╇━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━┩
│ 1    │ PEN     │   2 │         2 │      0 │       2 │        1 │
│ 2    │ OIL     │   3 │         3 │      0 │       3 │        1 │
└──────┴─────────┴─────┴───────────┴────────┴─────────┴──────────┘
Allocations
┏━━━━━━┳━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Line ┃ Lot       ┃ Qty ┃ Unit cost ┃ Serial numbers ┃
┡━━━━━━╇━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ 1    │ LOT-EARLY │   2 │      12.5 │ SN-B1, SN-B2   │
│ 2    │ OIL-1     │   3 │         2 │ —              │
└──────┴───────────┴─────┴───────────┴────────────────┘
"""


def test_a_return_restocked(cli: Run, tmp_path: Path, db_url: str) -> None:
    received(cli, tmp_path)
    ok(cli("orders", "create", "SO-2001", "--customer", "BOLT", "--line", "PEN=2@30",
           "--line", "OIL=3"))
    ok(cli("orders", "allocate", "SO-2001"))
    ok(cli("orders", "ship", "SO-2001"))
    assert data_error(cli("orders", "return", "SO-2001", "SN-A1", "--reason", "x")) == \
        "error: conflict: serial 'SN-A1' was not shipped on order 'SO-2001'\n"
    out = ok(cli("orders", "return", "SO-2001", "SN-B1", "--lot", "OIL-1=1", "--reason",
                 "damaged box", "--restock", "STOCK"))
    assert shown(out) == RETURN
    serial = json.loads(ok(cli("serials", "lookup", "SN-B1", "-f", "json")))
    assert (serial["status"], serial["order_id"]) == ("IN_STOCK", None)
    history = ok(cli("serials", "history", "SN-B1"))
    assert "return" in history and "SHIPPED → RETURNED" in history and "MAIN/RETURNS" in history
    ok(cli("orders", "return", "SO-2001", "SN-B2", "--reason", "wrong size"))
    assert json.loads(ok(cli("serials", "lookup", "SN-B2", "-f", "json")))["status"] == \
        "RETURNED"
    svc = lotline.create_services(db_url)
    try:
        oil = svc.batches.by_number("OIL-1")[0]
        assert (oil.balance_quantity, oil.available_quantity) == (7.5, 7.5)
        assert svc.ledger.verify().ok
    finally:
        svc.engine.dispose()


def test_single_lot_receipts_cancel_and_reverse(cli: Run, tmp_path: Path) -> None:
    catalogue(cli)
    ok(cli("receipts", "create", "ASN-7", "--supplier", "Acme Pharma", "--line", "PEN=3"))
    serials = tmp_path / "serials.txt"
    serials.write_text("P-2\nP-3\n", encoding="utf-8")
    assert data_error(cli("receipts", "receive", "ASN-7", "--lot", "L-7", "P-1")) == (
        "error: validation_error: lines.0.lots: lots add up to 1 but the line expects 3; give "
        "a reason for a short or over receipt\n")
    out = ok(cli("receipts", "receive", "ASN-7", "--lot", "L-7", "--expiry-date",
                 "2028-01-31", "P-1", "--file", str(serials)))
    assert out.startswith("received PEN into RECEIVING: L-7 x 3\n")
    assert "│ Status    │ received" in out
    ok(cli("receipts", "putaway", "ASN-7", "--location", "MAIN/STOCK"))
    ok(cli("orders", "create", "SO-7", "--customer", "BOLT", "--line", "PEN=2"))
    view = json.loads(ok(cli("orders", "allocate", "SO-7", "P-3", "-f", "json")))
    assert view["lines"][0]["allocations"][0]["serial_numbers"] == ["P-3"]
    assert view["status"] == "open"
    cancelled = json.loads(ok(cli("orders", "cancel", "SO-7", "--reason", "no longer needed",
                                  "-f", "json")))
    assert (cancelled["status"], cancelled["lines"][0]["allocations"]) == ("cancelled", [])
    reversed_receipt = json.loads(ok(cli("receipts", "reverse", "ASN-7", "--reason",
                                         "wrong supplier", "-f", "json")))
    assert reversed_receipt["status"] == "cancelled"
    assert json.loads(ok(cli("serials", "lookup", "P-1", "-f", "json")))["status"] == \
        "CANCELLED"


def test_stock_transfer_adjust_and_count(cli: Run, tmp_path: Path, db_url: str) -> None:
    received(cli, tmp_path)
    svc = lotline.create_services(db_url)
    warehouse = svc.warehouses.default()
    svc.warehouses.create_location(warehouse.id, "SHELF-2", "storage")
    svc.engine.dispose()
    assert ok(cli("stock", "transfer", "--from", "STOCK", "--to", "shelf-2", "--lot", "OIL-1",
                  "--quantity", "2.5", "--reason", "reslot")) == \
        "moved 2.5 of lot OIL-1 from MAIN/STOCK to MAIN/SHELF-2\n"
    assert ok(cli("stock", "transfer", "--from", "MAIN/STOCK", "--to", "SHELF-2",
                  "SN-A1", "SN-A2")) == "moved 2 serials from MAIN/STOCK to MAIN/SHELF-2\n"
    moved = json.loads(ok(cli("stock", "transfer", "--from", "SHELF-2", "--to", "STOCK",
                              "--product", "OIL", "--quantity", "1", "-f", "json")))
    assert (moved["quantity"], moved["serial_numbers"], moved["units_moved"]) == (1, [], 1)
    assert ok(cli("stock", "adjust", "--lot", "OIL-1", "--delta=-0.5", "--reason",
                  "damage")) == "adjusted lot OIL-1 at MAIN/STOCK by -0.5 (damage)\n"
    assert ok(cli("stock", "adjust", "--product", "OIL", "--delta", "2", "--reason", "found",
                  "--location", "SHELF-2")) == \
        "adjusted OIL at MAIN/SHELF-2 by +2 (found)\n"
    counted = ok(cli("stock", "count", "--location", "SHELF-2", "--lot", "OIL-1=3", "SN-A1",
                     "SN-B1", "SN-X"))
    assert shown(counted) == """\
Count at MAIN/SHELF-2
┏━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━┓
┃ Lot   ┃ Expected ┃ Counted ┃ Adjusted by ┃
┡━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━┩
│ OIL-1 │      3.5 │       3 │        -0.5 │
└───────┴──────────┴─────────┴─────────────┘
serials missing (recorded here, not found): SN-A2
serials moved here (recorded elsewhere): SN-B1
serials unknown: SN-X
"""
    assert ok(cli("stock", "count", "--location", "SHELF-2", "--no-serials-found")) == \
        "serials missing (recorded here, not found): SN-A1, SN-A2, SN-B1\n"
    assert "serials were given" in usage_error(cli("stock", "count", "--location", "SHELF-2",
                                                   "--no-serials-found", "SN-A1"))
    assert data_error(cli("stock", "adjust", "--lot", "OIL-1", "--delta=-50", "--reason",
                          "x")) == ("error: insufficient_stock: STOCK holds 7.5 free; an "
                                    "adjustment of -50 would go below zero\n")
    svc = lotline.create_services(db_url)
    try:
        assert svc.ledger.verify().ok
    finally:
        svc.engine.dispose()


def test_data_errors_exit_1_and_misuse_exits_2(cli: Run) -> None:
    catalogue(cli)
    assert data_error(cli("receipts", "create", "ASN-X", "--supplier", "NOBODY", "--line",
                          "PEN=1")) == "error: not_found: supplier not found: code=NOBODY\n"
    assert data_error(cli("receipts", "create", "ASN-X", "--supplier", "ACME", "--line",
                          "NOPE=1")) == "error: not_found: product not found: sku=NOPE\n"
    assert data_error(cli("receipts", "create", "ASN-X", "--supplier", "ACME", "--line",
                          "PEN=lots")) == \
        "error: validation_error: lines.0.expected_quantity: must be a number\n"
    assert data_error(cli("receipts", "show", "ASN-404")) == \
        "error: not_found: receipt not found: reference=ASN-404\n"
    assert data_error(cli("orders", "show", "SO-404")) == \
        "error: not_found: order not found: reference=SO-404\n"
    assert data_error(cli("orders", "create", "SO-1", "--customer", "Nobody", "--line",
                          "PEN=1")) == "error: not_found: customer not found: code=Nobody\n"
    ok(cli("orders", "create", "SO-1", "--customer", "BOLT", "--line", "PEN=2"))
    assert data_error(cli("orders", "allocate", "SO-1")) == \
        "error: insufficient_stock: not enough allocatable stock: PEN short by 2\n"
    assert data_error(cli("orders", "ship", "SO-1")) == (
        "error: conflict: order 'SO-1' has nothing allocated to ship; allocate it first\n")
    assert "'--line'" in usage_error(cli("orders", "create", "SO-2", "--customer", "BOLT",
                                         "--line", "PEN"))
    assert "Missing option '--supplier'" in usage_error(cli("receipts", "create", "ASN-2",
                                                            "--line", "PEN=1"))
    assert "'--lot'" in usage_error(cli("orders", "pick", "SO-1", "--lot", "L-1"))
    assert "give scans" in usage_error(cli("orders", "pick", "SO-1"))
    assert "--quantity" in usage_error(cli("receipts", "receive", "ASN-2"))
    assert "No such option" in usage_error(cli("stock", "adjust", "--colour", "red"))
    assert "name both locations" in usage_error(cli("stock", "transfer", "SN-1"))


def test_serial_status_changes_search_counts_and_holds(cli: Run, tmp_path: Path) -> None:
    received(cli, tmp_path)
    assert ok(cli("serials", "status", "SN-A1", "defective", "--reason", "cracked")) == \
        "serial SN-A1: IN_STOCK → DEFECTIVE at MAIN/STOCK\n"
    assert ok(cli("serials", "status", "SN-A2", "INSTALLED", "--parent", "SN-B1")) == \
        "serial SN-A2: IN_STOCK → INSTALLED in SN-B1\n"
    listed = json.loads(ok(cli("serials", "list", "--q", "A", "-f", "json")))
    assert [(s["serial_number"], s["status"], s["parent_serial_id"] is not None)
            for s in listed] == [("SN-A1", "DEFECTIVE", False), ("SN-A2", "INSTALLED", True)]
    assert shown(ok(cli("serials", "list", "--status", "in_stock"))) == """\
Serials
┏━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Serial ┃ Product ┃ Lot       ┃ Status   ┃ Location   ┃ Order ┃
┡━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ SN-B1  │ PEN     │ LOT-EARLY │ IN_STOCK │ MAIN/STOCK │ —     │
│ SN-B2  │ PEN     │ LOT-EARLY │ IN_STOCK │ MAIN/STOCK │ —     │
└────────┴─────────┴───────────┴──────────┴────────────┴───────┘
"""
    counts = json.loads(ok(cli("serials", "counts", "-f", "json")))
    assert {k: v for k, v in counts.items() if v} == {"IN_STOCK": 2, "DEFECTIVE": 1,
                                                      "INSTALLED": 1, "ALL": 4}
    assert ok(cli("serials", "hold", "SN-B2", "--reason", "damaged box")) == \
        "serial SN-B2 on quarantine hold: damaged box\n"
    assert data_error(cli("serials", "hold", "SN-B2", "--reason", "again")) == \
        "error: conflict: serial 'SN-B2' is already on hold\n"
    assert ok(cli("serials", "release", "SN-B2")) == "serial SN-B2 released\n"
    assert data_error(cli("serials", "status", "SN-A1", "RECEIVED")) == (
        "error: invalid_transition: serial 'SN-A1' cannot go from DEFECTIVE to RECEIVED; "
        "allowed from DEFECTIVE: IN_STOCK, SCRAPPED\n")
    assert data_error(cli("serials", "status", "SN-B2", "FLYING")).startswith(
        "error: validation_error: status: unknown status 'FLYING'; expected one of ")
    assert data_error(cli("serials", "status", "NOPE", "IN_STOCK")) == \
        "error: not_found: serial not found: serial_number=NOPE\n"
    assert "'--limit'" in usage_error(cli("serials", "list", "--limit", "0"))
    assert ok(cli("serials", "status", "SN-A2", "IN_STOCK")) == \
        "serial SN-A2: INSTALLED → IN_STOCK at MAIN/STOCK\n"
    history = json.loads(ok(cli("serials", "history", "SN-A1", "-f", "json")))
    assert [(m["kind"], m["reason"]) for m in history][-1] == ("status_change", "cracked")
