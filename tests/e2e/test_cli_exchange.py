"""`lotline scan`, `import`, `export`, `labels` and `demo --serials/--orders`, driven as a
user would through Typer's runner on a temporary SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import Run, make_cli, ok, usage_error

DM = "]d201095060001343521727123110LOT-A<GS>21A-1"


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    run = make_cli(f"sqlite:///{tmp_path / 'cli.db'}")
    ok(run("products", "add", "PEN", "Insulin pen", "--tracking", "lot_serial", "--gtin",
           "09506000134352"))
    ok(run("batches", "create", "--product", "PEN", "--number", "LOT-A", "--quantity", "10",
           "--expiry-date", "2027-12-31"))
    return run


def test_import_dry_run_real_run_and_failure(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "serials.csv"
    path.write_text("serial_number\nA-1\nA-2\n")
    assert ok(cli("import", "serials", str(path), "--batch", "LOT-A", "--dry-run")) == (
        "serials: 2 rows read, would import 2\n")
    assert ok(cli("import", "serials", str(path), "--batch", "LOT-A")) == (
        "serials: 2 rows read, imported 2\n")
    again = cli("import", "serials", str(path), "--batch", "LOT-A", "--format", "json")
    assert again.exit_code == 1
    assert again.stderr == "error: validation_error: serials.csv: 2 problems; nothing was " \
                           "imported\n"
    report = json.loads(again.stdout)
    assert [(e["row"], e["reason"]) for e in report["errors"]] == [
        (2, "already registered"), (3, "already registered")]
    usage_error(cli("import", "serials", str(tmp_path / "missing.csv")))


def test_scan_export_and_labels(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "serials.csv"
    path.write_text("serial_number\nA-1\n")
    ok(cli("import", "serials", str(path), "--batch", "LOT-A"))
    scanned = json.loads(ok(cli("scan", DM, "--format", "json")))
    assert (scanned["gtin"], scanned["lot"], scanned["serial"], scanned["expiry_date"],
            scanned["source"], scanned["warnings"]) == (
        "09506000134352", "LOT-A", "A-1", "2027-12-31", "gs1", [])
    table = ok(cli("scan", "A-1"))
    assert "serial_number (serial-number)" in table and "MAIN/STOCK" in table
    assert ok(cli("export", "serials")).splitlines() == [
        "serial_number,product,batch_number,supplier,status,warehouse,location,purchase_date,"
        "warranty_expiry,unit_cost", "A-1,PEN,LOT-A,,IN_STOCK,MAIN,STOCK,,,"]
    xlsx = tmp_path / "lots.xlsx"
    assert ok(cli("export", "lots", "-o", str(xlsx))) == f"exported 1 batches to {xlsx}\n"
    assert xlsx.read_bytes()[:2] == b"PK"
    pdf = tmp_path / "labels.pdf"
    assert ok(cli("labels", "serials", "A-1", "-o", str(pdf), "--layout", "single")) == (
        f"wrote serial labels to {pdf}\n")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert ok(cli("labels", "lots", "LOT-A", "-o", str(pdf), "--copies", "2")) == (
        f"wrote 2 lot labels to {pdf}\n")


def test_large_demo(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    run = make_cli(url)
    out = json.loads(ok(run("demo", "--database-url", url, "--serials", "3000", "--orders",
                            "200", "--format", "json")))
    assert (out["serials"], out["orders"], out["suppliers"], out["customers"]) == (
        3000, 200, 12, 100)
    assert out["products"] == {"none": 4, "lot": 8, "serial": 4, "lot_serial": 8}
