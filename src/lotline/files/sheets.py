"""The one writer of spreadsheet files (CSV and XLSX) for every export, report and recall
export, from every door — so no stored text reaches a spreadsheet as a live formula.

A text cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, tab or
CR, or their full-width forms) gets a leading `'` (OWASP's CSV injection advice); so does
one that already starts with `'` before such a character, so `unquote_cell` on import gives
back exactly what was exported. A text that is a plain number (`-5`, `+1.25`) is written
as it is: a spreadsheet reads it as a number, which is no formula, and imports read it back.
C0 control characters XLSX cannot hold (only rows stored before they were refused) are
written as U+FFFD."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
Cell = str | int | Decimal | dt.date | None


def _formula_like(text: str) -> bool:
    rest = text.lstrip("'")
    if not rest or rest[0] not in FORMULA_TRIGGERS:
        return False
    return rest is not text or _PLAIN_NUMBER.fullmatch(text) is None


def safe_text(text: str) -> str:
    """A text cell as written: inert in a spreadsheet, holdable by XLSX."""
    if _NOT_IN_XLSX.search(text):
        text = _NOT_IN_XLSX.sub("\ufffd", text)
    return "'" + text if _formula_like(text) else text


def unquote_cell(text: str) -> str:
    """An imported text cell without the `'` that `safe_text` added."""
    return text[1:] if text.startswith("'") and _formula_like(text[1:]) else text


def _safe(value: Cell) -> Cell:
    return safe_text(value) if isinstance(value, str) else value


def write_csv(target: IO[str], header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Header and rows as CSV text (None is an empty cell); answers the number of rows."""
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([safe_text(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([_safe(value) for value in row])
        count += 1
    return count


def write_xlsx(target: IO[bytes] | str | Path, header: Sequence[str],
               rows: Iterable[Sequence[Cell]], title: str, *, sortable: bool = False) -> int:
    """One sheet, streamed (openpyxl's write-only mode). Text cells are typed as text, never
    formulas; numbers and dates keep their type. `sortable`: the header row frozen and an
    autofilter over every column (FSMA 204's sortable spreadsheet). Answers the number of
    rows."""
    import openpyxl  # imported on use: a CSV export does not pay for it
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_NOT_IN_XLSX.sub("", title)[:31] or "sheet")
    if sortable:
        sheet.freeze_panes = "A2"
    # openpyxl types a string as a formula only when it starts with `=`, which safe_text
    # never leaves at the start: every string is a text cell.
    sheet.append([safe_text(name) for name in header])
    count = 0
    for row in rows:
        sheet.append([_safe(value) for value in row])
        count += 1
    if sortable and header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    book.save(target)
    return count
