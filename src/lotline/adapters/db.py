"""Engines for SQLite and PostgreSQL, set up the way the rest of the code relies on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

WRITE_OPTION = "lotline_write"


def make_engine(url: str, *, busy_timeout_ms: int = 30_000) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout_ms)
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=False)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or every checkout would see a new, empty database.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred and
        # would let two writers deadlock on the read-to-write upgrade).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Writers take the write lock up front; readers use a deferred snapshot.
        write = connection.get_execution_options().get(WRITE_OPTION, True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def is_sqlite(engine_or_connection: Engine | Connection) -> bool:
    return engine_or_connection.dialect.name == "sqlite"
