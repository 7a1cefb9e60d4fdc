"""The SQLAlchemy unit of work: one database transaction per use case (the port is
`lotline.service_layer.unit_of_work.UnitOfWork`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, NestedTransaction
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import PoolProxiedConnection

from lotline.adapters.db import WRITE_OPTION, borrow_autocommit, return_autocommit
from lotline.adapters.idempotency import joined_connection
from lotline.adapters.kept_connections import close_connection, open_connection
from lotline.adapters.repositories.audit import AuditRepository
from lotline.adapters.repositories.batches import BatchRepository
from lotline.adapters.repositories.catalog import (
    CustomerRepository,
    ProductRepository,
    SupplierRepository,
)
from lotline.adapters.repositories.checkpoints import CheckpointRepository
from lotline.adapters.repositories.custom_fields import CustomFieldRepository
from lotline.adapters.repositories.epcis_store import EpcisStore
from lotline.adapters.repositories.events import EventRepository
from lotline.adapters.repositories.exports import ExportRows
from lotline.adapters.repositories.flows import FlowRepository
from lotline.adapters.repositories.identity import (
    IdentityRepository,
)
from lotline.adapters.repositories.ledger_checks import LedgerChecks
from lotline.adapters.repositories.movements import MovementRepository
from lotline.adapters.repositories.orders import OrderRepository
from lotline.adapters.repositories.organizations import OrganizationRepository
from lotline.adapters.repositories.recalls import RecallRepository
from lotline.adapters.repositories.reports import ReportQueries
from lotline.adapters.repositories.serials import SerialReads, SerialRepository
from lotline.adapters.repositories.trace import TraceRepository
from lotline.adapters.repositories.transformations import TransformationRepository
from lotline.adapters.repositories.warehouses import LocationRepository, WarehouseRepository
from lotline.adapters.repositories.webhooks import WebhookRepository
from lotline.adapters.transaction_errors import (
    conflict,
    end_savepoint,
    is_transient,
    refuse_nul,
)
from lotline.domain.model import OrgSettings
from lotline.service_layer.context import Actor
from lotline.service_layer.unit_of_work import EventOutbox, TransientConflict, UnitOfWork

R = TypeVar("R")


TIMEZONE_TTL = 5.0
_TIMEZONES: dict[tuple[int, str], tuple[float, str]] = {}


class _Repository(Generic[R]):
    """A repository of the unit of work, built on first use in a block (`uow.products`)."""

    def __init__(self, kind: Callable[[Connection, str], R]) -> None:
        self.kind = kind

    def __get__(self, uow: SqlAlchemyUnitOfWork, owner: type | None = None) -> R:
        return uow._repository(self.kind)


class SqlAlchemyUnitOfWork(UnitOfWork):
    """`with SqlAlchemyUnitOfWork(engine, actor) as uow:` — commits when the block ends
    normally (after the ledger's pending rows and chain heads are written), rolls back on any
    exception.

    Repositories and the ledger are built on first use, so a block pays only for what it
    touches. `autocommit=True` (reads only) is for a block of one read statement through
    `serial_reads`, which is its own snapshot: no transaction, and a DBAPI connection borrowed
    without a SQLAlchemy Connection around it (for a point read, the wrapper, BEGIN and
    ROLLBACK would cost more than the read). Core repositories still work in such a block, in a
    read transaction on a connection of their own.
    """

    def __init__(self, engine: Engine, actor: Actor, *, write: bool = True,
                 autocommit: bool = False, connection: Connection | None = None) -> None:
        if write and autocommit:
            raise ValueError("an autocommit unit of work is for reads only")
        self.engine = engine
        # A connection lent by the caller (a staged import's, with its TEMP table) is used
        # for the block's transaction and left open afterwards.
        self._lent = connection
        self.actor = actor
        self.write = write
        self.autocommit = autocommit
        self._settings: OrgSettings | None = None
        self._conn: Connection | None = None
        self._pooled: PoolProxiedConnection | None = None
        self._built: dict[object, Any] = {}  # repositories, by class
        self._ledger = None
        self._joined = False
        self._savepoint: NestedTransaction | None = None
        self._lent_savepoint: NestedTransaction | None = None

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self._built = {}  # a unit of work entered again starts afresh
        self._ledger = None
        # Inside a request with an Idempotency-Key, every unit of work after its first write
        # shares one transaction, committed by the door with the answer (idempotency.py).
        joined = joined_connection(self.engine, self.write) if self._lent is None else None
        self._joined = joined is not None
        if joined is not None:
            self._conn = joined
            self._savepoint = joined.begin_nested()
        elif self.autocommit:
            self._pooled = borrow_autocommit(self.engine)
        elif self._lent is not None:
            self._conn = self._lent.execution_options(**{WRITE_OPTION: self.write})
            if self._conn.in_transaction():  # a staged import's one transaction (pgbouncer)
                self._lent_savepoint = self._conn.begin_nested()
            else:
                self._conn.begin()
        else:
            self._conn = open_connection(self.engine, self.write)
            try:
                self._conn.begin()
            except BaseException:
                self._conn.close()  # not kept: what state the failed BEGIN left is unknown
                self._conn = None
                raise
        return self

    @property
    def conn(self) -> Connection:
        conn = self._conn
        if conn is None:
            if self._pooled is None:
                raise RuntimeError("the unit of work is used outside its `with` block")
            conn = self.engine.connect().execution_options(**{WRITE_OPTION: False})
            self._conn = conn
        return conn

    def _repository(self, kind: Callable[[Connection, str], R]) -> R:
        repository: R | None = self._built.get(kind)
        if repository is None:
            repository = self._built[kind] = kind(self.conn, self.actor.org_id)
        return repository

    @property
    def organizations(self) -> OrganizationRepository:
        repository: OrganizationRepository | None = self._built.get(OrganizationRepository)
        if repository is None:
            repository = self._built[OrganizationRepository] = OrganizationRepository(self.conn)
        return repository

    products = _Repository(ProductRepository)
    suppliers = _Repository(SupplierRepository)
    customers = _Repository(CustomerRepository)
    warehouses = _Repository(WarehouseRepository)
    locations = _Repository(LocationRepository)

    @property
    def batches(self) -> BatchRepository:
        repository = self._repository(BatchRepository)
        if repository.before_balance_change is None:
            repository.before_balance_change = self._lock_stream
            if self.write and self.engine.dialect.name == "sqlite":
                repository.head_seen = self._prime_head
        return repository

    def _prime_head(self, batch_id: str, seq: int, head: str) -> None:
        self.ledger.prime(batch_id, seq, head)

    def _lock_stream(self, batch_id: str) -> None:
        self.ledger.lock_stream(batch_id)

    serials = _Repository(SerialRepository)
    orders = _Repository(OrderRepository)
    movements = _Repository(MovementRepository)
    audit = _Repository(AuditRepository)

    @property
    def events(self) -> EventOutbox:
        outbox: EventOutbox | None = self._built.get(EventOutbox)
        if outbox is None:
            outbox = self._built[EventOutbox] = EventOutbox(
                self._repository(EventRepository), self.actor)
        return outbox

    webhooks = _Repository(WebhookRepository)

    @property
    def custom_fields(self) -> CustomFieldRepository:
        return self._repository(CustomFieldRepository)

    @property
    def serial_reads(self) -> SerialReads:
        """Point reads of serials on the unit's DBAPI connection (in its transaction, if any)."""
        reads: SerialReads | None = self._built.get(SerialReads)
        if reads is None:
            lent = self._pooled
            pooled = lent if lent is not None else self.conn.connection
            if pooled is None:
                raise RuntimeError("the unit of work is used outside its `with` block")
            reads = SerialReads(pooled, self.engine.dialect, self.actor.org_id,
                                self._borrow_again if lent is not None else None)
            self._built[SerialReads] = reads
        return reads

    flows = _Repository(FlowRepository)
    trace = _Repository(TraceRepository)
    transformations = _Repository(TransformationRepository)
    recalls = _Repository(RecallRepository)
    reports = _Repository(ReportQueries)
    ledger_checks = _Repository(LedgerChecks)
    checkpoints = _Repository(CheckpointRepository)
    exports = _Repository(ExportRows)
    epcis = _Repository(EpcisStore)

    @property
    def identity(self) -> IdentityRepository:
        repository: IdentityRepository | None = self._built.get(IdentityRepository)
        if repository is None:
            repository = self._built[IdentityRepository] = IdentityRepository(self.conn)
        return repository

    def _flush(self) -> None:
        """Write what the block kept back for its end: the per-status counts, the ledger's
        rows and chain heads."""
        serials: SerialRepository | None = self._built.get(SerialRepository)
        if serials is not None:
            serials.status_counts.flush()
        if self._ledger is not None:
            self._ledger.flush()

    def commit(self) -> None:
        self._flush()
        self._ledger = None
        if self._savepoint is not None:  # joined: the request's transaction commits later
            self._savepoint.commit()
            self._savepoint = self.conn.begin_nested()
            return
        self.conn.commit()

    def rollback(self) -> None:
        self._ledger = None
        serials: SerialRepository | None = self._built.get(SerialRepository)
        if serials is not None:
            serials.status_counts.forget()
        if self._savepoint is not None:
            self._savepoint.rollback()
            self._savepoint = self.conn.begin_nested()
            return
        self.conn.rollback()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._joined:
            self._leave_joined(exc)
            return
        if self.autocommit:
            self._end_autocommit(reusable=exc is None)
            refuse_nul(exc)
            return
        conn = self.conn
        try:
            if exc is None and self.write:
                self._flush()
                conn.commit()
            else:
                self._undo(conn)
        except IntegrityError as error:
            self._undo(conn)
            raise conflict(error) from error
        except Exception as error:
            if not is_transient(error):
                raise
            self._undo(conn)
            raise TransientConflict() from error
        finally:
            if self._lent is None:
                close_connection(self.engine, conn, self.write)
            else:
                conn.execution_options(**{WRITE_OPTION: False})
            self._conn, self._lent_savepoint = None, None
        if isinstance(exc, IntegrityError):
            raise conflict(exc) from exc
        if exc is not None and is_transient(exc):
            raise TransientConflict() from exc
        refuse_nul(exc)

    def _undo(self, conn: Connection) -> None:
        """Roll back the block: to its savepoint inside a lent connection's transaction (which
        goes on: a staged import reports from its stage after a refused write), else all."""
        savepoint, self._lent_savepoint = self._lent_savepoint, None
        if savepoint is not None and savepoint.is_active:
            savepoint.rollback()
        else:
            conn.rollback()

    def _leave_joined(self, exc: BaseException | None) -> None:
        """End a block in the request's shared transaction: write the ledger and release
        the block's savepoint (the commit is the door's), or roll back to it, so a failure
        caught by the caller undoes this block only, as its own transaction would have."""
        savepoint, self._conn, self._savepoint = self._savepoint, None, None
        assert savepoint is not None
        end_savepoint(savepoint, self._flush if self.write else None, exc)

    def _borrow_again(self) -> PoolProxiedConnection:
        """The lent connection was dropped by the database: give it back, borrow another."""
        if self._pooled is not None:
            return_autocommit(self.engine, self._pooled, reusable=False)
        self._pooled = None
        self._pooled = borrow_autocommit(self.engine, ping=True)
        return self._pooled

    def _end_autocommit(self, *, reusable: bool) -> None:
        conn, pooled = self._conn, self._pooled
        self._conn = self._pooled = None
        # serial_reads holds self._borrow_again, a cycle through this unit of work: dropped
        # here so the unit (one per lookup) is freed at once, not by the cyclic collector.
        self._built = {}
        try:
            if conn is not None:  # Core repositories were used: end their read transaction
                conn.rollback()
                conn.close()
        finally:
            if pooled is not None:
                return_autocommit(self.engine, pooled, reusable=reusable)

    def settings(self) -> OrgSettings:
        if self._settings is None:
            self._settings = self.organizations.settings(self.actor.org_id)
            _TIMEZONES[(id(self.engine), self.actor.org_id)] = (
                time.monotonic() + TIMEZONE_TTL, self._settings.timezone)
        return self._settings

    def timezone(self) -> str:
        """The organization's time zone, for "today": read at most every TIMEZONE_TTL seconds
        per process (every unit of work asks; it almost never changes, and a few seconds'
        delay in another process is harmless — unlike the serial scope, read fresh)."""
        if self._settings is not None:
            return self._settings.timezone
        cached = _TIMEZONES.get((id(self.engine), self.actor.org_id))
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return self.settings().timezone

    def forget_timezone(self) -> None:
        _TIMEZONES.pop((id(self.engine), self.actor.org_id), None)
