"""Turning results into wire formats, shared by every door (CLI now, HTTP API later).

`to_jsonable` maps dataclasses (and what they hold) to plain JSON values with DESIGN's
snake_case field names, keeping Decimals exact; `dumps` writes them with Decimals as JSON
numbers in their shortest exact form (`12.5`, `100`) — the standard library would either
refuse them or round them through float. Dates are ISO `YYYY-MM-DD`, timestamps ISO 8601 in
UTC with offset, enums their canonical value. `csv_cell` renders one value for a CSV cell."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, TypeAlias

from lotline.domain.values import decimal_text
from lotline.files.sheets import write_csv

JSONValue: TypeAlias = (bool | int | str | Decimal | list["JSONValue"]
                        | dict[str, "JSONValue"] | None)


def timestamp_text(value: dt.datetime) -> str:
    """ISO 8601 in UTC with offset; naive datetimes are taken to be UTC already."""
    if value.tzinfo is dt.UTC:  # what the adapters read back: astimezone would change nothing
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


# Values written as they are; exact types only (a subclass, a str Enum say, takes the longer way).
_PLAIN = frozenset({str, int, bool, type(None), Decimal})


def to_jsonable(value: Any) -> JSONValue:
    """A JSON-ready copy of a result: dataclass -> dict (field order kept), Decimal kept."""
    kind = type(value)
    if kind in _PLAIN:
        return value  # type: ignore[no-any-return]
    # Plain dicts and lists first, their plain items inline: a large document (a drill's
    # 40,000 EPCIS events) is mostly these, and a call per string costs more than the test.
    if kind is dict:
        return {key if type(key) is str else str(key):
                item if type(item) in _PLAIN else to_jsonable(item)
                for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _PLAIN else to_jsonable(item) for item in value]
    return _other_jsonable(value)


def _other_jsonable(value: Any) -> JSONValue:
    if value is None or isinstance(value, bool | int | str | Decimal):
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, dt.datetime):
        return timestamp_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_jsonable(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, Sequence | frozenset | set):
        return [to_jsonable(item) for item in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot serialise {value!r}: JSON numbers are finite")
        return Decimal(repr(value))
    raise TypeError(f"cannot serialise {type(value).__name__}")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    # dataclasses.fields() builds its tuple on every call; results are serialised per request.
    return tuple(f.name for f in dataclasses.fields(cls))


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text of `value` (run through `to_jsonable`); `indent` pretty-prints."""
    return json_text(to_jsonable(value), indent)


# json.dumps cannot write a Decimal as a number, so Decimals go out as a marked string that is
# unwrapped afterwards (the standard encoder, in C when not indenting, is many times faster
# than walking the value here). The marker holds a NUL (escaped as \u0000 in JSON text) and a
# random nonce, so no string in the data can ever look like one.
_NONCE = secrets.token_hex(8)
_MARK = "\u0000" + _NONCE + ":"
_MARKED = re.compile(r'"\\u0000' + _NONCE + r':(-?[0-9]+(?:\.[0-9]+)?)"')


def _decimal_marker(value: object) -> str | None:
    if isinstance(value, Decimal):
        # JSON has no NaN or Infinity: such a value (only ever echoed from bad input) is null.
        return _MARK + decimal_text(value) if value.is_finite() else None
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_text(value: JSONValue, indent: int | None = None) -> str:
    """JSON text of a `to_jsonable` value: Decimals as exact numbers, no ASCII escaping."""
    text = json.dumps(value, default=_decimal_marker, ensure_ascii=False, indent=indent,
                      separators=(",", ":") if indent is None else (",", ": "),
                      allow_nan=False)
    if _NONCE in text:  # some Decimal was marked (a plain `in` is far cheaper than sub)
        text = _MARKED.sub(r"\1", text)
    return text


def csv_cell(value: JSONValue) -> str:
    """One CSV cell: empty for null, `true`/`false`, exact decimals, compact JSON for nested
    objects and lists (so the columns stay the JSON field names)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dict | list):
        return json_text(value)
    return str(value)


def to_csv(rows: Iterable[Any], columns: Sequence[str] | None = None) -> str:
    """A header row and one row per result; columns default to the first row's fields."""
    records = [_as_record(row) for row in rows]
    header = list(columns) if columns is not None else list(records[0]) if records else []
    buffer = io.StringIO()
    write_csv(buffer, header, ([csv_cell(record.get(name)) for name in header]
                               for record in records))
    return buffer.getvalue()


def _as_record(row: Any) -> dict[str, JSONValue]:
    record = to_jsonable(row)
    if not isinstance(record, dict):
        raise TypeError(f"a CSV row must be an object, not {type(row).__name__}")
    return record
