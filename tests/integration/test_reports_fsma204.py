"""Reports on the genealogy of tests/trace_world.py, on SQLite and PostgreSQL: the FDA FSMA 204
sortable spreadsheet (opened with openpyxl: its columns and exact values), valuation, and every
report in each file format the doors offer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from flow_support import MovableClock

from lotline.domain.errors import NotFound, ValidationError
from lotline.domain.reports import FSMA204_COLUMNS, REPORT_NAMES
from lotline.entrypoints.report_files import report_bytes
from trace_world import World, build_world

D = Decimal
DAY = dt.date(2026, 4, 10)  # support.FIXED_NOW, the clock of this world
REQUIRED_KDES = {"event_type", "event_date", "traceability_lot_code",
                 "tlc_source_name", "product_description", "quantity",
                 "unit_of_measure", "location", "reference_document_type",
                 "reference_document_number"}


@pytest.fixture(scope="module")
def world(database: Any) -> World:
    return build_world(database.services(clock=MovableClock()))


def sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


SHOWN = ("event_type", "event_date", "traceability_lot_code", "tlc_source_name",
         "product_sku", "product_description", "quantity", "unit_of_measure", "ship_from_name",
         "ship_to_name", "ship_to_city", "location", "reference_document_type",
         "reference_document_number")
# BT-1 was made here (the repack): lotline's own lot number is its TLC, the warehouse its
# source.
BOTTLES_FSMA = [
    ("shipping", DAY, "BT-1", "Main warehouse", "BOTTLE-500", "Olive oil 500 ml bottle", 20,
     "EA", "Main warehouse", "Alice Deli", "Lisbon", "STOCK", "sales order", "SO-ALICE"),
    ("shipping", DAY, "BT-1", "Main warehouse", "BOTTLE-500", "Olive oil 500 ml bottle", 30,
     "EA", "Main warehouse", "Bob Market", "Porto", "STOCK", "sales order", "SO-BOB"),
    ("transformation_output", DAY, "BT-1", "Main warehouse", "BOTTLE-500",
     "Olive oil 500 ml bottle", 60, "EA", None, None, None, "STOCK", "transformation",
     "TR-REPACK"),
]


def test_the_fsma204_spreadsheet_of_a_lot_has_the_required_columns_and_exact_values(
        world: World) -> None:
    report = world.svc.reports.run("fsma204", batch_id=world.lot_id("BT-1"))
    assert set(report.columns) >= REQUIRED_KDES
    rows = sheet_rows(report_bytes(report, "xlsx"))
    assert rows[0] == FSMA204_COLUMNS
    index = [FSMA204_COLUMNS.index(name) for name in SHOWN]
    read = [tuple(row[i].date() if isinstance(row[i], dt.datetime) else row[i] for i in index)
            for row in rows[1:]]
    assert read == BOTTLES_FSMA
    # Quantities are numbers and dates are dates in the sheet, so it sorts and sums.
    assert isinstance(rows[1][5], int) and isinstance(rows[1][1], dt.datetime)


def test_the_fsma204_spreadsheet_of_a_day_lists_every_critical_tracking_event(
        world: World) -> None:
    report = world.svc.reports.run("fsma204", start=DAY, end=DAY)
    events = [(r["traceability_lot_code"], r["event_type"], r["quantity"],
               r["reference_document_number"]) for r in report.rows]
    assert events == [
        ("BL-1", "shipping", D(5), "SO-CAROL"),
        ("BL-1", "transformation_input", D(70), "TR-REPACK"),
        ("BL-1", "transformation_output", D(100), "TR-BLEND"),
        ("BT-1", "shipping", D(20), "SO-ALICE"),
        ("BT-1", "shipping", D(30), "SO-BOB"),
        ("BT-1", "transformation_output", D(60), "TR-REPACK"),
        ("GB-1", "shipping", D(2), "SO-ALICE"),
        ("GB-1", "transformation_output", D(5), "TR-REPACK"),
        ("HG-77", "receiving", D(50), "ASN-HG-1"),
        ("HG-77", "shipping", D(5), "SO-DAVE"),
        ("HG-77", "transformation_input", D(40), "TR-BLEND"),
        ("OF-26-01", "receiving", D(100), "ASN-OF-1"),
        ("OF-26-01", "transformation_input", D(60), "TR-BLEND"),
    ]
    receiving = report.rows[-2]
    assert (receiving["ship_from_name"], receiving["ship_to_name"], receiving["location"],
            receiving["tlc_source_name"], receiving["unit_of_measure"],
            receiving["reference_document_type"]) == (
        "Olive Farm", "Main warehouse", "RECEIVING", "Olive Farm", "LTR", "receipt")
    assert world.svc.reports.run("fsma204", start=DAY + dt.timedelta(days=1)).rows == []


def test_fsma204_covers_the_organization_or_a_lot_and_a_range_in_order(world: World) -> None:
    whole = world.svc.reports.run("fsma204")
    assert whole.rows == world.svc.reports.run("fsma204", start=DAY, end=DAY).rows
    assert len(whole.rows) == 13
    with pytest.raises(ValidationError, match="is before start"):
        world.svc.reports.run("fsma204", start="2026-05-01", end="2026-04-01")
    with pytest.raises(NotFound, match="batch_id=nope"):
        world.svc.reports.run("fsma204", batch_id="nope")


def test_valuation_is_exact_per_product(world: World) -> None:
    rows = world.svc.reports.run("valuation").rows
    assert [(r["product_sku"], r["on_hand"], r["value"], r["average_cost"]) for r in rows] == [
        ("BOTTLE-500", D(10), D("25.84615"), D("2.584615")),
        ("GIFT-BOX", D(3), D("7.753845"), D("2.584615")),
        ("OIL-BLEND", D(25), D(60), D("2.4")),
        ("OIL-BULK", D(45), D(95), D("2.111111")),
    ]


PARAMETERS: dict[str, dict[str, Any]] = {
    "expiring": {"days": 400, "as_of": "2026-06-01"}, "expired": {"as_of": "2027-04-01"},
    "serial-history": {"serial_number": "GB-001"}, "fsma204": {"start": "2026-04-10"}}


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_every_report_renders_the_same_rows_as_json_csv_and_xlsx(world: World,
                                                                 name: str) -> None:
    parameters = dict(PARAMETERS.get(name, {}))
    if name == "lot-history":
        parameters["batch_id"] = world.lot_id("BT-1")
    report = world.svc.reports.run(name, **parameters)
    assert report.rows, name
    document = json.loads(report_bytes(report, "json"), parse_float=Decimal)
    assert (document["name"], document["columns"]) == (name, list(report.columns))
    assert len(document["items"]) == len(report.rows)
    table = list(csv.reader(io.StringIO(report_bytes(report, "csv").decode())))
    assert table[0] == list(report.columns) and len(table) == len(report.rows) + 1
    sheet = sheet_rows(report_bytes(report, "xlsx"))
    assert sheet[0] == report.columns and len(sheet) == len(report.rows) + 1
    first = report.rows[0]
    for index, column in enumerate(report.columns):
        value = first[column]
        if isinstance(value, Decimal):
            assert D(str(sheet[1][index])) == value, column
            assert D(document["items"][0][column]) == value, column
            assert D(table[1][index]) == value, column
        elif isinstance(value, str):
            assert sheet[1][index] == value == document["items"][0][column] == table[1][index]


def test_expiring_and_expired_judge_by_the_day_given(world: World) -> None:
    expiring = world.svc.reports.run("expiring", days=400, as_of="2026-06-01").rows
    assert [(r["batch_number"], r["on_hand"], r["days_left"]) for r in expiring] == [
        ("BT-1", D(10), 303), ("GB-1", D(3), 303), ("BL-1", D(25), 303), ("HG-77", D(5), 303),
        ("OF-26-01", D(40), 394)]
    expired = world.svc.reports.run("expired", as_of="2027-03-31").rows
    assert sorted(r["batch_number"] for r in expired) == ["BL-1", "BT-1", "GB-1", "HG-77"]
