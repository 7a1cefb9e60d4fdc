"""Importing serials, lots, stock and products from CSV and XLSX: reports of every bad row,
dry runs that write nothing, all-or-nothing real runs, ledger movements like a registration."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.exchange import ImportFailed, ImportReport, RowError
from support import Kit, count_rows, read_movements


def csv_bytes(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def xlsx_bytes(*sheets: tuple[str, list[list[object]]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def failed(svc: Services, data: io.BytesIO, **options: object) -> ImportReport:
    """A real run that must fail and write nothing; answers its report."""
    before = count_rows(svc.engine, t.serials, svc.org_id)
    with pytest.raises(ImportFailed) as caught:
        svc.imports.serials(data, **options)  # type: ignore[arg-type]
    assert count_rows(svc.engine, t.serials, svc.org_id) == before
    return caught.value.report


@pytest.fixture
def pen(kit: Kit) -> tuple[str, str]:
    product = kit.product("lot_serial", sku="PEN", gtin="09506000134352")
    lot = kit.lot(product, "LOT-A", quantity=100, expiry_date=dt.date(2027, 12, 31))
    return product.id, lot.id


def test_serials_import_writes_one_movement_per_lot_and_status(svc: Services, kit: Kit,
                                                              pen: tuple[str, str]) -> None:
    product_id, lot_id = pen
    data = ("Serial Number,Lot,SKU,Status,Purchase Date,Warranty Expiry,Unit Cost\n"
            "SN-1,lot-a,PEN,,2026-01-05,2028-01-05,12.50\n"
            "SN-2,LOT-A,PEN,available,,,\n"
            "SN-3,LOT-A,PEN,received,,,\n")
    dry = svc.imports.serials(csv_bytes(data), dry_run=True)
    assert (dry.ok, dry.rows, dry.written, dry.ignored_columns) == (True, 3, 0, [])
    assert count_rows(svc.engine, t.serials, svc.org_id) == 0
    report = svc.imports.serials(csv_bytes(data), name="opening.csv")
    assert (report.rows, report.written, report.movements) == (3, 3, 3)
    first = svc.serials.lookup("SN-1")
    assert (first.batch_id, first.status.value, first.purchase_date, first.warranty_expiry,
            first.unit_cost) == (lot_id, "IN_STOCK", dt.date(2026, 1, 5), dt.date(2028, 1, 5),
                                 Decimal("12.5"))
    assert svc.serials.lookup("SN-3").status.value == "RECEIVED"
    counts = svc.serials.counts(product_id)
    assert (counts["IN_STOCK"], counts["RECEIVED"], counts["ALL"]) == (2, 1, 3)
    lot = svc.batches.get(lot_id)
    assert (lot.balance_quantity, lot.available_quantity) == (3, 2)
    movements = read_movements(svc.engine, svc.org_id, batch_id=lot_id)
    assert sorted((m.kind.value, m.quantity, m.reason) for m in movements) == [
        ("receipt", 1, "import of opening.csv")] * 3
    assert svc.ledger.verify().problems == []


def test_bulk_movement_covers_the_sorted_numbers(svc: Services, pen: tuple[str, str]) -> None:
    data = "serial_number\n" + "".join(f"B-{i:03d}\n" for i in range(50, 0, -1))
    svc.imports.serials(csv_bytes(data), batch_id=pen[1])
    (movement,) = read_movements(svc.engine, svc.org_id, batch_id=pen[1])
    assert movement.quantity == 50 and movement.serial_id is None
    assert sorted(movement.serial_numbers) == [f"B-{i:03d}" for i in range(1, 51)]
    assert svc.ledger.verify().problems == []
    assert svc.serials.history(svc.serials.lookup("B-007").id)[0].id == movement.id


def test_every_bad_row_is_reported_and_nothing_written(svc: Services, kit: Kit,
                                                       pen: tuple[str, str]) -> None:
    svc.serials.register("TAKEN-1", batch_id=pen[1])
    kit.product("lot", sku="OIL")
    data = ("serial_number,batch_number,product,status,purchase_date,unit_cost,location\n"
            "OK-1,LOT-A,PEN,,,,\n"
            ",LOT-A,PEN,,,,\n"
            "X-2,LOT-Z,PEN,,,,\n"
            "X-3,LOT-A,NOPE,,,,\n"
            "X-4,LOT-A,PEN,flying,,,\n"
            "X-5,LOT-A,PEN,,2026-02-30,,\n"
            "X-6,LOT-A,PEN,,,-1,\n"
            "X-7,,OIL,,,,\n"
            "X-8,LOT-A,PEN,SHIPPED,,,STOCK\n"
            "X-9,LOT-A,PEN,,,,NOWHERE\n"
            "TAKEN-1,LOT-A,PEN,,,,\n"
            "OK-1,LOT-A,PEN,,,,\n"
            "X-10,LOT-A,PEN,ALLOCATED,,,\n")
    dry = svc.imports.serials(csv_bytes(data), dry_run=True)
    report = failed(svc, csv_bytes(data))
    assert report.errors == dry.errors and report.error_count == dry.error_count == 13
    got = [(e.row, e.column, e.value) for e in report.errors]
    assert got == [
        (2, "serial_number", "OK-1"), (3, "serial_number", None),
        (4, "batch_number", "LOT-Z"), (5, "product", "NOPE"), (6, "status", "flying"),
        (7, "purchase_date", "2026-02-30"), (8, "unit_cost", "-1"), (9, "product", "OIL"),
        (10, "location", "STOCK"), (11, "location", "NOWHERE"),
        (12, "serial_number", "TAKEN-1"), (13, "serial_number", "OK-1"),
        (14, "status", "ALLOCATED")]
    reasons = {e.row: e.reason for e in report.errors}
    assert reasons[2] == "repeated in the file (also row 13)"
    assert reasons[12] == "already registered"
    assert reasons[4] == "product 'PEN' has no lot 'LOT-Z' (import lots first)"
    assert "takes no serial numbers" in reasons[9]
    assert reasons[7] == "must be a date YYYY-MM-DD"


def test_lot_cap_is_checked_for_the_whole_file(svc: Services, kit: Kit) -> None:
    product = kit.product("lot_serial", sku="CAP")
    lot = kit.lot(product, "SMALL", quantity=2)
    report = failed(svc, csv_bytes("serial_number\nC1\nC2\nC3\n"), batch_id=lot.id)
    assert report.errors == [RowError(0, "batch_number", "SMALL", "lot 'SMALL' holds at most 2 "
                                      "serials; 0 are registered and the file adds 3")]


@pytest.mark.parametrize(("data", "row", "message"), [
    (b"", 1, "the file is empty (0 bytes)"),
    (b"\n\n", 1, "the first line must be a header"),
    ("serial_number\nA\n".encode("utf-16"), 1, "UTF-16"),
    ("serial_number\nÅ-1\nB-\xe9\n".encode() + b"C-\xe9\n", 4, "mixes UTF-8"),
    (b"serial_number\nA-1\nB-\x85\n", 3, "neither UTF-8 nor Latin-1"),
    (b"serial_number\nA-1\x00\n", 2, "neither UTF-8 nor Latin-1"),
    (b"serial_number;batch_number\nA;LOT-A\n", 1, "missing required column serial_number"),
    (b"sku,lot\nA,B\n", 1, "missing required column serial_number"),
])
def test_file_problems(svc: Services, pen: tuple[str, str], data: bytes, row: int,
                       message: str) -> None:
    report = failed(svc, io.BytesIO(data), batch_id=pen[1], delimiter=None if b";" not in data
                    else ",")
    assert report.errors[0].row == row
    assert message in report.errors[0].reason or message in (report.errors[0].column or "")


def test_semicolons_tabs_bom_and_latin1_are_read(svc: Services, pen: tuple[str, str]) -> None:
    svc.imports.serials(csv_bytes("\ufeffserial_number;lot\nBOM-1;LOT-A\n"))
    svc.imports.serials(csv_bytes("serial_number\tlot\nLAT-\xe91\tLOT-A\n", "latin-1"))
    svc.imports.serials(csv_bytes('serial_number,lot\n"Q,1",LOT-A\n'))
    assert {s.serial_number for s in svc.serials.search().items} == {"BOM-1", "LAT-é1", "Q,1"}


def test_xlsx_first_sheet_or_a_chosen_one(svc: Services, pen: tuple[str, str]) -> None:
    book = xlsx_bytes(("Notes", [["nothing here"]]),
                      ("Serials", [["Serial", "Lot", "Purchase date"], ["X-001", "LOT-A",
                                                                        dt.date(2026, 3, 1)],
                                   [None, None, None], [12345, "LOT-A", None]]))
    report = failed(svc, book)
    assert report.errors[0].reason.startswith("missing required column serial_number")
    book.seek(0)
    report = svc.imports.serials(book, sheet="Serials")
    assert (report.file_format, report.written) == ("xlsx", 2)
    assert svc.serials.lookup("X-001").purchase_date == dt.date(2026, 3, 1)
    assert svc.serials.lookup("12345").batch_id == pen[1]
    book.seek(0)
    report = failed(svc, book, sheet="Nope")
    assert report.errors[0].reason == "no sheet 'Nope'; the workbook has 'Notes', 'Serials'"


def test_xlsx_formula_is_reported_with_its_cell(svc: Services, pen: tuple[str, str]) -> None:
    book = xlsx_bytes(("S", [["serial_number", "lot"], ["F-1", "LOT-A"], ['=A2&"x"', "LOT-A"]]))
    report = failed(svc, book)
    assert (report.errors[0].row, report.errors[0].reason) == (
        3, 'cell A3 holds a formula (=A2&"x"); paste it as values')


def test_serial_only_product_and_default_location(svc: Services, kit: Kit) -> None:
    product = kit.product("serial", sku="SCN")
    receiving = svc.warehouses.location_by_code("RECEIVING")
    svc.imports.serials(csv_bytes("serial_number,product,status\nS-1,SCN,\nS-2,SCN,shipped\n"
                                  "S-3,SCN,RECEIVED\n"))
    one, two, three = (svc.serials.lookup(n) for n in ("S-1", "S-2", "S-3"))
    assert (one.batch_id, one.product_id, one.status.value) == (None, product.id, "IN_STOCK")
    assert (two.status.value, two.location_id) == ("SHIPPED", None)
    assert three.location_id == receiving.id
    assert svc.ledger.verify().problems == []


def test_lots_and_opening_stock(svc: Services, kit: Kit) -> None:
    oil = kit.product("lot", sku="OIL")
    kit.product("none", sku="BOX")
    kit.supplier("Olivar", code="OLIV")
    data = ("product,lot,supplier,expiration_date,manufactured_date,initial_quantity,unit_cost,"
            "location\n"
            "OIL,L-1,oliv,2027-01-31,2026-01-01,40,3.5,\n"
            "OIL,L-2,,2027-02-28,,0,,\n")
    report = svc.imports.batches(csv_bytes(data))
    assert (report.written, report.movements) == (2, 1)
    (lot,) = svc.batches.by_number("l-1", oil.id)
    assert (lot.expiry_date, lot.manufacturing_date, lot.quantity, lot.balance_quantity,
            lot.unit_cost) == (dt.date(2027, 1, 31), dt.date(2026, 1, 1), 40, 40,
                               Decimal("3.5"))
    stock = svc.imports.stock(csv_bytes("product,quantity,location,unit_cost\nBOX,12,STOCK,1\n"))
    assert stock.written == 1
    (layer,) = svc.batches.list(product_id=kit.svc.products.by_sku("BOX").id).items
    assert (layer.batch_number, layer.balance_quantity) == ("R-000001", 12)
    bad = ("product,lot,supplier,quantity\nOIL,L-1,OLIV,5\nOIL,L-9,,x\nOIL,,,1\nOIL,L-8,,1\n"
           "OIL,l-8,,1\n")
    with pytest.raises(ImportFailed) as caught:
        svc.imports.lots(csv_bytes(bad))
    assert [(e.row, e.column) for e in caught.value.report.errors] == [
        (2, "batch_number"), (3, "quantity"), (4, "batch_number"), (6, "batch_number")]
    assert svc.ledger.verify().problems == []


def test_products_import(svc: Services, kit: Kit) -> None:
    kit.product("lot", sku="OLD", gtin="4006381333931")
    data = ("sku,name,tracking,gtin,uom,shelf_life_days\n"
            "P-1,Widget,lot_serial,9506000134352,EA,365\n"
            "P-2,Gadget,,,,\n")
    report = svc.imports.products(csv_bytes(data))
    assert report.written == 2
    widget = svc.products.by_sku("P-1")
    assert (widget.tracking.value, widget.gtin, widget.shelf_life_days) == (
        "lot_serial", "09506000134352", 365)
    bad = ("sku,name,tracking,gtin\nOLD,Again,,\nP-3,Three,,4006381333931\nP-4,,,\n"
           "P-5,Five,weird,\nP-6,Six,,\nP-6,Six again,,\n")
    with pytest.raises(ImportFailed) as caught:
        svc.imports.products(csv_bytes(bad))
    assert [(e.row, e.column) for e in caught.value.report.errors] == [
        (2, "sku"), (3, "gtin"), (4, "name"), (5, "tracking"), (7, "sku")]
