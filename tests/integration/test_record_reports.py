"""Seed 002's reports through the library: `serial-number-location` and
`lot-movement-history`, a page at a time and streamed whole into CSV, JSON and XLSX files
without holding the rows in memory."""

from __future__ import annotations

import io
import json
import tempfile
import tracemalloc
from decimal import Decimal

import openpyxl  # imported before measuring: its first import alone takes 8 MB
import pytest

from lotline.bootstrap import Services
from lotline.entrypoints.report_files import write_report
from lotline.errors import NotFound, ValidationError
from support import FIXED_NOW, Kit


def test_serial_number_location_rows_and_filters(fixed_svc: Services, fixed_kit: Kit) -> None:
    svc, kit = fixed_svc, fixed_kit
    product, lot = kit.serial_lot()
    svc.serials.register_many(["L-1", "L-2", "L-3"], batch_id=lot.id)
    loose = kit.product("serial")
    svc.serials.register("X-1", product_id=loose.id, status="EXPECTED")
    page = svc.reports.serial_number_location(limit=3)
    assert [(r["serial_number"], r["product_sku"], r["batch_number"], r["status"],
             r["warehouse"], r["location"]) for r in page.rows] == [
        ("L-1", product.sku, lot.batch_number, "IN_STOCK", "MAIN", "STOCK"),
        ("L-2", product.sku, lot.batch_number, "IN_STOCK", "MAIN", "STOCK"),
        ("L-3", product.sku, lot.batch_number, "IN_STOCK", "MAIN", "STOCK")]
    assert (page.paged, page.next_cursor is not None) == (True, True)
    last = svc.reports.run("serial-number-location", limit=3, cursor=page.next_cursor)
    assert [(r["serial_number"], r["batch_number"], r["status"], r["location"])
            for r in last.rows] == [("X-1", None, "EXPECTED", None)]
    assert last.next_cursor is None
    assert [r["serial_number"] for r in svc.reports.serial_number_location(
        status="expected").rows] == ["X-1"]
    assert svc.reports.serial_number_location(product_id=loose.id).parameters == {
        "product_id": loose.id, "batch_id": None, "status": None, "warehouse_id": None,
        "location_id": None}
    with pytest.raises(ValidationError) as caught:
        svc.reports.serial_number_location(kind="receipt")
    assert (caught.value.errors[0].field, caught.value.errors[0].message) == (
        "kind", "is not a filter of report serial-number-location (filters: product_id, "
        "batch_id, status, warehouse_id, location_id)")
    with pytest.raises(ValidationError):
        svc.reports.serial_number_location(limit=501)
    with pytest.raises(NotFound):
        svc.reports.page("valuation")


def test_lot_movement_history_across_lots(fixed_svc: Services, fixed_kit: Kit) -> None:
    svc, kit = fixed_svc, fixed_kit
    oil = kit.product("lot")
    first = kit.lot(oil, "OIL-A", quantity=10, unit_cost="2.5")
    second = kit.lot(oil, "OIL-B", quantity=4)
    svc.stock.adjust(batch_id=first.id, quantity_delta="-1.5", reason="spilt")
    report = svc.reports.lot_movement_history()
    assert [(r["kind"], r["batch_number"], r["quantity"], r["from_location"],
             r["to_location"], r["unit_cost"], r["reason"], r["occurred_at"])
            for r in report.rows] == [
        ("receipt", "OIL-A", Decimal(10), None, "MAIN/STOCK", Decimal("2.5"), None, FIXED_NOW),
        ("receipt", "OIL-B", Decimal(4), None, "MAIN/STOCK", None, None, FIXED_NOW),
        ("adjustment", "OIL-A", Decimal("1.5"), "MAIN/STOCK", None, Decimal("2.5"), "spilt",
         FIXED_NOW)]
    assert [r["batch_number"] for r in svc.reports.lot_movement_history(
        batch_id=second.id).rows] == ["OIL-B"]
    day = FIXED_NOW.date().isoformat()
    assert [r["kind"] for r in svc.reports.lot_movement_history(
        kind="adjustment", start=day, end=day, product_id=oil.id,
        location_id=kit.stock_location_id()).rows] == ["adjustment"]
    assert svc.reports.lot_movement_history(end="2000-01-01").rows == []
    with pytest.raises(ValidationError) as caught:
        svc.reports.lot_movement_history(start=day, end="2000-01-01")
    assert caught.value.errors[0].field == "end"


def _written(svc: Services, file_format: str, trace: bool = False) -> tuple[int, bytes, int]:
    """Rows written, the file, and the peak memory traced while writing it (with `trace`:
    tracing slows the writing several times)."""
    with tempfile.TemporaryFile() as target:
        if trace:
            tracemalloc.start()
        try:
            with svc.reports.streamed("serial-number-location") as (header, rows):
                count = write_report(target, header, rows, file_format)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        target.seek(0)
        return count, target.read(), peak


def test_files_are_streamed_with_flat_memory(fixed_svc: Services, fixed_kit: Kit) -> None:
    svc, kit = fixed_svc, fixed_kit
    product, lot = kit.serial_lot(quantity=8_000)
    svc.serials.register_many([f"M-{n:05d}" for n in range(2_000)], batch_id=lot.id)
    small_count, small_file, small_peak = _written(svc, "csv", trace=True)
    svc.serials.register_many([f"M-{n:05d}" for n in range(2_000, 8_000)], batch_id=lot.id)
    count, content, peak = _written(svc, "csv", trace=True)
    # Four times the rows, the same memory: rows go to the file as they come (1,000 fetched
    # at a time), never all at once.
    assert (small_count, count) == (2_000, 8_000)
    assert len(content) > 3 * len(small_file)
    assert peak < 1.5 * small_peak, (small_peak, peak)
    lines = content.decode().splitlines()
    assert (len(lines), lines[1].split(",")[:5], lines[-1].split(",")[0]) == (
        8_001, ["M-00000", product.sku, product.name, lot.batch_number, "IN_STOCK"], "M-07999")
    count, content, _ = _written(svc, "json")
    document = json.loads(content)
    assert (count, len(document["items"]), document["items"][-1]["serial_number"]) == (
        8_000, 8_000, "M-07999")
    count, content, _ = _written(svc, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    assert (count, sum(1 for _ in sheet.iter_rows(values_only=True))) == (8_000, 8_001)
