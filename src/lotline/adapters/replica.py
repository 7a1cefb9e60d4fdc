"""A PostgreSQL streaming replica for reads that may lag (LOTLINE_DATABASE_READ_URL).

Which engine serves a read that may lag: the replica when it has replayed the reader's
consistency token (service_layer/consistency.py), after waiting up to WAIT_SECONDS for it;
else the primary. A replica that cannot be reached is left alone for DOWN_SECONDS (its reads
go to the primary meanwhile, without an error); one that did not catch up within the wait is
not waited for again during BEHIND_SECONDS (its position is looked at once, and a token it
has not replayed goes to the primary at once), so a lagging replica costs one wait, not one
per request."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from lotline.adapters.db import read_autocommit
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork
from lotline.service_layer.consistency import ReadSession
from lotline.service_layer.context import Actor

WAIT_SECONDS = 0.2
POLL_SECONDS = 0.01
DOWN_SECONDS = 2.0
BEHIND_SECONDS = 1.0
CAUGHT_UP = 1 << 64  # pg_last_wal_replay_lsn() is NULL: not in recovery, nothing to wait for


def lsn_value(token: str) -> int:
    """PostgreSQL's LSN text (`16/B374D848`) as a number, for comparing positions."""
    high, low = token.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def write_position(primary: Engine) -> str:
    """The primary's flushed WAL position now: past every transaction committed so far (a
    commit returns once its record is flushed: lotline never turns synchronous_commit off).
    Not the insert position: that may include records nobody has flushed yet (a background
    snapshot record waits for the WAL writer, up to its 200 ms delay) or point past the next
    page's header, which a standby cannot replay until more WAL comes — a wait for nothing."""
    return str(read_autocommit(primary, lambda pooled: _one(
        pooled, "SELECT pg_current_wal_flush_lsn()::text")))


def _one(pooled: PoolProxiedConnection, statement: str) -> Any:
    cursor = pooled.cursor()
    try:
        cursor.execute(statement)
        row = cursor.fetchone()
        return None if row is None else row[0]
    finally:
        cursor.close()


class Replica:
    """The replica engine beside the primary, and what this process knows of its progress."""

    def __init__(self, engine: Engine, primary: Engine) -> None:
        self.engine = engine
        self.primary = primary
        self.replayed = 0  # the highest replay position this process has seen
        self._down_until = 0.0
        self._behind_until = 0.0
        self._lock = threading.Lock()
        # A new connection may follow a restart of the replica, which replays again from its
        # last restart point: what was seen before no longer holds.
        event.listen(engine, "connect", self._forget_replayed)

    def _forget_replayed(self, *_args: Any) -> None:
        with self._lock:
            self.replayed = 0

    def engine_for(self, session: ReadSession | None) -> Engine:
        """The engine for a read that may lag, in `session` (None: no guarantee asked)."""
        if time.monotonic() < self._down_until:
            return self.primary
        token = session.token() if session is not None else None
        if token is None:
            return self.engine
        needed = lsn_value(token)
        if needed <= self.replayed:
            return self.engine
        # Behind a moment ago: look once, without waiting, rather than wait again.
        wait = 0.0 if time.monotonic() < self._behind_until else WAIT_SECONDS
        try:
            reached = self._wait_for(needed, wait)
        except DBAPIError:
            self.mark_down()
            return self.primary
        if not reached:
            self._behind_until = time.monotonic() + BEHIND_SECONDS
        return self.engine if reached else self.primary

    def mark_down(self) -> None:
        """The replica could not be reached: read from the primary for a while."""
        self._down_until = time.monotonic() + DOWN_SECONDS
        self._forget_replayed()

    def _wait_for(self, needed: int, wait: float) -> bool:
        """Poll the replica's replay position until it reaches `needed` or `wait` s pass."""
        deadline = time.monotonic() + wait
        while True:
            self._saw(self._replay_position())
            if needed <= self.replayed:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)

    def _replay_position(self) -> int:
        text = read_autocommit(self.engine, lambda pooled: _one(
            pooled, "SELECT pg_last_wal_replay_lsn()::text"))
        return CAUGHT_UP if text is None else lsn_value(str(text))

    def _saw(self, position: int) -> None:
        with self._lock:
            self.replayed = max(self.replayed, position)


class ReplicaUnitOfWork(SqlAlchemyUnitOfWork):
    """A read-only unit of work on the replica; on the primary when the replica cannot be
    reached as the block starts (nothing was read yet, so nothing is lost by moving)."""

    def __init__(self, replica: Replica, actor: Actor, *, autocommit: bool) -> None:
        super().__init__(replica.engine, actor, write=False, autocommit=autocommit)
        self.replica = replica

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        try:
            return super().__enter__()
        except DBAPIError:
            if self.engine is not self.replica.engine:
                raise
            self.replica.mark_down()
            self.engine = self.replica.primary
            return super().__enter__()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if isinstance(exc, DBAPIError) and exc.connection_invalidated \
                and self.engine is self.replica.engine:
            self.replica.mark_down()  # lost mid-read (a restart): the next reads go elsewhere
        super().__exit__(exc_type, exc, traceback)


class TrackedUnitOfWork(SqlAlchemyUnitOfWork):
    """A unit of work on the primary whose commits its read session learns of."""

    def __init__(self, engine: Engine, actor: Actor, session: ReadSession, *,
                 connection: Connection | None = None) -> None:
        super().__init__(engine, actor, write=True, connection=connection)
        self.session = session

    def _written(self) -> None:
        primary = self.engine
        self.session.wrote(lambda: write_position(primary))

    def commit(self) -> None:
        super().commit()
        self._written()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        super().__exit__(exc_type, exc, traceback)
        if exc is None:
            self._written()


_REPLICAS: WeakKeyDictionary[Engine, Replica] = WeakKeyDictionary()
_REPLICAS_LOCK = threading.Lock()


def replica_for(primary: Engine, read_engine: Engine | None) -> Replica | None:
    """The process's one `Replica` of `read_engine` (what it has seen of the replica's
    progress is shared by every request and services object), None without a replica."""
    if read_engine is None:
        return None
    with _REPLICAS_LOCK:
        replica = _REPLICAS.get(read_engine)
        if replica is None or replica.primary is not primary:
            replica = _REPLICAS[read_engine] = Replica(read_engine, primary)
    return replica


def read_engine_url(url: str) -> str:
    """The replica's URL with a short connect timeout (unless it names one): a replica that
    does not answer sends its reads to the primary after 2 s, not the driver's minutes."""
    parsed = make_url(url)
    if "connect_timeout" in parsed.query:
        return url
    return parsed.update_query_dict({"connect_timeout": "2"}).render_as_string(
        hide_password=False)
