"""Helpers of the command-line tests: a runner on a temporary SQLite file and checks of the
three kinds of outcome (success, data error = exit 1, misuse = exit 2)."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import CliRunner, Result

from lotline.entrypoints.cli import app

Run = Callable[..., Result]
# Wide enough that Rich never wraps a table cell in these tests; no URL from the environment.
ENV: dict[str, str | None] = {"COLUMNS": "200", "LOTLINE_DATABASE_URL": None}


def make_cli(db_url: str) -> Run:
    runner = CliRunner(env=ENV)

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(app, ["--database-url", db_url, *args], input=stdin)

    return run


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == ""
    return result.stdout


def data_error(result: Result) -> str:
    """Exit 1 with exactly one line on stderr and nothing on stdout."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return result.stderr


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    return result.stderr


def seed_catalogue(cli: Run) -> None:
    ok(cli("products", "add", "SCAN-1", "Barcode scanner", "--tracking", "serial",
           "--gtin", "4006381333931"))
    ok(cli("products", "add", "OIL-1L", "Olive oil 1 L", "--tracking", "lot",
           "--shelf-life-days", "540", "--expiry-alert-days", "14"))
    ok(cli("products", "add", "PEN", "Insulin pen", "--tracking", "lot_serial", "--uom", "ea"))
