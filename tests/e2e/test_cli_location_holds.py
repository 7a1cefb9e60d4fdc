"""`locations hold|release`, and `stock transfer` out of a held location: refused (exit 1, one
line), except to a quarantine or returns location with a reason (issue 16)."""

from __future__ import annotations

from pathlib import Path

from cli_kit import data_error, make_cli, ok

import lotline


def test_cli_transfer_out_of_a_held_location(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'holds.db'}"
    cli = make_cli(db_url)
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    svc = lotline.create_services(db_url)
    warehouse = svc.warehouses.default()
    svc.warehouses.create_location(warehouse.id, "SHELF-2", "storage")
    svc.warehouses.create_location(warehouse.id, "Q-1", "quarantine")
    lot = svc.batches.create(product_id=svc.products.by_sku("OIL").id, batch_number="OIL-1",
                             quantity="10")
    svc.engine.dispose()
    assert lot.location_id is not None
    assert ok(cli("locations", "hold", "STOCK", "--reason", "audit")) == \
        "location STOCK on quarantine hold: audit\n"
    assert data_error(cli("locations", "hold", "MAIN/STOCK", "--reason", "again")) == \
        "error: conflict: location 'STOCK' is already on hold\n"
    assert data_error(cli("stock", "transfer", "--from", "STOCK", "--to", "SHELF-2", "--lot",
                          "OIL-1", "--quantity", "4", "--reason", "reslot")) == (
        "error: lot_blocked: location STOCK is on quarantine hold (audit); stock may leave it "
        "only for a quarantine or returns location, with a reason\n")
    assert ok(cli("stock", "transfer", "--from", "STOCK", "--to", "Q-1", "--lot", "OIL-1",
                  "--quantity", "4", "--reason", "suspected leak")) == \
        "moved 4 of lot OIL-1 from MAIN/STOCK to MAIN/Q-1\n"
    assert ok(cli("locations", "release", "STOCK")) == "location STOCK released\n"
    assert ok(cli("stock", "transfer", "--from", "STOCK", "--to", "SHELF-2", "--lot", "OIL-1",
                  "--quantity", "4")) == "moved 4 of lot OIL-1 from MAIN/STOCK to MAIN/SHELF-2\n"
