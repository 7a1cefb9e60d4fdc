"""Exports import back unchanged: products, lots and serials, CSV and XLSX, into a second
organization whose export is then byte for byte (CSV) or cell for cell (XLSX) the same."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from lotline.bootstrap import Services
from support import Kit


def seed(svc: Services, kit: Kit) -> None:
    supplier = kit.supplier("Medivant", code="MEDI")
    kit.supplier("No code at all")
    pen = kit.product("lot_serial", sku="PEN", gtin="09506000134352", serial_pattern="P-{####}")
    scanner = kit.product("serial", sku="SCN", name="Scanner, handheld")
    oil = kit.product("lot", sku="OIL", shelf_life_days=540, uom="LTR")
    lot = svc.batches.create(product_id=pen.id, batch_number="Lot-A", quantity=10,
                             supplier_id=supplier.id, expiry_date=dt.date(2027, 12, 31),
                             manufacturing_date=dt.date(2026, 1, 2), unit_cost="4.25",
                             purchase_date=dt.date(2026, 2, 1))
    svc.batches.create(product_id=oil.id, batch_number="OL-1", quantity=7, unit_cost="3.5",
                       purchase_date=dt.date(2026, 3, 1), external_batch_number="EXT 9")
    svc.serials.register_many(["A-001", "A-002", "0003"], batch_id=lot.id,
                              purchase_date="2026-02-03", warranty_expiry="2028-02-03")
    svc.serials.register("B-1", product_id=scanner.id, unit_cost="99.9", status="RECEIVED")
    svc.serials.change_status(svc.serials.lookup("A-002").id, "SCRAPPED")


def reimport(source: Services, target: Services, file_format: str) -> None:
    for entity in ("products", "lots", "serials"):
        data = source.exports.to_bytes(entity, file_format)
        getattr(target.imports, entity)(io.BytesIO(data))


def cells(data: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_import_export_is_unchanged(database: Any, svc: Services, kit: Kit,
                                           file_format: str) -> None:
    seed(svc, kit)
    other = database.services()
    other.suppliers.create_supplier(name="Medivant", code="MEDI")
    other.suppliers.create_supplier(name="No code at all")
    reimport(svc, other, file_format)
    for entity in ("products", "lots", "serials"):
        first = svc.exports.to_bytes(entity, file_format)
        again = other.exports.to_bytes(entity, file_format)
        if file_format == "csv":
            assert again == first, entity
        else:
            assert cells(again) == cells(first), entity
    assert other.ledger.verify().problems == []


def test_export_columns_and_values(svc: Services, kit: Kit) -> None:
    seed(svc, kit)
    assert svc.exports.to_bytes("serials").decode().splitlines() == [
        "serial_number,product,batch_number,supplier,status,warehouse,location,purchase_date,"
        "warranty_expiry,unit_cost",
        "A-001,PEN,Lot-A,MEDI,IN_STOCK,MAIN,STOCK,2026-02-03,2028-02-03,",
        "A-002,PEN,Lot-A,MEDI,SCRAPPED,,,2026-02-03,2028-02-03,",
        "0003,PEN,Lot-A,MEDI,IN_STOCK,MAIN,STOCK,2026-02-03,2028-02-03,",
        "B-1,SCN,,,RECEIVED,MAIN,RECEIVING,,,99.9"]
    lots = svc.exports.to_bytes("lots").decode().splitlines()
    assert lots[1:] == [
        "PEN,Lot-A,MEDI,,,,2026-01-02,2027-12-31,10,4.25,2026-02-01,active,,",
        "OIL,OL-1,,,,EXT 9,,,7,3.5,2026-03-01,active,MAIN,STOCK"]
    products = svc.exports.to_bytes("products").decode().splitlines()
    assert products[1:] == ["PEN,Product 1,lot_serial,09506000134352,EA,fefo,,30,P-{####}",
                            'SCN,"Scanner, handheld",serial,,EA,fefo,,30,',
                            "OIL,Product 3,lot,,LTR,fefo,540,30,"]
