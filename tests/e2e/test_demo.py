"""`lotline demo`: seeds realistic data through the services, prints what it made, and can be
run again on the same database without failing or doubling anything."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import lotline
from lotline.demo import DEMO_STEPS, seed_demo
from lotline.entrypoints.cli import app

ENV: dict[str, str | None] = {"COLUMNS": "200", "LOTLINE_DATABASE_URL": None}
SERIAL_COUNTS = {"ALL": 68, "EXPECTED": 3, "RECEIVED": 0, "IN_STOCK": 43, "ALLOCATED": 5,
                 "PICKED": 1, "SHIPPED": 12, "RETURNED": 1, "DEFECTIVE": 2, "SCRAPPED": 1,
                 "CONSUMED": 0, "INSTALLED": 0, "CANCELLED": 0}


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    result = CliRunner(env={**ENV, **(env or {})}).invoke(app, list(args))
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == ""
    return result


def demo_json(url: str, *extra: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(
        invoke("demo", "--no-serve", "--database-url", url, "--format", "json", *extra).stdout)
    return summary


@dataclass(frozen=True)
class Demo:
    url: str
    summary: dict[str, Any]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    return Demo(url, demo_json(url))


def test_demo_summary_counts(demo: Demo) -> None:
    summary = demo.summary
    assert (summary["seeded"], summary["suppliers"], summary["customers"], summary["orders"]) \
        == (True, 4, 3, 4)
    assert summary["serial_counts"] == SERIAL_COUNTS
    products = {p["sku"]: p for p in summary["products"]}
    modes = sorted(p["tracking"] for p in products.values())
    assert modes == ["lot", "lot", "lot", "lot_serial", "lot_serial", "none", "none", "serial",
                     "serial"]
    assert (products["RX-INSULIN-PEN"]["lots"], products["RX-INSULIN-PEN"]["on_hand"],
            products["RX-INSULIN-PEN"]["serials"]) == (2, 24, 30)
    assert products["PKG-CARTON-M"]["on_hand"] == 800


def test_demo_lots_are_expired_near_and_far_from_expiry(demo: Demo) -> None:
    today = dt.date.fromisoformat(demo.summary["today"])
    lots = demo.summary["lots"]
    for lot in lots:
        if lot["expiry_date"] is not None:
            expiry = dt.date.fromisoformat(lot["expiry_date"])
            assert lot["days_to_expiry"] == (expiry - today).days
    days = [lot["days_to_expiry"] for lot in lots if lot["days_to_expiry"] is not None]
    assert any(d < 0 for d in days) and any(0 < d <= 30 for d in days)
    assert any(d > 365 for d in days)
    states = {lot["batch_number"]: lot["state"] for lot in lots}
    assert (states["OL-2311"], states["AMX-23K02"], states["AMX-24C05"], states["OL-2502"]) == \
        ("expired", "expired", "on quarantine hold", "active")
    yogurt = next(lot for lot in lots if lot["batch_number"] == "YG-0412")
    assert yogurt["days_to_expiry"] == 8  # filled from the product's shelf life


def test_demo_data_is_usable_through_the_other_commands(demo: Demo) -> None:
    base = ("--database-url", demo.url)
    shipped = json.loads(invoke(*base, "serials", "lookup", "SCX1-24-101", "-f", "json").stdout)
    assert shipped["status"] == "SHIPPED" and shipped["order_id"] is not None
    history = json.loads(invoke(*base, "serials", "history", "LT14-7F3K-0001", "-f",
                                "json").stdout)
    assert [m["kind"] for m in history] == ["receipt", "allocation", "shipment", "return"]
    held = json.loads(invoke(*base, "batches", "show", "AMX-24C05", "-f", "json").stdout)
    assert (held["hold"]["kind"], held["available_quantity"], held["balance_quantity"]) == \
        ("quarantine", 0, 90)
    near = json.loads(invoke(*base, "batches", "list", "--product", "RX-INSULIN-PEN", "-f",
                             "json").stdout)
    assert [(b["batch_number"], b["quantity"], b["balance_quantity"]) for b in near] == \
        [("INS-24A02", 10, 4), ("INS-24B11", 30, 20)]


def test_demo_twice_on_the_same_file_adds_nothing(demo: Demo) -> None:
    again = demo_json(demo.url)
    # Only the credentials change: every run gives the demo users new passwords.
    assert {**again, "access": None} == {**demo.summary, "seeded": False, "access": None}
    table = invoke("demo", "--no-serve", "--database-url", demo.url).stdout
    assert "already has data; nothing was added (--reset starts over)." in table


def test_demo_reset_seeds_afresh(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reset.db'}"
    first = demo_json(url)
    again = demo_json(url, "--reset")
    assert again["seeded"] is True
    assert again["serial_counts"] == first["serial_counts"] == SERIAL_COUNTS
    assert len(again["lots"]) == len(first["lots"]) == 14


def test_demo_prints_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tables.db'}"
    out = invoke("demo", "--no-serve", "--database-url", url).stdout
    assert out.startswith(f"Seeded demo data into {url} (organization default).\n")
    for text in ("Products (4 suppliers, 3 customers, 4 orders)", "Lots (today is ",
                 "Serials per status", "on quarantine hold", "RX-INSULIN-PEN", "lot_serial",
                 "DEFECTIVE"):
        assert text in out


def test_demo_seeds_lotline_database_url_else_lotline_demo_db(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    chosen = tmp_path / "chosen.db"
    out = invoke("demo", "--no-serve", env={"LOTLINE_DATABASE_URL": f"sqlite:///{chosen}"}).stdout
    assert out.startswith(f"Seeded demo data into sqlite:///{chosen} (organization default).")
    assert chosen.exists() and not (tmp_path / "lotline-demo.db").exists()
    out = invoke("demo", "--no-serve").stdout
    assert out.startswith("Seeded demo data into sqlite:///lotline-demo.db")
    assert (tmp_path / "lotline-demo.db").exists()


def test_the_demo_has_receipts_to_receive_by_scan_and_an_order_to_pick() -> None:
    svc = lotline.create_services("sqlite://")
    seed_demo(svc)
    receipts = {r.reference: r for r in svc.receipts.list(status="open", limit=10).items}
    assert sorted(receipts) == ["ASN-2001", "ASN-2002"]
    laptops = receipts["ASN-2001"].lines[0]
    assert (laptops.expected_quantity, sorted(laptops.expected_serials)) == (
        3, ["LT14-7F3K-0101", "LT14-7F3K-0102", "LT14-7F3K-0103"])
    assert svc.serials.lookup("LT14-7F3K-0101").status.value == "EXPECTED"
    assert [(svc.products.get(line.product_id).sku, line.expected_quantity)
            for line in receipts["ASN-2002"].lines] == [("RX-AMOX-500", 50),
                                                        ("RX-INSULIN-PEN", 2)]
    order = svc.orders.by_reference("SO-1004")
    assert order.status == "allocated"
    assert [len(item.serial_numbers) for item in svc.orders.pick_list(order.id)] == [2]


def test_demo_reset_refuses_a_server_database() -> None:
    result = CliRunner(env=ENV).invoke(
        app, ["demo", "--reset", "--database-url", "postgresql://u:secret@db.invalid/x"])
    assert result.exit_code == 2
    assert "--reset deletes a SQLite database file" in result.stderr
    assert "secret" not in result.stderr


def test_seed_demo_from_the_library_reports_each_step() -> None:
    svc = lotline.create_services("sqlite://")
    steps: list[str] = []
    summary = seed_demo(svc, on_step=steps.append)
    assert steps == [label for label, _ in DEMO_STEPS]
    assert summary.seeded and summary.serial_counts == SERIAL_COUNTS
    assert seed_demo(svc, on_step=steps.append).seeded is False
    assert len(steps) == len(DEMO_STEPS)


def test_make_demo_command_line_twice(tmp_path: Path) -> None:
    """The Makefile's `lotline demo --database-url sqlite:///...` (without serving; the
    serving demo is in test_serve.py), as a real process."""
    script = Path(sys.executable).with_name("lotline")
    command = [str(script) if script.exists() else sys.executable, *(
        [] if script.exists() else ["-m", "lotline"]), "demo", "--no-serve", "--database-url",
        f"sqlite:///{tmp_path / 'lotline-demo.db'}"]
    env = {k: v for k, v in os.environ.items() if k != "LOTLINE_DATABASE_URL"}
    for expected in ("Seeded demo data into", "already has data"):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                              check=False)
        assert (done.returncode, done.stderr) == (0, "")
        assert expected in done.stdout.splitlines()[0]
