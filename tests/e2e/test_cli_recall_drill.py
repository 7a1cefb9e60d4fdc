"""`lotline recall drill` on SQLite and PostgreSQL, on the genealogy of tests/trace_world.py:
the three files it writes (FSMA 204 spreadsheet, customers with contacts, EPCIS document), its
summary line with the time taken, and that it changes nothing; bad input exits 1 or 2."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
from cli_kit import data_error, ok, usage_error
from sqlalchemy import func, select
from test_cli_trace import world_cli

from lotline.adapters import tables as t
from lotline.domain.reports import FSMA204_COLUMNS
from trace_world import World


def counts(world: World) -> dict[str, int]:
    with world.svc.engine.connect() as conn:
        return {table.name: int(conn.execute(select(func.count()).select_from(table))
                                .scalar_one()) for table in t.metadata.sorted_tables}


def test_a_drill_writes_three_files_and_changes_nothing(database: Any, tmp_path: Path) -> None:
    world, cli = world_cli(database.url, database.engine)
    before = counts(world)
    target = tmp_path / "drill"
    message = ok(cli("recall", "drill", "--lot", "OF-26-01", "--output", str(target)))
    assert counts(world) == before
    lines = message.splitlines()
    assert lines[0] == ("recall drill of lot OF-26-01: 4 lots traced, 3 customers, 3 orders, "
                        "shipped 57; 10 FSMA 204 rows, 7 EPCIS events")
    assert re.fullmatch(rf"built in \d+ ms \(\d+ ms with the files\), written to "
                        rf"{re.escape(str(target))}; nothing was changed", lines[1]), lines[1]
    assert sorted(p.name for p in target.iterdir()) == ["customers.csv", "epcis.json",
                                                        "fsma204.xlsx"]
    sheet = openpyxl.load_workbook(target / "fsma204.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == FSMA204_COLUMNS and len(rows) == 11
    customers = list(csv.DictReader(io.StringIO((target / "customers.csv").read_text())))
    assert [(r["customer_name"], r["order_reference"], r["batch_number"], r["quantity"],
             r["serial_numbers"]) for r in customers] == [
        ("Alice Deli", "SO-ALICE", "BT-1", "20", ""),
        ("Alice Deli", "SO-ALICE", "GB-1", "2", "GB-001 GB-002"),
        ("Bob Market", "SO-BOB", "BT-1", "30", ""),
        ("Carol Cafe", "SO-CAROL", "BL-1", "5", "")]
    document = json.loads((target / "epcis.json").read_text(encoding="utf-8"))
    assert len(document["epcisBody"]["eventList"]) == 7


def test_csv_spreadsheet_and_bad_input(database: Any, tmp_path: Path) -> None:
    _world, cli_run = world_cli(database.url, database.engine)
    ok(cli_run("recall", "drill", "--lot", "BL-1", "--product", "OIL-BLEND", "-o",
               str(tmp_path), "--fsma-format", "csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.csv", "epcis.json",
                                                          "fsma204.csv"]
    assert data_error(cli_run("recall", "drill", "--lot", "NOPE", "-o", str(tmp_path))) \
        == "error: not_found: batch not found: batch_number=NOPE\n"
    assert "--fsma-format" in usage_error(cli_run("recall", "drill", "--lot", "BL-1", "-o",
                                                  str(tmp_path), "--fsma-format", "ods"))
    assert "--output" in usage_error(cli_run("recall", "drill", "--lot", "BL-1"))
