"""Exports never hand a spreadsheet a live formula, yet import back unchanged; text that
cannot be stored is refused by the library and by imports (row and column named); rows
stored before the rule still export to XLSX (issue 17, findings 5 and 10)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import update

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.errors import ValidationError
from lotline.domain.exchange import ImportFailed
from lotline.files.sheets import safe_text, unquote_cell
from support import Kit

EVIL = '=HYPERLINK("http://evil")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def seed(kit: Kit) -> None:
    kit.product("serial", sku="EVIL-1", name=EVIL)
    product = kit.product("lot_serial", sku="+SKU", name="@SUM(A1)")
    lot = kit.lot(product, "-LOT", quantity=3, unit_cost="3.5")
    kit.svc.serials.register_many(["=1+1", "'=quoted", "-5"], batch_id=lot.id)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def xlsx_cells(data: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for row in book.worksheets[0].iter_rows() for cell in row]


@pytest.mark.parametrize("entity", ["products", "lots", "serials"])
def test_no_export_cell_starts_a_formula(svc: Services, kit: Kit, entity: str) -> None:
    seed(kit)
    texts = [cell for row in csv_rows(svc.exports.to_bytes(entity, "csv")) for cell in row]
    assert [c for c in texts if c.startswith(TRIGGERS) and c != "-5"] == []
    cells = xlsx_cells(svc.exports.to_bytes(entity, "xlsx"))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if str(c.value or "").startswith(TRIGGERS)
            and c.value != "-5"] == []


def test_neutralised_values_are_exact(svc: Services, kit: Kit) -> None:
    seed(kit)
    products = csv_rows(svc.exports.to_bytes("products", "csv"))
    assert [row[:2] for row in products[1:]] == [["EVIL-1", "'" + EVIL],
                                                 ["'+SKU", "'@SUM(A1)"]]
    serials = csv_rows(svc.exports.to_bytes("serials", "csv"))
    assert sorted(row[0] for row in serials[1:]) == ["''=quoted", "'=1+1", "-5"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_formula_like_values_import_back_unchanged(database: Any, svc: Services, kit: Kit,
                                                   file_format: str) -> None:
    seed(kit)
    other = database.services()
    for entity in ("products", "lots", "serials"):
        getattr(other.imports, entity)(io.BytesIO(svc.exports.to_bytes(entity, file_format)))
    assert sorted(p.name for p in other.products.list().items) == ["=HYPERLINK(\"http://evil\")",
                                                                  "@SUM(A1)"]
    assert sorted(s.serial_number for s in other.serials.search().items) == [
        "'=quoted", "-5", "=1+1"]
    for entity in ("products", "lots", "serials"):
        assert other.exports.to_bytes(entity, "csv") == svc.exports.to_bytes(entity, "csv")


def test_quoting_rule() -> None:
    assert [safe_text(v) for v in ("-5", "+1.25", "-1e3", "-", "-x", "'-5", "'abc", "a=b",
                                   "\uff1dcmd", "a\x00b")] == [
        "-5", "+1.25", "-1e3", "'-", "'-x", "''-5", "'abc", "a=b", "'\uff1dcmd", "a\ufffdb"]
    for value in ("-5", "-x", "'-5", "''=x", "'abc", "=1"):
        assert unquote_cell(safe_text(value)) == value


def test_an_old_row_with_a_control_character_still_exports(database: Any, svc: Services,
                                                           kit: Kit) -> None:
    product = kit.product("lot", name="Widget")
    with database.engine.begin() as conn:  # stored before the rule refused it
        conn.execute(update(t.products).where(t.products.c.id == product.id)
                     .values(name="Wid\x01get"))
    cells = xlsx_cells(svc.exports.to_bytes("products", "xlsx"))
    assert "Wid\ufffdget" in [c.value for c in cells]


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "a\ud800b"])
def test_the_library_refuses_text_it_cannot_store(svc: Services, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.customers.create_customer(name="Ana", address={"street": value})
    assert [e.field for e in caught.value.errors] == ["street"]
    assert svc.customers.list().items == []


def test_an_import_names_the_row_and_column_of_a_control_character(svc: Services) -> None:
    data = b"sku,name\nOK-1,Fine\nBAD-1,Bad\x07name\n"
    report = svc.imports.products(io.BytesIO(data), dry_run=True)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [
        (3, "name", "must not contain the control character U+0007")]
    with pytest.raises(ImportFailed):
        svc.imports.products(io.BytesIO(data))
    assert svc.products.list().items == []


def test_a_nul_in_a_library_search_or_lookup_is_a_validation_error(database: Any,
                                                                  svc: Services) -> None:
    for search in (svc.serials.search, svc.products.list, svc.batches.list,
                   svc.customers.list):
        with pytest.raises(ValidationError) as caught:
            search(q="SN\x00")
        assert [e.field for e in caught.value.errors] == ["q"]
    if database.backend == "postgresql":  # PostgreSQL cannot even compare text with a NUL
        with pytest.raises(ValidationError, match="U\\+0000"):
            svc.products.get("\x00")
