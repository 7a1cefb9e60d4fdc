"""The `lotline` command line, driven as a user would: through Typer's runner on a temporary
SQLite file, and as a real process. Outputs are checked exactly. Lots and serials are in
test_cli_lots.py."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_kit import ENV, Run, data_error, make_cli, ok, seed_catalogue, usage_error
from typer.testing import CliRunner

from lotline.adapters.migrate import head_revisions
from lotline.entrypoints.cli import app

HEAD = head_revisions()[0]
PRODUCT_FIELDS = ["id", "sku", "name", "gtin", "uom", "tracking", "removal_strategy",
                  "shelf_life_days", "expiry_alert_days", "serial_pattern", "created_at",
                  "updated_at", "custom_fields"]


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    return make_cli(f"sqlite:///{tmp_path / 'cli.db'}")


# --- db --------------------------------------------------------------------------------------

def test_db_upgrade_on_a_new_file_prints_the_revision(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    runner = CliRunner(env=ENV)
    first = runner.invoke(app, ["--database-url", f"sqlite:///{path}", "db", "upgrade"])
    assert ok(first) == (f"sqlite:///{path} upgraded from an empty database to revision "
                         f"{HEAD} (head)\n")
    assert path.exists()
    again = runner.invoke(app, ["--database-url", f"sqlite:///{path}", "db", "upgrade"])
    assert ok(again) == f"sqlite:///{path} is already at revision {HEAD} (head)\n"


def test_database_url_comes_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    runner = CliRunner(env={**ENV, "LOTLINE_DATABASE_URL": url})
    ok(runner.invoke(app, ["products", "add", "ENV-1", "From env"]))
    listed = runner.invoke(app, ["--database-url", url, "products", "list", "--format", "json"])
    assert [p["sku"] for p in json.loads(ok(listed))] == ["ENV-1"]


def test_an_unusable_database_is_a_data_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    result = CliRunner(env=ENV).invoke(app, ["--database-url", url, "products", "list"])
    assert data_error(result) == (f"error: database_error: cannot use {url}: unable to open "
                                  "database file\n")


# --- products --------------------------------------------------------------------------------

def test_products_add_prints_json_with_normalised_values(cli: Run) -> None:
    out = ok(cli("products", "add", "SCAN-1", "Barcode scanner", "--tracking", "SERIAL",
                 "--gtin", "4006381333931", "--format", "json"))
    product = json.loads(out)
    assert list(product) == PRODUCT_FIELDS
    assert {k: v for k, v in product.items() if k not in ("id", "created_at", "updated_at")} == {
        "sku": "SCAN-1", "name": "Barcode scanner", "gtin": "04006381333931", "uom": "EA",
        "tracking": "serial", "removal_strategy": "fefo", "shelf_life_days": None,
        "expiry_alert_days": 30, "serial_pattern": None, "custom_fields": []}
    assert product["created_at"].endswith("+00:00")


def test_products_list_json_csv_and_table(cli: Run) -> None:
    seed_catalogue(cli)
    products = json.loads(ok(cli("products", "list", "--format", "json")))
    assert [(p["sku"], p["tracking"], p["uom"], p["shelf_life_days"],
             p["expiry_alert_days"]) for p in products] == [
        ("SCAN-1", "serial", "EA", None, 30), ("OIL-1L", "lot", "EA", 540, 14),
        ("PEN", "lot_serial", "EA", None, 30)]
    rows = list(csv.reader(io.StringIO(ok(cli("products", "list", "--format", "csv")))))
    assert rows[0] == PRODUCT_FIELDS
    assert [row[1:10] for row in rows[1:]] == [
        ["SCAN-1", "Barcode scanner", "04006381333931", "EA", "serial", "fefo", "", "30", ""],
        ["OIL-1L", "Olive oil 1 L", "", "EA", "lot", "fefo", "540", "14", ""],
        ["PEN", "Insulin pen", "", "EA", "lot_serial", "fefo", "", "30", ""]]
    assert [row[0] for row in rows[1:]] == [p["id"] for p in products]
    table = ok(cli("products", "list"))
    assert "Products" in table and "Barcode scanner" in table and "lot_serial" in table


def test_products_list_filters_and_limit(cli: Run) -> None:
    seed_catalogue(cli)
    by_q = json.loads(ok(cli("products", "list", "--q", "oil", "--format", "json")))
    assert [p["sku"] for p in by_q] == ["OIL-1L"]
    by_mode = json.loads(ok(cli("products", "list", "--tracking", "lot_serial", "-f", "json")))
    assert [p["sku"] for p in by_mode] == ["PEN"]
    limited = ok(cli("products", "list", "--limit", "1"))
    assert "SCAN-1" in limited and "OIL-1L" not in limited
    assert "first 1 shown; raise --limit for more" in limited
    assert ok(cli("products", "list", "--q", "nothing", "--format", "csv")) == \
        ",".join(PRODUCT_FIELDS) + "\n"
    assert ok(cli("products", "list", "--q", "nothing", "--format", "json")) == "[]\n"


def test_duplicate_sku_and_bad_tracking_are_data_errors(cli: Run) -> None:
    seed_catalogue(cli)
    duplicate = data_error(cli("products", "add", "PEN", "Another pen"))
    assert duplicate.startswith("error: conflict: sku 'PEN' is already used by product ")
    assert data_error(cli("products", "add", "X", "X", "--tracking", "batch")) == (
        "error: validation_error: tracking: unknown tracking 'batch'; expected one of lot, "
        "lot_serial, none, serial\n")


# --- the command line itself -----------------------------------------------------------------

def test_misused_command_lines_exit_2(cli: Run) -> None:
    assert "No such option: --bogus" in usage_error(cli("products", "list", "--bogus"))
    assert "Missing argument 'NAME'" in usage_error(cli("products", "add", "ONLY-SKU"))
    assert "Missing option '--number'" in usage_error(
        cli("batches", "create", "--product", "OIL-1L"))
    assert "'xml' is not one of" in usage_error(cli("products", "list", "--format", "xml"))
    assert "No such command 'frobnicate'" in usage_error(cli("frobnicate"))
    assert "Invalid value for '--limit'" in usage_error(
        cli("products", "list", "--limit", "many"))


def test_organizations_are_separate(cli: Run) -> None:
    seed_catalogue(cli)
    assert ok(cli("--organization", "acme", "products", "list", "--format", "json")) == "[]\n"
    assert len(json.loads(ok(cli("products", "list", "--format", "json")))) == 3


def lotline_script() -> Path:
    script = Path(sys.executable).with_name("lotline")
    if not script.exists():
        pytest.skip(f"the lotline console script is not installed next to {sys.executable}")
    return script


def test_the_installed_script_and_python_m(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'proc.db'}"
    env = {k: v for k, v in os.environ.items() if k != "LOTLINE_DATABASE_URL"}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                              check=False)

    created = run(str(lotline_script()), "--database-url", url, "products", "add", "P-1",
                  "Pump", "--tracking", "lot", "--format", "json")
    assert (created.returncode, created.stderr) == (0, "")
    listed = run(sys.executable, "-m", "lotline", "--database-url", url, "products", "list",
                 "--format", "csv")
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout.splitlines()[1].split(",")[1:3] == ["P-1", "Pump"]
    missing = run(sys.executable, "-m", "lotline", "--database-url", url, "batches", "create",
                  "--product", "NOPE", "--number", "L-1")
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        1, "", "error: not_found: product not found: sku=NOPE\n")
    misused = run(str(lotline_script()), "products", "list", "--bogus")
    assert misused.returncode == 2 and "No such option: --bogus" in misused.stderr
