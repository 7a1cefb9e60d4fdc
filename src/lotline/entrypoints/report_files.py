"""Reports (`domain.reports.Report`) as files, the same from every door: JSON
(`{name, columns, parameters, items}`, exact numbers), CSV (header + rows, the shared CSV
serialiser) and XLSX (one sheet, typed cells: numbers, calendar dates, text)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from lotline.domain.reports import Report
from lotline.entrypoints.serialize import csv_cell, dumps, timestamp_text, to_csv, to_jsonable
from lotline.files.sheets import Cell, write_csv, write_xlsx

FORMATS = ("json", "csv", "xlsx")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def report_document(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = {"name": report.name, "columns": list(report.columns),
                                "parameters": report.parameters, "items": report.rows}
    if report.paged:
        document["next_cursor"] = report.next_cursor
    return document


def write_report(target: IO[bytes], report: Report, rows: Iterable[dict[str, Any]],
                 file_format: str) -> int:
    """The report's header and every row written as they come (nothing held in memory but
    the row at hand): JSON `{name, columns, parameters, items}`, CSV or XLSX as
    `report_bytes` writes them. Answers the number of rows."""
    columns = report.columns
    if file_format == "xlsx":
        return write_xlsx(target, columns, ([xlsx_value(row.get(name)) for name in columns]
                                            for row in rows), report.name)
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    try:
        if file_format == "csv":
            return write_csv(text, columns, ([csv_cell(to_jsonable(row.get(name)))
                                              for name in columns] for row in rows))
        return _write_json(text, report, rows)
    finally:
        text.flush()
        text.detach()


def _write_json(text: IO[str], report: Report, rows: Iterable[dict[str, Any]]) -> int:
    head = dumps({"name": report.name, "columns": list(report.columns),
                  "parameters": report.parameters})
    text.write(head[:-1] + ',"items":[')
    count = 0
    for row in rows:
        text.write(("," if count else "") + "\n" + dumps(row))
        count += 1
    text.write("\n]}\n")
    return count


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
