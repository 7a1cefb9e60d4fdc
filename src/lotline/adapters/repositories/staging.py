"""The staging table of a serial import: a TEMP table of the import's own connection.

Validated rows go in by chunks, each chunk a short transaction of its own; a TEMP table
lives in SQLite's separate temp database (and in PostgreSQL's session), so staging never
takes the main database's write lock, never shows rows to anyone else, and vanishes with
the connection if the process dies. The final transaction moves everything into `serials`
with one INSERT ... SELECT."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, NestedTransaction, RootTransaction, text
from sqlalchemy.exc import IntegrityError

from lotline.adapters.search_index import index_serials_after, last_serial_rowid
from lotline.adapters.types import sqlite_timestamp
from lotline.domain.errors import Conflict

STAGE = "lotline_import_serials"
COLUMNS = ("row_no", "id", "serial_number", "product_id", "batch_id", "scope_key", "status",
           "location_id", "warehouse_id", "purchase_date", "warranty_expiry", "unit_cost",
           "entry_movement_id", "group_no")
_TYPES = {
    "sqlite": ("INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT",
               "TEXT", "TEXT", "INTEGER", "TEXT", "INTEGER"),
    "postgresql": ("bigint", "varchar(36)", "varchar(100)", "varchar(36)", "varchar(36)",
                   "varchar(36)", "varchar(12)", "varchar(36)", "varchar(36)", "date", "date",
                   "numeric(20,6)", "varchar(36)", "integer"),
}
# The serials columns filled from the stage, in the stage's column names.
_SERIAL_COLUMNS = ("id", "product_id", "batch_id", "scope_key", "serial_number", "status",
                   "location_id", "warehouse_id", "purchase_date", "warranty_expiry",
                   "unit_cost", "entry_movement_id")


class SerialStaging:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id
        self.sqlite = conn.dialect.name == "sqlite"
        self._driver: Any = conn.connection.driver_connection

    def _run(self, sql: str) -> None:
        cursor = self._driver.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def _step(self) -> RootTransaction | NestedTransaction:
        """A short transaction of its own, or a savepoint of the import's one transaction."""
        return self.conn.begin_nested() if self.conn.in_transaction() else self.conn.begin()

    def create(self) -> None:
        types = _TYPES["sqlite" if self.sqlite else "postgresql"]
        columns = ", ".join(f"{name} {kind}" for name, kind in zip(COLUMNS, types, strict=True))
        at_end = " ON COMMIT DROP" if self.conn.in_transaction() and not self.sqlite else ""
        with self._step():
            self._run(f"DROP TABLE IF EXISTS {'temp.' if self.sqlite else ''}{STAGE}")
            self._run(f"CREATE TEMP TABLE {STAGE} ({columns}){at_end}")

    def drop(self) -> None:
        if self.conn.in_transaction():
            self.conn.rollback()
        with self.conn.begin():  # (after the import's one transaction: a no-op)
            self._run(f"DROP TABLE IF EXISTS {'temp.' if self.sqlite else ''}{STAGE}")

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """One chunk of rows (in COLUMNS order), in a transaction of its own."""
        if not rows:
            return
        with self._step():
            cursor = self._driver.cursor()
            try:
                if self.sqlite:
                    marks = ", ".join("?" for _ in COLUMNS)
                    cursor.executemany(f"INSERT INTO {STAGE} VALUES ({marks})", rows)
                else:
                    with cursor.copy(f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            finally:
                cursor.close()

    def index(self, *columns: str) -> None:
        name = f"ix_{STAGE}_{'_'.join(columns)}"
        with self._step():
            self._run(f"CREATE INDEX IF NOT EXISTS {name} ON {STAGE} ({', '.join(columns)})")
            if not self.sqlite:
                self._run(f"ANALYZE {STAGE}")

    def _query(self, sql: str, **params: Any) -> list[Any]:
        with self._step():
            return list(self.conn.execute(text(sql), params))

    def duplicates_in_file(self, limit: int) -> list[tuple[str, list[int]]]:
        """(number, the rows that carry it) for every number given more than once."""
        rows = self._query(
            f"SELECT a.serial_number, a.row_no FROM {STAGE} a WHERE EXISTS (SELECT 1 FROM "
            f"{STAGE} b WHERE b.scope_key = a.scope_key AND b.serial_number = a.serial_number "
            f"AND b.row_no <> a.row_no) ORDER BY a.serial_number, a.row_no LIMIT :limit",
            limit=limit)
        found: dict[str, list[int]] = {}
        for number, row_no in rows:
            found.setdefault(number, []).append(int(row_no))
        return list(found.items())

    def duplicates_in_database(self, limit: int) -> list[tuple[int, str]]:
        """(row, number) for every staged number already registered in its scope."""
        rows = self._query(
            f"SELECT st.row_no, st.serial_number FROM {STAGE} st JOIN serials s "
            f"ON s.org_id = :org AND s.serial_number = st.serial_number "
            f"AND s.scope_key = st.scope_key ORDER BY st.row_no LIMIT :limit",
            org=self.org_id, limit=limit)
        return [(int(row_no), number) for row_no, number in rows]

    def insert_into_serials(self, moment: dt.datetime) -> int:
        """Inside the caller's transaction: every staged row becomes a serial."""
        stamp: Any = sqlite_timestamp(moment) if self.sqlite else moment
        columns = ", ".join(_SERIAL_COLUMNS)
        sql = (f"INSERT INTO serials (org_id, {columns}, created_at, updated_at) "
               f"SELECT :org, {columns}, :stamp, :stamp FROM {STAGE}")
        before = last_serial_rowid(self.conn)
        try:
            inserted = self.conn.execute(text(sql), {"org": self.org_id,
                                                     "stamp": stamp}).rowcount
        except Exception as error:
            if isinstance(error, IntegrityError) or getattr(error, "sqlstate", None) == "23505":
                raise Conflict("a staged serial number is already registered") from error
            raise
        index_serials_after(self.conn, before)
        return int(inserted)

    def group_numbers(self, group_no: int) -> list[str]:
        """The serial numbers of one group, inside the caller's transaction."""
        cursor = self._driver.cursor()
        try:
            mark = "?" if self.sqlite else "%s"
            cursor.execute(f"SELECT serial_number FROM {STAGE} WHERE group_no = {mark}",
                           (group_no,))
            return [row[0] for row in cursor]
        finally:
            cursor.close()

    def group_ids(self, group_no: int) -> list[str]:
        cursor = self._driver.cursor()
        try:
            mark = "?" if self.sqlite else "%s"
            cursor.execute(f"SELECT id FROM {STAGE} WHERE group_no = {mark}", (group_no,))
            return [row[0] for row in cursor]
        finally:
            cursor.close()

    def count(self) -> int:
        return int(self._query(f"SELECT count(*) FROM {STAGE}")[0][0])
