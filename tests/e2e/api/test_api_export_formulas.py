"""Every spreadsheet the API hands out keeps stored text inert: exports of products, lots
and serials, reports and recall exports, CSV and XLSX (issue 17, finding 10)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from api_kit import Api

EVIL = '=HYPERLINK("http://evil")'


def cells_of(data: bytes, file_format: str) -> list[object]:
    if file_format == "csv":
        return [c for row in csv.reader(io.StringIO(data.decode())) for c in row]
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []
    return [c.value for row in sheet.iter_rows() for c in row]


@pytest.fixture
def evil(api: Api) -> dict[str, str]:
    product = api.product(tracking="lot_serial", name=EVIL)
    lot = api.batch(product["id"], batch_number="@LOT", quantity=1, unit_cost="2")
    api.created("/serials/bulk", {"batch_id": lot["id"], "serial_numbers": [EVIL]})
    recall = api.created("/recalls", {"batch_ids": [lot["id"]], "reason": "test"})
    return {"product_id": product["id"], "batch_id": lot["id"], "recall_id": recall["id"]}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("path", "expected"), [
    ("/exports/products", "'" + EVIL), ("/exports/batches", "'@LOT"),
    ("/exports/serials", "'" + EVIL), ("/reports/serial-inventory", "'" + EVIL),
    ("/reports/lot-inventory", "'@LOT"), ("/recalls/{recall_id}/export", "'@LOT"),
])
def test_formula_like_text_is_neutralised(api: Api, evil: dict[str, str], path: str,
                                          expected: str, file_format: str) -> None:
    response = api.get(path.format(**evil), params={"format": file_format})
    assert response.status_code == 200, response.text
    cells = cells_of(response.content, file_format)
    assert expected in cells
    assert [c for c in cells if isinstance(c, str) and c.startswith(("=", "@", "+"))] == []
