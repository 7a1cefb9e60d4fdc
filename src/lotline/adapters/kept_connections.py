"""The units of work's SQLAlchemy Connections on a SQLite file database, kept open between
transactions.

On SQLite a unit of work's own statements take microseconds, and opening a Connection and
closing it again (the pool's checkout and checkin with their events and reset, the
Connection's construction and its execution options) cost as much as a few of them: about a
third of what allocating, picking or shipping an order spends outside its statements. Here a
Connection whose transaction has ended goes back on a short list of idle ones (one list per
WRITE_OPTION) and the next unit of work takes it from there, BEGIN and COMMIT still going
through SQLAlchemy (and the engine's "begin" event) as before.

The kept Connections stay checked out of the engine's pool, so its limits still bound how many
connections there are; at most KEPT of each kind wait idle; a Connection whose transaction did
not end, that was invalidated or whose execution options changed is closed instead of kept;
all are closed when the engine is disposed; none is used by a process forked after it was
opened. PostgreSQL and in-memory SQLite engines open and close a Connection per unit of work
as before (on PostgreSQL the checkout also checks that the server did not drop it)."""

from __future__ import annotations

import os
import threading
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event
from sqlalchemy.pool import StaticPool

from lotline.adapters.db import WRITE_OPTION

KEPT = 4


class _Kept:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.idle: dict[bool, list[Connection]] = {True: [], False: []}
        self.pid = os.getpid()

    def take(self, engine: Engine, write: bool) -> Connection:
        if self.pid != os.getpid():  # a forked child: leave the parent's connections alone
            self.idle, self.pid = {True: [], False: []}, os.getpid()
        try:
            return self.idle[write].pop()
        except IndexError:
            conn = engine.connect().execution_options(**{WRITE_OPTION: write})
            # Kept only with the options it was opened with (see give_back).
            conn.info["kept options"] = conn.get_execution_options()
            return conn

    def give_back(self, conn: Connection, write: bool) -> None:
        idle = self.idle[write]
        if (len(idle) < self.keep and self.pid == os.getpid() and not conn.closed
                and not conn.invalidated and not conn.in_transaction()
                and conn.get_execution_options() is conn.info.get("kept options")):
            idle.append(conn)
        else:
            conn.close()

    def close_all(self) -> None:
        if self.pid != os.getpid():
            return
        for idle in self.idle.values():
            while idle:
                idle.pop().close()


# Per engine, decided on its first unit of work: its kept Connections, or None.
_KEPT: WeakKeyDictionary[Engine, _Kept | None] = WeakKeyDictionary()
# The server's worker threads may start their first units of work at once: one record (and one
# dispose listener) per engine, not one per thread that got there first.
_DECIDING = threading.Lock()


def _kept(engine: Engine) -> _Kept | None:
    try:
        return _KEPT[engine]
    except KeyError:
        pass
    with _DECIDING:
        if engine in _KEPT:
            return _KEPT[engine]
        # A SQLite file database (in memory, its one StaticPool connection is the database).
        if engine.dialect.name != "sqlite" or isinstance(engine.pool, StaticPool):
            _KEPT[engine] = None
            return None
        kept = _KEPT[engine] = _Kept(KEPT)
        event.listen(engine, "engine_disposed", lambda _engine: kept.close_all())
        return kept


def open_connection(engine: Engine, write: bool) -> Connection:
    """A Connection with no transaction open, its WRITE_OPTION set to `write`."""
    kept = _kept(engine)
    if kept is None:
        return engine.connect().execution_options(**{WRITE_OPTION: write})
    return kept.take(engine, write)


def close_connection(engine: Engine, conn: Connection, write: bool) -> None:
    """Done with a Connection from `open_connection` (its transaction ended, or not)."""
    kept = _KEPT.get(engine)
    if kept is None:
        conn.close()
    else:
        kept.give_back(conn, write)
