"""Engines for SQLite and PostgreSQL, set up the way the rest of the code relies on."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool

from lotline.config import PoolSettings

WRITE_OPTION = "lotline_write"
# An engine's default execution option: its connections go through a transaction pooler
# (pgbouncer, pool_mode=transaction), so nothing may outlive a transaction on a session.
TRANSACTION_POOLING = "lotline_transaction_pooling"
T = TypeVar("T")


def make_engine(url: str, *, busy_timeout_ms: int = 30_000,
                pool: PoolSettings | None = None) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout_ms)
    return _server_engine(url, pool or PoolSettings())


def transaction_pooled(connection: Connection | Engine) -> bool:
    """Whether the engine's sessions are shared out per transaction (pgbouncer)."""
    return bool(connection.get_execution_options().get(TRANSACTION_POOLING, False))


_BORROWING = threading.local()


def _server_engine(url: str, pool: PoolSettings) -> Engine:
    """A pooled engine whose connections are checked before a transaction starts on them (the
    database may have closed them while idle: a restart, a failover, pg_terminate_backend).
    This is pool_pre_ping, done in a checkout listener so that `borrow_autocommit` can skip
    it: a single-statement read is retried instead (`read_autocommit`), which costs nothing
    while the connection is alive, where a ping costs a round trip on every request.

    Behind pgbouncer in transaction mode (`pool.transaction_pooling`) psycopg prepares no
    statement on the server (`prepare_threshold=None`): the next transaction may run on
    another server session, which never saw it (pgbouncer before 1.21 cannot track them)."""
    connect_args: dict[str, Any] = {}
    if pool.transaction_pooling:
        connect_args["prepare_threshold"] = None
    engine = create_engine(url, pool_size=pool.size, max_overflow=pool.max_overflow,
                           pool_timeout=pool.timeout, pool_recycle=pool.recycle,
                           connect_args=connect_args,
                           execution_options={TRANSACTION_POOLING: pool.transaction_pooling})

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        if not context.is_disconnect and context.original_exception is not None \
                and is_disconnect(engine.dialect, context.original_exception, None):
            context.is_disconnect = True

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["fresh"] = True  # just opened: alive, no need to ping

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry,
                     _proxy: PoolProxiedConnection) -> None:
        if record.info.pop("fresh", False) or getattr(_BORROWING, "active", False):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"connection closed while idle: {error}") from error

    return engine


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or every checkout would see a new, empty database.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    if not in_memory:  # (in memory, the one connection is the database: never detach it)
        readers = _IDLE_READERS[engine] = _IdleReaders(IDLE_READERS_KEPT)

        @event.listens_for(engine, "engine_disposed")
        def _on_dispose(_engine: Engine) -> None:
            readers.close_all()

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
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        # Straight on the driver: this runs once per unit of work, on the hot paths too.
        driver = connection.connection.driver_connection
        try:
            driver.execute(statement)  # type: ignore[union-attr]
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error

    return engine


def borrow_autocommit(engine: Engine, *, ping: bool = False) -> PoolProxiedConnection:
    """A DBAPI connection that opens no transaction: each statement commits on its own. For a
    read of a single statement (its own consistent snapshot), where BEGIN and ROLLBACK would
    only cost time: on PostgreSQL, two round trips per read. Give it back with
    `return_autocommit`.

    SQLite connections are in autocommit mode already (_on_connect: SQLAlchemy's "begin"
    event issues every BEGIN), and come from the engine's idle readers when it has them.
    Never SQLAlchemy's AUTOCOMMIT isolation level on SQLite: its reset would turn pysqlite's
    own implicit BEGIN back on."""
    readers = _IDLE_READERS.get(engine)
    if readers is not None:
        return readers.take(engine)
    # No ping (`read_autocommit` retries a read on a dropped connection, pinging then).
    _BORROWING.active = not ping
    try:
        pooled = engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as error:  # as Engine.connect() reports it
        raise DBAPIError.instance(None, None, error, engine.dialect.loaded_dbapi.Error,
                                  dialect=engine.dialect) from error
    finally:
        _BORROWING.active = False
    if not is_sqlite(engine):
        try:
            engine.dialect.set_isolation_level(_dbapi(pooled), "AUTOCOMMIT")
        except BaseException:
            pooled.close()
            raise
    return pooled


def return_autocommit(engine: Engine, pooled: PoolProxiedConnection, *,
                      reusable: bool = True) -> None:
    """Give back a connection from `borrow_autocommit` (`reusable=False` after an error)."""
    readers = _IDLE_READERS.get(engine)
    if readers is not None:
        readers.give_back(pooled, reusable=reusable and pooled.is_valid)
        return
    try:
        if pooled.is_valid and not is_sqlite(engine):  # (an invalidated one reconnects)
            engine.dialect.reset_isolation_level(_dbapi(pooled))
    finally:
        pooled.close()


def read_autocommit(engine: Engine, read: Callable[[PoolProxiedConnection], T]) -> T:
    """`read` on a borrowed autocommit connection; if the database had dropped it (a driver
    error that invalidated it), once more on a connection checked alive (others idle in the
    pool may be dead too): a lone read is safe to repeat."""
    for attempt in (1, 2):
        pooled = borrow_autocommit(engine, ping=attempt > 1)
        reusable = False
        try:
            result = read(pooled)
            reusable = True
            return result
        except DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise
        finally:
            return_autocommit(engine, pooled, reusable=reusable)
    raise AssertionError("unreachable")


# SQLSTATEs that mean the server ended the session: class 08 (connection exception) and
# 57P01-57P03 (admin or crash shutdown, cannot connect now). psycopg reports the connection
# broken only once it next touches the socket; the statement that met the error knows first.
_DISCONNECT_STATES = ("08", "57P01", "57P02", "57P03")


def is_disconnect(dialect: Any, error: BaseException, dbapi_connection: Any) -> bool:
    """Whether a driver error means the connection is gone (so it must not be reused)."""
    state = getattr(error, "sqlstate", None) or ""
    return bool(state.startswith(_DISCONNECT_STATES)) \
        or bool(dialect.is_disconnect(error, dbapi_connection, None))


class _IdleReaders:
    """A SQLite file database's idle connections for single-statement reads, kept outside
    SQLAlchemy's pool: a point read takes ~15 µs, and a pool checkout and checkin cost about
    as much again, where a list pop and append cost next to nothing. Each connection is taken
    from the pool once and detached from it (so the pool's limits stay what they were for the
    transactions); at most `keep` wait idle; all are closed when the engine is disposed; none
    is used by a process forked after it was opened."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.idle: list[PoolProxiedConnection] = []
        self.pid = os.getpid()

    def take(self, engine: Engine) -> PoolProxiedConnection:
        if self.pid != os.getpid():  # a forked child: leave the parent's connections alone
            self.idle, self.pid = [], os.getpid()
        try:
            return self.idle.pop()
        except IndexError:
            pooled = engine.raw_connection()
            pooled.detach()
            return pooled

    def give_back(self, pooled: PoolProxiedConnection, *, reusable: bool) -> None:
        if reusable and len(self.idle) < self.keep and self.pid == os.getpid():
            self.idle.append(pooled)
        else:
            pooled.close()

    def close_all(self) -> None:
        if self.pid != os.getpid():
            return
        while self.idle:
            self.idle.pop().close()


_IDLE_READERS: WeakKeyDictionary[Engine, _IdleReaders] = WeakKeyDictionary()
# As many as the API's requests can read at once (its thread pool runs up to 40): with 4, a
# server under 16 concurrent lookups opened and closed a connection (and its PRAGMAs) for most
# of its credential checks and lookups. An idle autocommit connection holds no lock.
IDLE_READERS_KEPT = 32


def _dbapi(pooled: PoolProxiedConnection) -> DBAPIConnection:
    connection = pooled.dbapi_connection
    if connection is None:
        raise RuntimeError("the pooled connection is closed")
    return connection


def is_sqlite(engine_or_connection: Engine | Connection) -> bool:
    return engine_or_connection.dialect.name == "sqlite"
