"""Reports (`domain.reports.Report`) as files, the same from every door: JSON
(`{name, columns, parameters, items}`, exact numbers), CSV (header + rows, the shared CSV
serialiser) and XLSX (one sheet, typed cells: numbers, calendar dates, text)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from lotline.domain.reports import Report
from lotline.entrypoints.serialize import dumps, timestamp_text, to_csv

FORMATS = ("json", "csv", "xlsx")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def report_document(report: Report) -> dict[str, Any]:
    return {"name": report.name, "columns": list(report.columns),
            "parameters": report.parameters, "items": report.rows}


def report_bytes(report: Report, file_format: str) -> bytes:
    if file_format == "csv":
        return to_csv(report.rows, report.columns).encode("utf-8")
    if file_format == "xlsx":
        return report_xlsx(report)
    return (dumps(report_document(report), indent=2) + "\n").encode("utf-8")


def report_xlsx(report: Report) -> bytes:
    import openpyxl  # imported on use, like the imports do
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(report.name[:31])
    sheet.append(list(report.columns))
    for row in report.rows:
        cells = []
        for name in report.columns:
            value = xlsx_value(row.get(name))
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text that looks like a formula stays text
                value = cell
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_value(value: Any) -> Any:
    """A cell value: numbers (Decimals exact as written), calendar dates, and text for the
    rest — timestamps as ISO 8601 UTC (Excel has no time zones), lists space-separated."""
    if value is None or isinstance(value, bool | int | Decimal | str):
        return value
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple):
        return " ".join(str(xlsx_value(item)) for item in value)
    return dumps(value)
