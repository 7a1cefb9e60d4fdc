"""The unit of work as a port: one transaction per use case, and the repositories it touches.

Use cases are written against `UnitOfWork` and receive a `UnitOfWorkFactory`; the SQLAlchemy
implementation lives in `adapters/unit_of_work.py`, an in-memory one in the unit tests."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from types import TracebackType
from typing import Protocol, TypeVar

from lotline.domain.model import OrgSettings
from lotline.service_layer.context import Actor
from lotline.service_layer.epcis_ports import EpcisRepository
from lotline.service_layer.ledger import Ledger

# Re-exported: the outbox and the retry had their home here before their own modules.
from lotline.service_layer.outbox import EventOutbox as EventOutbox
from lotline.service_layer.ports import (
    AuditRepository,
    BatchRepository,
    CustomerRepository,
    FlowRepository,
    LocationRepository,
    MovementRepository,
    OrderRepository,
    OrganizationRepository,
    ProductRepository,
    SerialReads,
    SerialRepository,
    SupplierRepository,
    WarehouseRepository,
)
from lotline.service_layer.query_ports import (
    CheckpointRepository,
    CredentialLookup,
    CustomFieldRepository,
    DeliveryQueue,
    ExportRows,
    IdentityRepository,
    LedgerChecks,
    RecallRepository,
    ReportQueries,
    SerialStaging,
    TraceRepository,
    TransformationRepository,
    WebhookRepository,
)
from lotline.service_layer.retry import TransientConflict as TransientConflict
from lotline.service_layer.retry import retry_transient as retry_transient

R = TypeVar("R")


class UnitOfWork(ABC):
    """`with uows(actor) as uow:` — commits when the block ends normally (after the ledger's
    pending rows and chain heads are written), rolls back on any exception. `write=False` is
    a read-only block; `autocommit=True` (reads only) a block of one point read.

    Repositories and the ledger are built on first use, so a block pays only for what it
    touches."""

    actor: Actor
    write: bool
    _ledger: Ledger | None = None

    @abstractmethod
    def __enter__(self) -> UnitOfWork: ...

    @abstractmethod
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None: ...

    @abstractmethod
    def commit(self) -> None:
        """Write the ledger's pending rows and commit what the block did so far."""

    @abstractmethod
    def rollback(self) -> None: ...

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger(self.movements, self.actor)
        return self._ledger

    @property
    @abstractmethod
    def organizations(self) -> OrganizationRepository: ...

    @property
    @abstractmethod
    def products(self) -> ProductRepository: ...

    @property
    @abstractmethod
    def suppliers(self) -> SupplierRepository: ...

    @property
    @abstractmethod
    def customers(self) -> CustomerRepository: ...

    @property
    @abstractmethod
    def warehouses(self) -> WarehouseRepository: ...

    @property
    @abstractmethod
    def locations(self) -> LocationRepository: ...

    @property
    @abstractmethod
    def batches(self) -> BatchRepository: ...

    @property
    @abstractmethod
    def serials(self) -> SerialRepository: ...

    @property
    @abstractmethod
    def orders(self) -> OrderRepository: ...

    @property
    @abstractmethod
    def movements(self) -> MovementRepository: ...

    @property
    @abstractmethod
    def audit(self) -> AuditRepository: ...

    @property
    @abstractmethod
    def events(self) -> EventOutbox:
        """The change feed's outbox: `uow.events.add(type, data)` in the change's transaction."""

    @property
    @abstractmethod
    def webhooks(self) -> WebhookRepository: ...

    @property
    @abstractmethod
    def custom_fields(self) -> CustomFieldRepository: ...

    @property
    @abstractmethod
    def flows(self) -> FlowRepository: ...

    @property
    @abstractmethod
    def trace(self) -> TraceRepository: ...

    @property
    @abstractmethod
    def identity(self) -> IdentityRepository: ...

    @property
    @abstractmethod
    def transformations(self) -> TransformationRepository: ...

    @property
    @abstractmethod
    def recalls(self) -> RecallRepository: ...

    @property
    @abstractmethod
    def reports(self) -> ReportQueries: ...

    @property
    @abstractmethod
    def epcis(self) -> EpcisRepository:
        """Captured EPCIS events and capture jobs."""

    @property
    @abstractmethod
    def exports(self) -> ExportRows: ...

    @property
    @abstractmethod
    def ledger_checks(self) -> LedgerChecks: ...

    @property
    @abstractmethod
    def checkpoints(self) -> CheckpointRepository: ...

    @property
    @abstractmethod
    def serial_reads(self) -> SerialReads:
        """Point reads of serials (in the block's transaction, if any)."""

    @abstractmethod
    def settings(self) -> OrgSettings: ...

    @abstractmethod
    def timezone(self) -> str:
        """The organization's time zone, for "today" (may be cached for a few seconds)."""

    @abstractmethod
    def forget_timezone(self) -> None:
        """After a settings change: this process reads the time zone afresh."""


class StoredValues(Protocol):
    """Staged values as the database stores them (the rows are copied set-based)."""

    def stored_date(self, day: dt.date) -> object: ...
    def stored_cost(self, cost: Decimal) -> object: ...


class StagedImport(StoredValues, Protocol):
    @property
    def staging(self) -> SerialStaging: ...

    def writing(self) -> UnitOfWork:
        """The unit of work that writes the staged rows (on the staging's connection)."""
        ...


class UnitOfWorkFactory(Protocol):
    """What services receive instead of an engine: a new unit of work per use case."""

    def __call__(self, actor: Actor, *, write: bool = True, autocommit: bool = False,
                 may_lag: bool = False) -> UnitOfWork:
        """`may_lag=True` (reads only): a read that may be served by a replica — lists,
        search, trace, reports, EPCIS queries — never one that decides a write. It still
        sees every write of the reader's session (service_layer/consistency.py)."""
        ...

    def staged_import(self, actor: Actor) -> AbstractContextManager[StagedImport]:
        """A bulk import's session: rows staged apart, then written by `writing()`."""
        ...

    def read_credentials(self, read: Callable[[CredentialLookup], R]) -> R:
        """The credential check of every request: `read` looks up a token's or an API key's
        row by its hash, each one statement in no transaction (run once more on a fresh
        connection if the database had dropped the first)."""
        ...

    def read_serials(self, actor: Actor, read: Callable[[SerialReads], R]) -> R:
        """The actor's serials read by number, `read` one statement (every scan's lookup):
        as `uow.serial_reads` in an autocommit unit of work reads them, without the unit of
        work around it (run once more on a fresh connection if the database had dropped the
        first; inside a request's claimed transaction, in that transaction)."""
        ...

    def delivery_queue(self) -> AbstractContextManager[DeliveryQueue]:
        """One short write transaction of the webhook delivery worker (all organizations)."""
        ...
