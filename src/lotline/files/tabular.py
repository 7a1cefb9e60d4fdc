"""Reading and writing spreadsheets row by row: CSV (UTF-8 with or without BOM, or Latin-1;
comma, semicolon, tab or pipe separated) and XLSX (openpyxl, read-only streaming).

`open_table` never loads a file whole: a CSV is checked for its encoding in one pass over
its bytes and then read through `csv.reader`; an XLSX sheet is streamed by openpyxl. Every
problem with the file itself is a `FileProblem` naming the line, cell or sheet."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from lotline.files.sheets import unquote_cell

BLOCK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
_C1_OR_NUL = re.compile(rb"[\x00\x80-\x9f]")
_NUL = re.compile(rb"\x00")
_HIGH = re.compile(rb"[\x80-\xff]")
Source = str | Path | IO[bytes]


class FileProblem(Exception):
    """The file cannot be read as a table (encoding, format, sheet, formula, empty)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Table:
    """A header and a stream of (row number, cells). Row numbers are the file's own: the
    physical line of a CSV (the header is line 1), the sheet row of an XLSX."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    size: int  # bytes of the file, for progress
    position: Callable[[], int]  # bytes read so far (CSV) or rows read (XLSX)
    delimiter: str | None = None
    sheet: str | None = None


def _binary(source: Source) -> IO[bytes]:
    if isinstance(source, str | Path):
        return open(source, "rb")
    return source


def _size(stream: IO[bytes]) -> int:
    start = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(start)
    return size


def sniff_format(stream: IO[bytes]) -> str:
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def open_table(source: Source, *, file_format: str | None = None, sheet: str | None = None,
               delimiter: str | None = None) -> Table:
    stream = _binary(source)
    size = _size(stream)
    if size == 0:
        raise FileProblem("the file is empty (0 bytes)", 1)
    chosen = (file_format or sniff_format(stream)).lower()
    if chosen == "xlsx":
        return _open_xlsx(stream, size, sheet)
    if chosen != "csv":
        raise FileProblem(f"unknown file format {file_format!r}; use csv or xlsx")
    if sniff_format(stream) == "xlsx":
        raise FileProblem("this is an XLSX workbook, not CSV text")
    return _open_csv(stream, size, delimiter)


# --- CSV ---------------------------------------------------------------------------------------


def detect_encoding(stream: IO[bytes]) -> str:
    """`utf-8-sig` (valid UTF-8, BOM or not) or `latin-1`; anything else is a FileProblem
    naming the first offending line. Reads the stream once and rewinds it."""
    start = stream.tell()
    head = stream.read(4)
    stream.seek(start)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem("the file is UTF-16 text; save it as UTF-8 (CSV UTF-8)", 1)
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before, saw_high, encoding = 0, False, "utf-8-sig"
    while block := stream.read(BLOCK):
        if encoding == "utf-8-sig":
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                line = lines_before + block.count(b"\n", 0, error.start) + 1
                if saw_high or _HIGH.search(block, 0, error.start):
                    raise FileProblem("the file mixes UTF-8 with another encoding", line) \
                        from None
                encoding = "latin-1"
            else:
                saw_high = saw_high or _HIGH.search(block) is not None
        bad = (_C1_OR_NUL if encoding == "latin-1" else _NUL).search(block)
        if bad is not None:
            line = lines_before + block.count(b"\n", 0, bad.start()) + 1
            raise FileProblem("the file is neither UTF-8 nor Latin-1 text (byte "
                              f"0x{block[bad.start()]:02x})", line)
        lines_before += block.count(b"\n")
    if encoding == "utf-8-sig":
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileProblem("the file ends inside a UTF-8 character", lines_before + 1) \
                from None
    stream.seek(start)
    return encoding


class _Counting(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for progress)."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _open_csv(stream: IO[bytes], size: int, delimiter: str | None) -> Table:
    encoding = detect_encoding(stream)
    counting = _Counting(stream)
    text = io.TextIOWrapper(io.BufferedReader(counting, BLOCK), encoding=encoding, newline="")
    first = text.readline()
    if not first.strip():
        text.close()
        raise FileProblem("the first line must be a header naming the columns", 1)
    chosen = delimiter or max(DELIMITERS, key=first.count)
    header = [unquote_cell(name) for name in next(csv.reader([first], delimiter=chosen))]
    reader = csv.reader(text, delimiter=chosen, strict=True)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if cells and any(cell.strip() for cell in cells):
                    yield reader.line_num + 1, [unquote_cell(cell) if cell[:1] == "'"
                                                else cell for cell in cells]
        except csv.Error as error:
            raise FileProblem(f"malformed CSV: {error}", reader.line_num + 1) from None
        finally:
            text.close()

    return Table("csv", header, rows(), size, lambda: counting.count, delimiter=chosen)


# --- XLSX ------------------------------------------------------------------------------------


def _open_xlsx(stream: IO[bytes], size: int, sheet: str | None) -> Table:
    import openpyxl  # imported on use: a CSV import or a scan does not pay for it

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=False)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException, ...
        raise FileProblem(f"not a readable XLSX workbook ({type(error).__name__})") from None
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise FileProblem(f"no sheet {sheet!r}; the workbook has "
                          + ", ".join(repr(name) for name in book.sheetnames))
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    cells = enumerate(worksheet.iter_rows(), start=1)
    header: list[str] | None = None
    for _number, row in cells:
        values = [_cell_text(cell) for cell in row]
        if any(values):
            header = values
            break
    if header is None:
        book.close()
        raise FileProblem(f"sheet {worksheet.title!r} is empty")
    read = [0]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in cells:
                read[0] = number
                values = [_cell_text(cell) for cell in row]
                if any(values):
                    yield number, values
        finally:
            book.close()

    return Table("xlsx", header, rows(), worksheet.max_row or 0, lambda: read[0],
                 sheet=worksheet.title)


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "f":
        raise FileProblem(f"cell {cell.coordinate} holds a formula ({value}); paste it as "
                          "values", cell.row)
    text = cell_to_text(value)
    return unquote_cell(text) if text[:1] == "'" else text


def cell_to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()
