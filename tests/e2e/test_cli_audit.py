"""`lotline audit list` and the reason rule of `lotline batches update` (issue 14 item 5),
through Typer's runner on a temporary SQLite file; outputs are checked exactly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from cli_kit import Run, data_error, make_cli, ok, seed_catalogue, usage_error


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    run = make_cli(f"sqlite:///{tmp_path / 'cli.db'}")
    seed_catalogue(run)
    ok(run("batches", "create", "--product", "OIL-1L", "--number", "L-1", "--quantity", "10",
           "--unit-cost", "2", "--expiry-date", "2027-01-01"))
    return run


def test_an_expiry_or_cost_change_needs_a_reason(cli: Run) -> None:
    assert data_error(cli("batches", "update", "L-1", "--expiry-date", "2027-02-01")) == (
        "error: validation_error: reason: is required to change expiry_date\n")
    assert data_error(cli("batches", "update", "L-1", "--unit-cost", "3", "--reason", " ")) == (
        "error: validation_error: reason: is required to change unit_cost\n")
    assert "name at least one field" in usage_error(cli("batches", "update", "L-1"))
    shown = json.loads(ok(cli("batches", "show", "L-1", "--format", "json")))
    assert (shown["expiry_date"], shown["unit_cost"]) == ("2027-01-01", 2)

    updated = json.loads(ok(cli("batches", "update", "L-1", "--expiry-date", "2027-02-01",
                                "--unit-cost", "2.40", "--reason", "label misprint",
                                "--format", "json")))
    assert (updated["expiry_date"], updated["unit_cost"]) == ("2027-02-01", 2.4)
    page = json.loads(ok(cli("audit", "list", "--entity", "batch", "--action", "update",
                             "--format", "json")))
    [entry] = page["items"]
    assert (entry["before"], entry["after"], entry["reason"], page["next_cursor"]) == (
        {"expiry_date": "2027-01-01", "unit_cost": "2"},
        {"expiry_date": "2027-02-01", "unit_cost": "2.4"}, "label misprint", None)


def test_list_pages_filters_and_tables(cli: Run) -> None:
    ok(cli("batches", "update", "L-1", "--number", "L-1B"))
    first = json.loads(ok(cli("audit", "list", "--limit", "2", "--format", "json")))
    assert [e["entity"] for e in first["items"]] == ["batch", "batch"]
    assert [e["action"] for e in first["items"]] == ["update", "create"]
    rest = json.loads(ok(cli("audit", "list", "--limit", "500", "--cursor",
                             first["next_cursor"], "--format", "json")))
    assert [e["entity"] for e in rest["items"]] == ["product", "product", "product"]
    out = ok(cli("audit", "list", "--entity", "batch", "--action", "update"))
    assert "batch_number: L-1 → L-1B" in out
    assert "Audit log (newest first)" in out and "1 entries" in out
    assert "—" in out  # no reason given
    assert json.loads(ok(cli("audit", "list", "--since", "2999-01-01", "--format",
                             "json"))) == {"items": [], "next_cursor": None}


def test_exports_and_bad_filters(cli: Run, tmp_path: Path) -> None:
    ok(cli("batches", "update", "L-1", "--unit-cost", "5", "--reason", "=1+1"))
    rows = list(csv.DictReader(io.StringIO(ok(cli("audit", "list", "--entity", "batch",
                                                  "--format", "csv")))))
    assert (rows[0]["action"], rows[0]["reason"], rows[0]["after"]) == (
        "update", "'=1+1", '{"unit_cost":"5"}')
    assert len(rows) == 2
    target = tmp_path / "audit.xlsx"
    assert ok(cli("audit", "list", "--format", "xlsx", "--output", str(target))) == (
        f"wrote 5 audit entries to {target}\n")
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())] == [
        "id", "occurred_at", "actor", "entity", "entity_id", "action", "reason", "before",
        "after"]
    assert sheet.max_row == 6

    assert "--output" in usage_error(cli("audit", "list", "--format", "xlsx"))
    assert data_error(cli("audit", "list", "--entity", "lots")).startswith(
        "error: validation_error: entity: 'lots' is not one of api_key, batch, customer")
    assert data_error(cli("audit", "list", "--since", "tomorrow")) == (
        "error: validation_error: since: must be an ISO 8601 date-time such as "
        "2026-12-07T12:00:00Z\n")
    assert data_error(cli("audit", "list", "--cursor", "abc")) == (
        "error: validation_error: cursor: is not a cursor this server issued\n")
    assert data_error(cli("audit", "list", "--limit", "0")) == (
        "error: validation_error: limit: must be between 1 and 500\n")
