"""`serials status NUMBER RESERVED --customer C`: seed 001's reservation for a customer without
an order, shown as "reserved for" by lookup and list, released, and taken by the customer's
order (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import data_error, make_cli, ok


def test_cli_reserve_show_release_and_convert(tmp_path: Path) -> None:
    cli = make_cli(f"sqlite:///{tmp_path / 'reserve.db'}")
    ok(cli("products", "add", "SCAN-1", "Barcode scanner", "--tracking", "serial"))
    ok(cli("customers", "add", "Bolt Pharmacy", "--code", "BOLT"))
    ok(cli("customers", "add", "Other Shop", "--code", "OTHER"))
    ok(cli("serials", "register", "SN-1", "SN-2", "--product", "SCAN-1"))
    assert data_error(cli("serials", "status", "SN-1", "RESERVED")) == (
        "error: validation_error: order_id: is required to allocate a unit (or customer_id to "
        "reserve it for a customer)\n")
    assert data_error(cli("serials", "status", "SN-1", "RESERVED", "--customer", "NOPE")) == \
        "error: not_found: customer not found: code=NOPE\n"
    assert ok(cli("serials", "status", "SN-1", "RESERVED", "--customer", "BOLT")) == (
        "serial SN-1: IN_STOCK → ALLOCATED at MAIN/STOCK, reserved for Bolt Pharmacy\n")
    assert "│ Reserved for    │ Bolt Pharmacy" in ok(cli("serials", "lookup", "SN-1"))
    listed = ok(cli("serials", "list", "--status", "reserved"))
    assert "reserved for Bolt Pharmacy" in listed and "SN-1" in listed
    shown = json.loads(ok(cli("serials", "lookup", "SN-1", "--format", "json")))
    assert (shown["status"], shown["order_id"], shown["customer_id"] is not None) == (
        "ALLOCATED", None, True)
    assert ok(cli("serials", "status", "SN-1", "IN_STOCK")) == \
        "serial SN-1: ALLOCATED → IN_STOCK at MAIN/STOCK\n"
    history = ok(cli("serials", "history", "SN-1"))
    assert "reserved for customer 'Bolt Pharmacy'" in history
    assert "reservation for customer 'Bolt Pharmacy' released" in history

    ok(cli("serials", "status", "SN-2", "RESERVED", "--customer", "Bolt Pharmacy"))
    ok(cli("orders", "create", "SO-1", "--customer", "OTHER", "--line", "SCAN-1=1"))
    ok(cli("orders", "create", "SO-2", "--customer", "BOLT", "--line", "SCAN-1=1"))
    ok(cli("orders", "allocate", "SO-1"))
    ok(cli("orders", "allocate", "SO-2"))
    first = json.loads(ok(cli("serials", "lookup", "SN-1", "--format", "json")))
    second = json.loads(ok(cli("serials", "lookup", "SN-2", "--format", "json")))
    assert first["status"] == second["status"] == "ALLOCATED"
    orders = {o["reference"]: o["id"] for o in json.loads(
        ok(cli("orders", "list", "--format", "json")))}
    assert (first["order_id"], second["order_id"]) == (orders["SO-1"], orders["SO-2"])
