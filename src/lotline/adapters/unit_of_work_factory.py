"""The unit-of-work factory bootstrap hands to the services, with the two sessions that are
not a plain unit of work: a bulk import's staging connection and the per-request credential
check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DataError
from sqlalchemy.pool import PoolProxiedConnection

from lotline.adapters.db import WRITE_OPTION, read_autocommit, transaction_pooled
from lotline.adapters.idempotency import in_claimed_transaction
from lotline.adapters.replica import Replica, ReplicaUnitOfWork, TrackedUnitOfWork
from lotline.adapters.repositories.identity import CredentialReads, credential_reads
from lotline.adapters.repositories.serials import SerialReads as LentSerialReads
from lotline.adapters.repositories.staging import SerialStaging
from lotline.adapters.repositories.webhooks import DeliveryQueue
from lotline.adapters.transaction_errors import refuse_nul
from lotline.adapters.types import to_scaled
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork
from lotline.service_layer.consistency import ReadSession, current_session
from lotline.service_layer.context import Actor
from lotline.service_layer.ports import KeyPrincipal, SerialReads, TokenPrincipal

R = TypeVar("R")


class SqlAlchemyUnitOfWorks:
    """The unit-of-work factory bootstrap hands to the services: one engine, a new
    `SqlAlchemyUnitOfWork` per call.

    With a replica, a read that may lag goes to it (or to the primary when it has not replayed
    the reader's writes: adapters/replica.py), and every write tells the reader's session —
    the running request's (service_layer/consistency.py), else `session`, the library's."""

    def __init__(self, engine: Engine, replica: Replica | None = None,
                 session: ReadSession | None = None) -> None:
        self.engine = engine
        self.replica = replica
        self.session = session

    def __call__(self, actor: Actor, *, write: bool = True, autocommit: bool = False,
                 may_lag: bool = False) -> SqlAlchemyUnitOfWork:
        if self.replica is None:
            return SqlAlchemyUnitOfWork(self.engine, actor, write=write, autocommit=autocommit)
        session = current_session() or self.session
        if write:
            if session is None:
                return SqlAlchemyUnitOfWork(self.engine, actor)
            return TrackedUnitOfWork(self.engine, actor, session)
        # A read inside a request whose transaction is open (idempotency) must see its writes.
        if not may_lag or in_claimed_transaction():
            return SqlAlchemyUnitOfWork(self.engine, actor, write=False, autocommit=autocommit)
        if self.replica.engine_for(session) is not self.replica.engine:
            return SqlAlchemyUnitOfWork(self.engine, actor, write=False, autocommit=autocommit)
        return ReplicaUnitOfWork(self.replica, actor, autocommit=autocommit)

    @contextmanager
    def staged_import(self, actor: Actor) -> Iterator[SqlAlchemyStagedImport]:
        conn = self.engine.connect().execution_options(**{WRITE_OPTION: False})
        session = (current_session() or self.session) if self.replica is not None else None
        if transaction_pooled(conn):  # the TEMP table's session is ours for one transaction
            conn.begin()
        try:
            yield SqlAlchemyStagedImport(self.engine, conn, actor, session)
        finally:
            conn.close()

    def read_credentials(self, read: Callable[[CredentialLookup], R]) -> R:
        """Credential rows read straight on a borrowed DBAPI connection, in no transaction."""
        reads = credential_reads(self.engine.dialect)
        return read_autocommit(self.engine,
                               lambda pooled: read(CredentialLookup(reads, pooled)))

    def read_serials(self, actor: Actor, read: Callable[[SerialReads], R]) -> R:
        """SerialReads on a borrowed DBAPI connection, in no transaction: for a point read the
        unit of work's own setup (and its end) cost a quarter of the read. Inside a claimed
        request the unit of work joins the request's transaction, so that case still goes
        through one. A NUL PostgreSQL refuses is a ValidationError, as the unit of work says."""
        if in_claimed_transaction():
            with SqlAlchemyUnitOfWork(self.engine, actor, write=False, autocommit=True) as uow:
                return read(uow.serial_reads)
        dialect = self.engine.dialect
        try:
            return read_autocommit(self.engine, lambda pooled: read(
                LentSerialReads(pooled, dialect, actor.org_id)))
        except DataError as error:
            refuse_nul(error)
            raise

    @contextmanager
    def delivery_queue(self) -> Iterator[DeliveryQueue]:
        """One short write transaction of the delivery worker."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield DeliveryQueue(conn)


class SqlAlchemyStagedImport:
    """An import's own connection: its TEMP staging table, staged into by short read-only
    transactions, then one unit of work on the same connection that writes it all."""

    def __init__(self, engine: Engine, conn: Connection, actor: Actor,
                 session: ReadSession | None = None) -> None:
        self.engine = engine
        self.session = session
        self.conn = conn
        self.actor = actor
        self.staging = SerialStaging(conn, actor.org_id)
        self.sqlite = conn.dialect.name == "sqlite"

    def stored_date(self, day: dt.date) -> object:
        return day.isoformat() if self.sqlite else day

    def stored_cost(self, cost: Decimal) -> object:
        return to_scaled(cost) if self.sqlite else cost

    def writing(self) -> SqlAlchemyUnitOfWork:
        if self.session is not None:
            return TrackedUnitOfWork(self.engine, self.actor, self.session, connection=self.conn)
        return SqlAlchemyUnitOfWork(self.engine, self.actor, connection=self.conn)


class CredentialLookup:
    def __init__(self, reads: CredentialReads, pooled: PoolProxiedConnection) -> None:
        self.reads = reads
        self.pooled = pooled

    def token(self, token_hash: str) -> TokenPrincipal | None:
        return self.reads.token(self.pooled, token_hash)

    def api_key(self, key_hash: str) -> KeyPrincipal | None:
        return self.reads.api_key(self.pooled, key_hash)
