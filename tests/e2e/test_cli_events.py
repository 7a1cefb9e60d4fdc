"""`lotline events tail`: the change feed as JSON lines, resumable with --after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok, seed_catalogue


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    return make_cli(f"sqlite:///{tmp_path / 'cli.db'}")


def test_tail_prints_events_and_resumes_after_a_cursor(cli: Run) -> None:
    seed_catalogue(cli)
    ok(cli("batches", "create", "--product", "OIL-1L", "--number", "OIL-A", "--quantity", "3"))
    lines = [json.loads(line) for line in ok(cli("events", "tail")).splitlines()]
    assert [(e["type"], e["data"]["lot_number"]) for e in lines] == [
        ("batch.created", "OIL-A")]
    assert lines[0]["data"]["product"]["sku"] == "OIL-1L"
    ok(cli("batches", "create", "--product", "OIL-1L", "--number", "OIL-B", "--quantity", "1"))
    later = [json.loads(line)
             for line in ok(cli("events", "tail", "--after", lines[0]["id"])).splitlines()]
    assert [e["data"]["lot_number"] for e in later] == ["OIL-B"]
    assert ok(cli("events", "tail", "--after", later[0]["id"])) == ""
    assert ok(cli("events", "tail", "--type", "order.created")) == ""


def test_tail_names_bad_input(cli: Run) -> None:
    assert "types" in data_error(cli("events", "tail", "--type", "lot.exploded"))
    assert "after" in data_error(cli("events", "tail", "--after", "99"))
