"""/receiving/new: a new receipt (ASN): supplier, reference and lines, each with the serial
numbers the supplier announced, pasted one per line (ranges `A..B` too) or uploaded as a
CSV or text file (the first column; a header such as `serial_number` is skipped)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from lotline.domain.errors import LotlineError, ValidationError
from lotline.domain.serial_numbers import expand_serial_input
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState
from lotline.entrypoints.web.line_forms import Row, padded, place_form_error, read_rows
from lotline.entrypoints.web.records import Input

router = APIRouter(route_class=WebRoute, include_in_schema=False)
LINE_INPUTS = ("product_id", "quantity", "serials", "lots")
HEAD = (Input("reference", "Receipt reference", required=True),
        Input("supplier_id", "Supplier", "select", required=True),
        Input("warehouse_id", "Warehouse", "select"))
MAX_FILE_BYTES = 5_000_000
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEADER = re.compile(r"^\W*(serial|serial[ _]?(number|no)|sn)\W*$", re.IGNORECASE)


def _page(web: Web, state: FormState, rows: list[Row], status: int = 200) -> Response:
    warehouses = lookups.warehouses(web.svc)
    return page(web, "receiving/new.html", {
        "nav": "receiving", "form": state, "rows": padded(rows, LINE_INPUTS, extra=2),
        "suppliers": [(s.id, s.name) for s in lookups.suppliers(web.svc)],
        "warehouses": [(w.id, f"{w.code} · {w.name}") for w in warehouses],
        "products": lookups.products(web.svc)}, status=status)


@router.get("/receiving/new")
def new_receipt(web: WebDep) -> Response:
    web.require_manager("creating receipts")
    state = FormState(values={"reference": "", "supplier_id": "", "warehouse_id": ""})
    return _page(web, state, [])


def file_serials(upload: UploadFile, line_no: int) -> list[str]:
    """The serial numbers of an uploaded CSV or text file: the first cell of each row."""
    raw = upload.file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError.single(f"lines.{line_no}.serials", "the file is larger than "
                                     "5 MB; split it", upload.filename)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError.single(f"lines.{line_no}.serials", f"the file "
                                     f"{upload.filename} is not UTF-8 text") from None
    cells = [row[0].strip() for row in csv.reader(io.StringIO(text), _dialect(text)) if row]
    if cells and HEADER.match(cells[0]):
        cells = cells[1:]
    return [cell for cell in cells if cell]


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.split("\n", 1)[0]
    return csv.excel_tab if "\t" in first else csv.excel


def _uploads(form: FormData) -> list[UploadFile | None]:
    return [value if isinstance(value, UploadFile) and value.filename else None
            for value in form.getlist("serials_file")]


def _line(row: Row, index: int, upload: UploadFile | None) -> dict[str, Any]:
    text = row.get("serials")
    serials = (expand_serial_input(text, f"lines.{index}.expected_serials") if text.strip()
               else [])
    if upload is not None:
        serials += file_serials(upload, index)
    quantity: Any = row.get("quantity").strip() or (len(serials) if serials else None)
    line: dict[str, Any] = {"product_id": row.get("product_id") or None,
                            "expected_quantity": quantity}
    if serials:
        line["expected_serials"] = serials
    if row.get("lots").strip():
        line["expected_lots"] = typed_lots(row.get("lots"))
    return line


def typed_lots(text: str) -> list[dict[str, str]]:
    """`LOT-1, 2030-06-30, 40` a line: the lot's number, then its expiry and quantity if
    known, in either order (a date reads as the expiry)."""
    lots = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in re.split(r"[,;\t]", line) if cell.strip()]
        if not cells:
            continue
        lot = {"batch_number": cells[0]}
        for cell in cells[1:3]:
            lot["expiry_date" if DAY.match(cell) else "quantity"] = cell
        lots.append(lot)
    return lots


def _lines(form: FormData, rows: list[Row]) -> tuple[list[Row], list[dict[str, Any]]]:
    """The filled rows and their service lines (a row with only a file counts as filled)."""
    uploads = _uploads(form)
    filled: list[Row] = []
    lines: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        upload = uploads[position] if position < len(uploads) else None
        if row.blank and upload is None:
            continue
        lines.append(_line(row, len(filled), upload))
        filled.append(row)
    return filled, lines


@router.post("/receiving/new")
def create_receipt(web: WebDep, form: FormDep) -> Response:
    web.require_manager("creating receipts")
    state = FormState(values={name: field(form, name) for name in
                              ("reference", "supplier_id", "warehouse_id")})
    rows = read_rows(form, LINE_INPUTS)
    if field(form, "more"):
        return _page(web, state, [row for row in rows if not row.blank])
    if not state.get("reference").strip():
        state.add("reference", "Enter the receipt reference (the ASN's number)")
    if not state.get("supplier_id"):
        state.add("supplier_id", "Choose the supplier")
    filled: list[Row] = [row for row in rows if not row.blank]
    try:
        filled, lines = _lines(form, rows)
        if not lines:
            state.add(None, "Add at least one line: a product and its expected quantity")
        if state.ok:
            receipt = web.svc.receipts.create_receipt(
                state.get("reference"), state.get("supplier_id"), lines,
                warehouse_id=state.get("warehouse_id") or None)
            return redirect(f"/receiving/{receipt.id}?created=1")
    except LotlineError as error:
        place_form_error(web, state, filled, error, HEAD)
    return _page(web, state, filled, status=422)
