"""Serials: the state projection, the per-status counts, and the bulk insert hot path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Dialect, Row, select, text, update
from sqlalchemy.engine.interfaces import DBAPIModule
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from lotline.adapters import tables as t
from lotline.adapters.db import is_disconnect
from lotline.adapters.repositories.base import ScopedRepository
from lotline.adapters.repositories.common import (
    escape_like,
    hold_from_row,
    in_chunks,
)
from lotline.adapters.repositories.serial_queries import SerialQueries
from lotline.adapters.repositories.status_counts import StatusCounts
from lotline.adapters.search_index import index_serials_after, last_serial_rowid
from lotline.adapters.types import sqlite_processors, sqlite_timestamp, to_scaled
from lotline.domain.model import Hold, Page, Serial
from lotline.domain.statuses import HoldKind, SerialStatus
from lotline.service_layer.ports import NewSerials

SERIAL_COLUMNS = (
    "id", "org_id", "product_id", "batch_id", "scope_key", "serial_number", "status",
    "location_id", "warehouse_id", "purchase_date", "warranty_expiry", "unit_cost",
    "entry_movement_id", "created_at", "updated_at",
)


# The columns a `Serial` is read from, in the order `_serial_from_values` unpacks them.
READ_COLUMNS = (
    "id", "serial_number", "product_id", "batch_id", "status", "order_id", "location_id",
    "warehouse_id", "purchase_date", "warranty_expiry", "unit_cost", "hold_reason", "hold_kind",
    "hold_since", "parent_serial_id", "created_at", "updated_at", "customer_id",
)
_STATUSES = {status.value: status for status in SerialStatus}


def _caseless(q: str) -> bool:
    """A fragment with no letter that has a case (`0042`, `-7/`)."""
    return q.lower() == q.upper()


# Below this many matches a search starts from the trigram index (see _few_matches).
FEW = 2000
# A bulk registration this large refreshes the PostgreSQL planner's statistics.
ANALYZE_AFTER = 50_000


class SerialRepository(SerialQueries, ScopedRepository[Serial]):
    table = t.serials
    entity_name = "serial"

    def to_entity(self, row: Row[Any]) -> Serial:
        return Serial(
            id=row.id, serial_number=row.serial_number, product_id=row.product_id,
            batch_id=row.batch_id, status=SerialStatus(row.status), order_id=row.order_id,
            location_id=row.location_id, warehouse_id=row.warehouse_id,
            purchase_date=row.purchase_date, warranty_expiry=row.warranty_expiry,
            unit_cost=row.unit_cost, hold=hold_from_row(row),
            parent_serial_id=row.parent_serial_id, created_at=row.created_at,
            updated_at=row.updated_at, customer_id=row.customer_id)

    # --- bulk registration (hot path: Core, one statement for all rows) --------------------

    def insert_new(self, new: NewSerials) -> None:
        """Rows go in sorted by number, whatever order the caller gave: two registrations
        with overlapping numbers then meet on their first common number, and the later one
        waits for the earlier instead of each holding a number the other needs (deadlock)."""
        if self.conn.dialect.name == "sqlite":
            self._insert_sqlite(new)
        else:
            self._copy_postgresql(new)

    def _shared_values(self, new: NewSerials, sqlite: bool) -> tuple[Any, ...]:
        def day(value: dt.date | None) -> Any:
            return value.isoformat() if sqlite and value is not None else value

        cost: Any = new.unit_cost
        if sqlite and cost is not None:
            cost = to_scaled(cost)
        stamp: Any = sqlite_timestamp(new.created_at) if sqlite else new.created_at
        return (new.status.value, new.location_id, new.warehouse_id, day(new.purchase_date),
                day(new.warranty_expiry), cost, new.entry_movement_id, stamp, stamp)

    def _insert_sqlite(self, new: NewSerials) -> None:
        shared = self._shared_values(new, sqlite=True)
        head = (self.org_id, new.product_id, new.batch_id, new.scope_key)
        rows = [(serial_id, *head, number, *shared) for serial_id, number in _by_number(new)]
        placeholders = ", ".join("?" for _ in SERIAL_COLUMNS)
        sql = f"INSERT INTO serials ({', '.join(SERIAL_COLUMNS)}) VALUES ({placeholders})"
        before = last_serial_rowid(self.conn)
        self.conn.exec_driver_sql(sql, rows)
        index_serials_after(self.conn, before)

    def _copy_postgresql(self, new: NewSerials) -> None:
        shared = self._shared_values(new, sqlite=False)
        head = (self.org_id, new.product_id, new.batch_id, new.scope_key)
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        sql = f"COPY serials ({', '.join(SERIAL_COLUMNS)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for serial_id, number in _by_number(new):
                copy.write_row((serial_id, *head, number, *shared))
        if len(new.ids) >= ANALYZE_AFTER:
            # Fresh statistics, or the planner keeps guessing on a table that just grew a lot
            # (and picks a scan over the trigram index for substring search).
            self.conn.exec_driver_sql("ANALYZE serials")

    def existing_numbers(self, scope_key: str, numbers: Sequence[str]) -> list[str]:
        found: list[str] = []
        for condition in in_chunks(self.table.c.serial_number, list(numbers)):
            statement = select(self.table.c.serial_number).where(
                self.scoped(), self.table.c.scope_key == scope_key, condition)
            found.extend(self.conn.execute(statement).scalars())
        return found

    # --- reads -----------------------------------------------------------------------------

    def by_number(self, serial_number: str, product_id: str | None = None,
                  limit: int = 10) -> list[Serial]:
        return SerialReads(self.conn.connection, self.conn.dialect, self.org_id).by_number(
            serial_number, product_id, limit)

    def by_batch(self, batch_id: str) -> list[Serial]:
        statement = self.select().where(self.table.c.batch_id == batch_id)
        return [self.to_entity(r) for r in self.conn.execute(statement.order_by(t.serials.c.id))]

    def by_entry_movement(self, movement_id: str) -> list[Serial]:
        statement = self.select().where(self.table.c.entry_movement_id == movement_id)
        return [self.to_entity(r) for r in self.conn.execute(statement.order_by(t.serials.c.id))]

    def numbers_for_entry(self, movement_ids: Sequence[str]) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for condition in in_chunks(self.table.c.entry_movement_id, list(movement_ids)):
            statement = select(self.table.c.entry_movement_id, self.table.c.serial_number).where(
                self.scoped(), condition)
            # One fetch of the rows (a registration's 100,000), not one driver call each.
            for movement_id, number in self.conn.execute(statement).all():
                result.setdefault(movement_id, []).append(number)
        return result

    def search(self, *, q: str | None, product_id: str | None, status: SerialStatus | None,
               batch_id: str | None, location_id: str | None, order_id: str | None = None,
               warehouse_id: str | None = None, limit: int,
               cursor: str | None) -> Page[Serial]:
        c = self.table.c
        statement = self.select()
        for column, value in ((c.product_id, product_id), (c.batch_id, batch_id),
                              (c.location_id, location_id), (c.order_id, order_id),
                              (c.warehouse_id, warehouse_id)):
            if value is not None:
                statement = statement.where(column == value)
        if status is not None:
            statement = statement.where(c.status == status.value)
        if q:
            matches = self._few_matches(q)
            statement = statement.where(c.id.in_(matches) if matches is not None
                                        else self._substring(q))
        return self.page(statement, limit, cursor)

    def _few_matches(self, q: str) -> list[str] | None:
        """The ids matching a fragment, when the trigram index finds fewer than FEW of them.

        A rare fragment is fastest from the index's matches; a common one ("SN-") is fastest
        walking serials in id order and stopping at the first page. Asking the index for at
        most FEW matches tells the two apart at the cost of one bounded lookup."""
        if len(q) < 3:
            return None  # shorter than a trigram: the index cannot help
        if self.conn.dialect.name == "sqlite":
            phrase = '"' + q.replace('"', '""') + '"'
            # Rowids from the index first (capped), then their rows; `+` keeps SQLite from
            # walking the organization's serials and probing the index for each one.
            sql = ("SELECT id FROM serials WHERE rowid IN (SELECT rowid FROM serials_fts "
                   "WHERE serials_fts MATCH :phrase LIMIT :few) AND +org_id = :org")
            params = {"phrase": phrase, "org": self.org_id, "few": FEW + 1}
        else:
            # ILIKE is served by the pg_trgm GIN index (gin_trgm_ops) as LIKE is.
            sql = (f"SELECT id FROM serials WHERE org_id = :org AND serial_number "
                   f"{'LIKE' if _caseless(q) else 'ILIKE'} :pattern ESCAPE '\\' LIMIT :few")
            params = {"pattern": f"%{escape_like(q)}%", "org": self.org_id, "few": FEW + 1}
        ids = list(self.conn.execute(text(sql), params).scalars())
        return ids if len(ids) <= FEW else None

    def _substring(self, q: str) -> Any:
        """Partial-number match ignoring case, as the trigram indexes do (DESIGN §2: partial
        search is for people): a walk in id order that stops at the first page, for fragments
        too short or too common for the index to pay off. SQLite's LIKE folds ASCII only."""
        column, pattern = self.table.c.serial_number, f"%{escape_like(q)}%"
        if _caseless(q):  # digits and punctuation: the cheaper case-sensitive match is the same
            return column.like(pattern, escape="\\")
        return column.ilike(pattern, escape="\\")

    # --- state changes and the per-status counts ------------------------------------------

    def set_state(self, serial_id: str, values: dict[str, Any]) -> None:
        statement = (update(self.table).where(self.scoped(), self.table.c.id == serial_id)
                     .values(**values))
        self.conn.execute(statement)

    def bump_count(self, product_id: str, status: SerialStatus, delta: int,
                   batch_id: str | None = None) -> None:
        """Count `delta` serials of the lot `batch_id` (None: of no lot) into `status`; written
        when the unit of work ends (status_counts.py)."""
        self.status_counts.bump(product_id, status, delta, batch_id)

    @property
    def status_counts(self) -> StatusCounts:
        counts: StatusCounts | None = self.__dict__.get("_status_counts")
        if counts is None:
            counts = self.__dict__["_status_counts"] = StatusCounts(self.conn, self.org_id)
        return counts

    def counts(self, product_id: str | None = None) -> dict[str, int]:
        return self.status_counts.read(product_id)


# --- point reads on the DBAPI connection -----------------------------------------------------


class SerialReads:
    """Point reads of serials straight on a DBAPI connection: a pooled one lent for a single
    statement, or the one under a SQLAlchemy Connection, inside its transaction. A point read
    through Core spends most of its time in statement caching, result metadata and Row objects;
    here it is one fixed SQL string and rows mapped straight to `Serial`, through the result
    processors SQLAlchemy itself would apply, so the serials come out as `to_entity` makes
    them."""

    def __init__(self, connection: PoolProxiedConnection, dialect: Dialect, org_id: str,
                 reconnect: Callable[[], PoolProxiedConnection] | None = None) -> None:
        self.connection = connection
        self.dialect = dialect
        self.org_id = org_id
        # Given for a lent connection outside any transaction: a read that finds it dropped
        # by the database (closed while idle) runs once more on the one this returns.
        self.reconnect = reconnect

    def by_number(self, serial_number: str, product_id: str | None = None,
                  limit: int = 10) -> list[Serial]:
        """Serials with exactly this number (at most one per product), the first `limit` in
        id order. Sorted here rather than by ORDER BY, which would make the database set up a
        sorter for what is nearly always one row; ids are time-ordered ASCII (UUIDv7 text), so
        Python orders them as the database does."""
        reads = _point_reads(self.dialect)
        read, params = ((reads.by_number, (self.org_id, serial_number)) if product_id is None
                        else (reads.by_number_and_product,
                              (self.org_id, serial_number, product_id)))
        try:
            return read.fetch(self.connection, params, limit)
        except DBAPIError as error:
            if self.reconnect is None or not error.connection_invalidated:
                raise
            self.connection = self.reconnect()
            return read.fetch(self.connection, params, limit)


class _PointRead:
    """One SELECT of `READ_COLUMNS` from serials under a fixed WHERE, written for the driver's
    parameter style, with the result processors of each column (for the column types the
    driver reports, found on first use)."""

    def __init__(self, dialect: Dialect, columns: Sequence[str]) -> None:
        quote = dialect.identifier_preparer.quote
        style = dialect.paramstyle
        self.named = style in ("named", "pyformat")
        marks = [{"qmark": "?", "format": "%s", "numeric": f":{i + 1}", "named": f":p{i}",
                  "pyformat": f"%(p{i})s"}[style] for i in range(len(columns))]
        where = " AND ".join(f"{quote(column)} = {mark}" for column, mark in zip(
            columns, marks, strict=True))
        self.sql = (f"SELECT {', '.join(quote(name) for name in READ_COLUMNS)} "
                    f"FROM {quote(t.serials.name)} WHERE {where}")
        self.dialect = dialect
        self._processors: list[tuple[int, Callable[[Any], Any]]] | None = None

    def fetch(self, connection: PoolProxiedConnection, params: tuple[Any, ...],
              limit: int) -> list[Serial]:
        """The first `limit` matching serials in id order."""
        bound: Any = {f"p{i}": value for i, value in enumerate(params)} if self.named else params
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, bound)
                rows = cursor.fetchall()
                processors = self._processors
                if processors is None:
                    processors = self._processors = self._find_processors(cursor.description)
            finally:
                cursor.close()
        except self.dialect.loaded_dbapi.Error as error:
            raise self._failure(error, connection, bound) from error
        if len(rows) > 1:
            rows = sorted(rows, key=itemgetter(0))  # "id", the first of READ_COLUMNS
        return [_serial_from_values(row, processors) for row in rows[:max(limit, 0)]]

    def _failure(self, error: DBAPIModule.Error, connection: PoolProxiedConnection,
                 params: Any) -> Exception:
        """As SQLAlchemy reports a driver error: wrapped in its exception classes, and a
        connection the database dropped invalidated, so the pool does not hand it out again."""
        dropped = is_disconnect(self.dialect, error, connection.dbapi_connection)
        if dropped:
            connection.invalidate(error)
        return DBAPIError.instance(self.sql, params, error, self.dialect.loaded_dbapi.Error,
                                   connection_invalidated=dropped, dialect=self.dialect)

    def _find_processors(self, description: Any) -> list[tuple[int, Callable[[Any], Any]]]:
        found: list[tuple[int, Callable[[Any], Any]]] = []
        sqlite = self.dialect.name == "sqlite"
        for index, name in enumerate(READ_COLUMNS):
            declared = t.serials.c[name].type
            # On SQLite a timestamp's text is parsed in one call (types.py), not by
            # SQLAlchemy's chain of DATETIME's parser and UTCDateTime's: same values.
            fused = sqlite_processors(declared) if sqlite else None
            processor = fused[1] if fused is not None else declared.dialect_impl(
                self.dialect).result_processor(self.dialect, description[index][1])
            if processor is not None:
                found.append((index, processor))
        return found


def _serial_from_values(row: Sequence[Any],
                        processors: list[tuple[int, Callable[[Any], Any]]]) -> Serial:
    values = list(row)
    for index, process in processors:
        if values[index] is not None:
            values[index] = process(values[index])
    (serial_id, number, product_id, batch_id, status, order_id, location_id, warehouse_id,
     purchase_date, warranty_expiry, unit_cost, hold_reason, hold_kind, hold_since,
     parent_serial_id, created_at, updated_at, customer_id) = values
    return Serial(
        id=serial_id, serial_number=number, product_id=product_id, batch_id=batch_id,
        status=_STATUSES.get(status) or SerialStatus(status), order_id=order_id,
        location_id=location_id, warehouse_id=warehouse_id, purchase_date=purchase_date,
        warranty_expiry=warranty_expiry, unit_cost=unit_cost,
        hold=None if hold_kind is None else  # as hold_from_row
        Hold(reason=hold_reason or "", kind=HoldKind(hold_kind), since=hold_since),
        parent_serial_id=parent_serial_id, created_at=created_at, updated_at=updated_at,
        customer_id=customer_id)


@dataclass(frozen=True, slots=True)
class _PointReads:
    by_number: _PointRead
    by_number_and_product: _PointRead


_POINT_READS: WeakKeyDictionary[Dialect, _PointReads] = WeakKeyDictionary()


def _point_reads(dialect: Dialect) -> _PointReads:
    reads = _POINT_READS.get(dialect)
    if reads is None:
        reads = _POINT_READS[dialect] = _PointReads(
            by_number=_PointRead(dialect, ("org_id", "serial_number")),
            by_number_and_product=_PointRead(dialect,
                                             ("org_id", "serial_number", "product_id")))
    return reads


def _by_number(new: NewSerials) -> list[tuple[str, str]]:
    """(id, number) pairs sorted by number (the sort is linear on already sorted input)."""
    return sorted(zip(new.ids, new.numbers, strict=True), key=itemgetter(1))
