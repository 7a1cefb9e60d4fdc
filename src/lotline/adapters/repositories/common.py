"""Helpers shared by the Core repositories: cursors, upserts, hold columns."""

from __future__ import annotations

import base64
import json
from collections import namedtuple
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from lotline.domain.errors import ValidationError
from lotline.domain.model import Hold
from lotline.domain.statuses import HoldKind

MAX_PAGE = 500
S = TypeVar("S")
_STATEMENTS: dict[Hashable, Any] = {}


def cached_statement(key: Hashable, build: Callable[[], S]) -> S:
    """A statement built once per key, its values left as `bindparam()`s to fill at execution:
    on the hot paths (allocating, picking, shipping) SQLAlchemy's construction of a statement
    costs several times its cached compilation and execution."""
    statement: S | None = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int = 1) -> list[Any] | None:
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise ValidationError.single("cursor", "is not a cursor this server issued",
                                     cursor) from None
    if not isinstance(values, list) or len(values) != arity:
        raise ValidationError.single("cursor", "is not a cursor this server issued", cursor)
    return values


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError.single("limit", f"must be between 1 and {MAX_PAGE}", limit)
    return limit


def upsert_add(conn: Connection, table: Table, keys: Mapping[str, Any],
               increments: Mapping[str, Any], initial: Mapping[str, Any] | None = None) -> None:
    """INSERT the row (keys, increments, initial values), or add `increments` to the existing
    one (ON CONFLICT DO UPDATE): race-free on both databases."""
    insert_fn = sqlite.insert if conn.dialect.name == "sqlite" else postgresql.insert
    statement = insert_fn(table).values({**keys, **increments, **(initial or {})})
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in increments},
    )
    conn.execute(statement)


def hold_from_row(row: Any) -> Hold | None:
    if row.hold_kind is None:
        return None
    return Hold(reason=row.hold_reason or "", kind=HoldKind(row.hold_kind), since=row.hold_since)


def hold_values(hold: Hold | None) -> dict[str, Any]:
    if hold is None:
        return {"hold_reason": None, "hold_kind": None, "hold_since": None}
    return {"hold_reason": hold.reason, "hold_kind": hold.kind.value, "hold_since": hold.since}


def contains(conn: Connection, column: ColumnElement[Any], text: str) -> ColumnElement[bool]:
    """`column` contains `text`, case-insensitively. SQLite's LIKE already ignores case the
    way its lower() does (ASCII letters), at half the cost of lower(...) LIKE lower(...)."""
    pattern = f"%{escape_like(text)}%"
    if conn.dialect.name == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def in_chunks(column: ColumnElement[Any], values: Sequence[Any],
              size: int = 500) -> list[ColumnElement[bool]]:
    return [column.in_(values[i:i + size]) for i in range(0, len(values), size)]


_PART_TYPES: dict[str, type] = {}


def part(row: Any, table: Table, start: int) -> Any:
    """The columns of `table` that a joined select brought into `row` from index `start` on
    (all of them, in the table's order), as a row of that table alone: its repository's
    `to_entity` maps it."""
    kind = _PART_TYPES.get(table.name)
    if kind is None:
        kind = _PART_TYPES[table.name] = namedtuple(
            f"{table.name}_row", [column.key for column in table.c], rename=True)
    return kind._make(row[start:start + len(table.c)])  # type: ignore[attr-defined]
