"""The SQLite FTS5 trigram index over serial numbers, filled set-wise after each insert.

A per-row trigger made every registration ~7x slower (FTS5 flushes per statement); one
`INSERT ... SELECT` of the new rows after a bulk insert costs about as much as the insert
itself. Every insert into `serials` goes through a repository that calls these. PostgreSQL
keeps its pg_trgm GIN index up to date by itself."""

from __future__ import annotations

from sqlalchemy import Connection


def last_serial_rowid(conn: Connection) -> int:
    if conn.dialect.name != "sqlite":
        return 0
    return int(conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM serials").scalar_one())


def index_serials_after(conn: Connection, rowid: int) -> None:
    """Index the serials inserted after `rowid` (writers hold SQLite's write lock, so the rows
    past it are exactly this transaction's)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO serials_fts(rowid, serial_number) "
                             "SELECT rowid, serial_number FROM serials WHERE rowid > ?",
                             (rowid,))
