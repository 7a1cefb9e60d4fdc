"""How commands print: Rich tables for people, JSON and CSV (the shared serialisers) for
machines, progress bars on stderr, and the one-line error format."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from lotline.domain.values import decimal_text
from lotline.entrypoints.serialize import dumps, to_csv

NONE_SHOWN = "—"


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", "-f", case_sensitive=False,
    help="table for people; json (snake_case fields, exact numbers) or csv for machines.")]


def console() -> Console:
    """Standard output, looked up at print time (so redirection and test runners work)."""
    return Console(highlight=False)


def error_console() -> Console:
    return Console(stderr=True, highlight=False)


def fail(code: str, message: str) -> typer.Exit:
    """Print `error: <code>: <message>` as one line on stderr; raise the result (exit 1)."""
    one_line = " ".join(message.split())
    typer.echo(f"error: {code}: {one_line}", err=True)
    return typer.Exit(1)


def cell(value: Any) -> str:
    """A value as a table cell: exact decimals, ISO dates, canonical enum values."""
    if value is None:
        return NONE_SHOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 lot`, `2 lots`: a count with its noun in the number it takes."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def field_names(cls: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def table(title: str | None, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
          caption: str | None = None, width: int | None = None) -> Table:
    """A table for a console `width` wide (standard output's, by default)."""
    cells = [[cell(value) for value in row] for row in rows]
    whole = whole_columns(headers, cells, console().width if width is None else width)
    result = Table(title=title, caption=caption, title_justify="left")
    for index, header in enumerate(headers):
        numeric = header in NUMERIC_HEADERS
        result.add_column(header, justify="right" if numeric else "left",
                          overflow="fold", no_wrap=index in whole)
    for row in cells:
        result.add_row(*row)
    return result


def whole_columns(headers: Sequence[str], cells: Sequence[Sequence[str]],
                  width: int) -> frozenset[int]:
    """The columns of single words (ids, SKUs, lot numbers, dates) to keep on one line: all
    of them when the other columns still get the width of their longest word, else none (a
    terminal too narrow for that folds every column, which keeps every column readable).
    Left to itself, Rich narrows columns by their widths, and folds a 36-character id while
    a column of words beside it has room to wrap."""
    whole: set[int] = set()
    room = width - 3 * len(headers) - 1  # each column's borders and padding
    for index, header in enumerate(headers):
        values = [row[index] for row in cells if index < len(row)]
        if any(" " in value for value in values):
            room -= max(cell_len(word) for text in (header, *values) for word in text.split())
        else:
            whole.add(index)
            room -= max(cell_len(text) for text in (header, *values))
    return frozenset(whole) if room >= 0 else frozenset()


NUMERIC_HEADERS = frozenset({"Qty", "Quantity", "On hand", "Available", "In", "Lots",
                             "Serials", "Count", "Days left", "Unit cost", "Units moved",
                             "Expected", "Received", "Allocated", "Picked", "Shipped",
                             "Returned", "Counted", "Adjusted by", "Lines"})


def detail_table(title: str, rows: Iterable[tuple[str, Any]]) -> Table:
    """A two-column field/value table for one record."""
    result = Table(title=title, show_header=False, title_justify="left")
    result.add_column("field", style="bold")
    result.add_column("value", overflow="fold")
    for label, value in rows:
        result.add_row(label, cell(value))
    return result


def custom_field_rows(fields: Iterable[Any]) -> list[tuple[str, Any]]:
    """A record's custom fields as detail rows: its label, its value (DESIGN §9)."""
    return [(field.label, field.value or NONE_SHOWN) for field in fields]


def emit(fmt: OutputFormat, data: Any, *, columns: Sequence[str],
         render: Callable[[], RenderableType | list[RenderableType]]) -> None:
    """Print one record or a list: JSON (an object or an array), CSV (header + rows, `columns`
    fixed so an empty list still has its header) or the Rich rendering."""
    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(data, indent=2) + "\n")
    elif fmt is OutputFormat.CSV:
        records = data if isinstance(data, list) else [data]
        sys.stdout.write(to_csv(records, columns))
    else:
        rendered = render()
        out = console()
        for item in rendered if isinstance(rendered, list) else [rendered]:
            out.print(item)


def more_caption(next_cursor: str | None, shown: int) -> str | None:
    return None if next_cursor is None else f"first {shown} shown; raise --limit for more"


def progress() -> Progress:
    """A progress display on stderr, drawn only on a terminal (pipes and logs stay clean)."""
    err = error_console()
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True,
                    disable=not err.is_terminal)


def write_out(data: bytes, output: Path | None, what: str) -> None:
    """A file's bytes to stdout, or to `output` with one line saying what was written."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"wrote {what} to {output}")
