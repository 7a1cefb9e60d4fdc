"""FSMA 204 as DESIGN §8 says, on SQLite and PostgreSQL (tests/supply_world.py): the supplier's
traceability lot code passed on unchanged, lotline's own only for what it transforms, every
key data element of 21 CFR 1.1340, 1.1345 and 1.1350 a column and filled, location
descriptions of TLC source, ship-from and ship-to, returns as receiving rows, the whole
organization for a period of its own days, and a sortable XLSX."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from lotline.domain.reports import DESCRIPTION, FSMA204_COLUMNS, FSMA204_KDES
from lotline.entrypoints.report_files import report_bytes
from supply_world import Supply, build_supply

DAY = dt.date(2026, 4, 10)
FARM = ("Green Farms", "+1 831 555 0199", "1 Harbour Road", "Salinas", "CA", "93901", "US")
DC = ("Lotline Foods DC", "+1 555 0100", "9 Dock St", "Salinas", "CA", "93901", "US")
BOLT = ("Bolt Retail", "+1 503 555 0142", "7 Pine Ave", "Portland", "OR", "97201", "US")
CASH = ("Cash Cafe", "+1 541 555 0111", "3 Oak St", "Eugene", "OR", "97401", "US")
NONE = (None,) * 7


@pytest.fixture(scope="module")
def supply(database: Any) -> Supply:
    return build_supply(database.services)


def place(row: dict[str, Any], prefix: str) -> tuple[Any, ...]:
    return tuple(row[f"{prefix}_{part}"] for part in DESCRIPTION)


def test_every_kde_of_the_rule_is_a_column() -> None:
    assert list(FSMA204_KDES) == ["shipping", "receiving", "transformation_input",
                                  "transformation_output"]
    assert [len(kdes) for kdes in FSMA204_KDES.values()] == [8, 8, 3, 6]
    named = {column for kdes in FSMA204_KDES.values() for columns in kdes.values()
             for column in columns}
    assert named <= set(FSMA204_COLUMNS)
    # Beyond the rule: the event type, the SKU and the bin, to sort and find.
    assert set(FSMA204_COLUMNS) - named == {"event_type", "product_sku", "location"}
    assert len(FSMA204_COLUMNS) == 31


def test_the_rows_carry_the_right_codes_sources_and_places(supply: Supply) -> None:
    rows = supply.svc.reports.run("fsma204").rows
    assert [(r["event_type"], r["traceability_lot_code"], r["quantity"], place(r, "tlc_source"),
             place(r, "ship_from"), place(r, "ship_to"), r["reference_document_type"],
             r["reference_document_number"]) for r in rows] == [
        ("receiving", "L-2026-007", Decimal(100), FARM, FARM, DC, "receipt", "ASN-1"),
        ("receiving", "L-2026-007", Decimal(5), FARM, BOLT, DC, "return", "SO-1"),
        ("shipping", "L-2026-007", Decimal(30), FARM, DC, BOLT, "sales order", "SO-1"),
        ("transformation_input", "L-2026-007", Decimal(20), FARM, NONE, NONE, "transformation",
         "TR-SALAD"),
        ("receiving", "P-1", Decimal(3), FARM, FARM, DC, "receipt", "ASN-2"),
        ("receiving", "P-1", Decimal(1), FARM, BOLT, DC, "return", "SO-1"),
        ("shipping", "P-1", Decimal(2), FARM, DC, BOLT, "sales order", "SO-1"),
        ("shipping", "SAL-1", Decimal(4), DC, DC, CASH, "sales order", "SO-2"),
        ("transformation_output", "SAL-1", Decimal(10), DC, NONE, NONE, "transformation",
         "TR-SALAD")]
    assert {(r["product_description"], r["unit_of_measure"], r["event_date"]) for r in rows} \
        == {("Romaine lettuce", "EA", DAY), ("Marker pen", "EA", DAY),
            ("Caesar salad bowl", "EA", DAY)}


def test_every_kde_is_filled_for_its_event(supply: Supply) -> None:
    rows = supply.svc.reports.run("fsma204").rows
    checked = 0
    for row in rows:
        for kde, columns in FSMA204_KDES[row["event_type"]].items():
            for column in columns:
                assert row[column] not in (None, ""), (row["event_type"], kde, column)
                checked += 1
    # 28 cells for each of 4 receiving and 3 shipping rows (three places of 7 but one, 7
    # single cells), 4 for the transformation input, 14 for its output.
    assert checked == 7 * 28 + 4 + 14
    assert {row["event_type"] for row in rows} == set(FSMA204_KDES)


def test_a_period_is_days_of_the_organization_and_a_lot_narrows(supply: Supply) -> None:
    reports = supply.svc.reports
    assert len(reports.run("fsma204", start=DAY, end=DAY).rows) == 9
    assert reports.run("fsma204", start=DAY + dt.timedelta(days=1)).rows == []
    salad = reports.run("fsma204", batch_id=supply.lots["SAL-1"].id).rows
    assert [r["event_type"] for r in salad] == ["shipping", "transformation_output"]
    # At UTC+14 the receipts (09:00 UTC) fall on the 10th, everything after on the 11th.
    supply.svc.settings.update(timezone="Pacific/Kiritimati")
    try:
        tenth = reports.run("fsma204", start=DAY, end=DAY).rows
        eleventh = reports.run("fsma204", start=DAY + dt.timedelta(days=1)).rows
    finally:
        supply.svc.settings.update(timezone="Europe/Lisbon")
    assert [(r["reference_document_number"], r["event_date"]) for r in tenth] == [
        ("ASN-1", DAY), ("ASN-2", DAY)]
    assert len(eleventh) == 7


def test_the_xlsx_is_sortable_with_typed_cells(supply: Supply) -> None:
    report = supply.svc.reports.run("fsma204")
    book = openpyxl.load_workbook(io.BytesIO(report_bytes(report, "xlsx")))
    sheet = book.worksheets[0]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:AE10")
    header = [cell.value for cell in sheet[1]]
    assert header == list(FSMA204_COLUMNS)
    first = list(sheet[2])
    assert first[1].is_date and first[1].value == dt.datetime(2026, 4, 10)
    assert (first[2].value, first[5].value, first[7].value) == ("L-2026-007", 100, "Green Farms")
