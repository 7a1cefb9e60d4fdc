"""One unit of work (one database transaction) per use case."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from lotline.adapters.db import WRITE_OPTION
from lotline.adapters.repositories.audit import AuditRepository
from lotline.adapters.repositories.batches import BatchRepository
from lotline.adapters.repositories.catalog import (
    CustomerRepository,
    ProductRepository,
    SupplierRepository,
)
from lotline.adapters.repositories.movements import MovementRepository
from lotline.adapters.repositories.orders import OrderRepository
from lotline.adapters.repositories.organizations import OrganizationRepository
from lotline.adapters.repositories.serials import SerialRepository
from lotline.adapters.repositories.warehouses import LocationRepository, WarehouseRepository
from lotline.domain.errors import Conflict
from lotline.domain.model import OrgSettings
from lotline.service_layer.context import Actor
from lotline.service_layer.ledger import Ledger


class UnitOfWork:
    """`with UnitOfWork(engine, actor) as uow:` — commits when the block ends normally (after the
    ledger's pending rows and chain heads are written), rolls back on any exception."""

    conn: Connection

    def __init__(self, engine: Engine, actor: Actor, *, write: bool = True) -> None:
        self.engine = engine
        self.actor = actor
        self.write = write
        self._settings: OrgSettings | None = None

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect().execution_options(**{WRITE_OPTION: self.write})
        self.conn.begin()
        org_id = self.actor.org_id
        self.organizations = OrganizationRepository(self.conn)
        self.products = ProductRepository(self.conn, org_id)
        self.suppliers = SupplierRepository(self.conn, org_id)
        self.customers = CustomerRepository(self.conn, org_id)
        self.warehouses = WarehouseRepository(self.conn, org_id)
        self.locations = LocationRepository(self.conn, org_id)
        self.batches = BatchRepository(self.conn, org_id)
        self.serials = SerialRepository(self.conn, org_id)
        self.orders = OrderRepository(self.conn, org_id)
        self.movements = MovementRepository(self.conn, org_id)
        self.audit = AuditRepository(self.conn, org_id)
        self.ledger = Ledger(self.movements, self.actor)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if exc is None and self.write:
                self.ledger.flush()
                self.conn.commit()
            else:
                self.conn.rollback()
        except IntegrityError as error:
            self.conn.rollback()
            raise _conflict(error) from error
        finally:
            self.conn.close()
        if isinstance(exc, IntegrityError):
            raise _conflict(exc) from exc

    def settings(self) -> OrgSettings:
        if self._settings is None:
            self._settings = self.organizations.settings(self.actor.org_id)
        return self._settings


def _conflict(error: IntegrityError) -> Conflict:
    # Services check uniqueness first; this is the race two writers can still lose.
    detail = str(error.orig).splitlines()[0] if error.orig is not None else str(error)
    return Conflict(f"the change conflicts with data written at the same time ({detail}); "
                    f"nothing was written, retry the request")
