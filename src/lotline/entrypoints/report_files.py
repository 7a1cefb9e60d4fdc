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
from lotline.files.sheets import Cell, write_xlsx

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
    buffer = io.BytesIO()
    write_xlsx(buffer, report.columns, ([xlsx_value(row.get(name)) for name in report.columns]
                                        for row in report.rows), report.name,
               sortable=True)
    return buffer.getvalue()


def xlsx_value(value: Any) -> Cell:
    """A cell value: numbers (Decimals exact as written), calendar dates, and text for the
    rest — timestamps as ISO 8601 UTC (Excel has no time zones), lists space-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or isinstance(value, int | Decimal | str):
        return value
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple):
        return " ".join(str(xlsx_value(item)) for item in value)
    return dumps(value)
