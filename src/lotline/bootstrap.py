"""create_services(): config -> engine -> migrations -> organization -> services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lotline.adapters.db import make_engine
from lotline.adapters.migrate import ensure_current
from lotline.adapters.unit_of_work_factory import SqlAlchemyUnitOfWorks
from lotline.config import load_config
from lotline.domain.statuses import Role
from lotline.service_layer.batch_tracking import BatchTrackingService
from lotline.service_layer.batches import BatchService
from lotline.service_layer.catalog import ProductService
from lotline.service_layer.context import Actor, Clock, utc_now
from lotline.service_layer.epcis import EpcisService
from lotline.service_layer.exports import ExportService
from lotline.service_layer.identity import IdentityService, UserService
from lotline.service_layer.imports import ImportService
from lotline.service_layer.labels import LabelService
from lotline.service_layer.ledger_verify import LedgerService
from lotline.service_layer.orders import OrderService
from lotline.service_layer.organizations import SettingsService, get_or_create_organization
from lotline.service_layer.parties import CustomerService, SupplierService
from lotline.service_layer.recalls import RecallService
from lotline.service_layer.receiving import ReceiptService
from lotline.service_layer.registration import SerialRegistration
from lotline.service_layer.reports import ReportService
from lotline.service_layer.scan import ScanService
from lotline.service_layer.serial_numbers import SerialNumberService
from lotline.service_layer.serials import SerialService
from lotline.service_layer.stock import StockService
from lotline.service_layer.trace import TraceService
from lotline.service_layer.transformations import TransformationService
from lotline.service_layer.warehouses import WarehouseService

LIBRARY_ACTOR = "library"


@dataclass
class Services:
    """Every service, bound to one organization and one actor."""

    engine: Engine
    actor: Actor

    def __post_init__(self) -> None:
        self.uows = uows = SqlAlchemyUnitOfWorks(self.engine)
        actor = self.actor
        self.products = ProductService(uows, actor)
        self.suppliers = SupplierService(uows, actor)
        self.customers = CustomerService(uows, actor)
        self.warehouses = WarehouseService(uows, actor)
        self.orders = OrderService(uows, actor)
        self.batches = BatchService(uows, actor)
        registration = SerialRegistration(uows, actor)
        self.serials = SerialService(uows, actor, registration=registration)
        self.settings = SettingsService(uows, actor)
        self.ledger = LedgerService(uows, actor)
        self.users = UserService(uows, actor)
        self.receipts = ReceiptService(uows, actor)
        self.stock = StockService(uows, actor)
        self.recalls = RecallService(uows, actor)
        self.reports = ReportService(uows, actor, serials=self.serials)
        self.epcis = EpcisService(uows, actor)
        self.transformations = TransformationService(uows, actor)
        self.batch_tracking = BatchTrackingService(self.batches, self.serials)
        self.scan = ScanService(uows, actor)
        self.trace = TraceService(uows, actor, serials=self.serials, scan=self.scan)
        self.imports = ImportService(uows, actor)
        self.exports = ExportService(uows, actor)
        self.labels = LabelService(uows, actor)
        self.serial_numbers = SerialNumberService(uows, actor, registration=registration)

    @property
    def org_id(self) -> str:
        return self.actor.org_id

    def acting_as(self, actor: Actor) -> Services:
        return Services(self.engine, actor)


def create_services(database_url: str | None = None, organization: str = "default", *,
                    engine: Engine | None = None, actor_name: str = LIBRARY_ACTOR,
                    role: Role = Role.ADMIN, clock: Clock = utc_now) -> Services:
    """Services for one organization (created on first use); migrates the schema first.

    `database_url`: LOTLINE_DATABASE_URL, else sqlite:///lotline.db; "sqlite://" = in memory."""
    if engine is None:
        config = load_config(database_url, organization)
        engine = make_engine(config.database_url, busy_timeout_ms=config.sqlite_busy_timeout_ms)
    ensure_current(engine)
    org = get_or_create_organization(SqlAlchemyUnitOfWorks(engine), organization)
    return Services(engine, Actor(org_id=org.id, name=actor_name, role=role, clock=clock))


def identity_service(engine: Engine, clock: Clock = utc_now) -> IdentityService:
    """Installation-wide logins and credentials on `engine` (the schema already current)."""
    return IdentityService(SqlAlchemyUnitOfWorks(engine), clock)
