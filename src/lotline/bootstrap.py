"""create_services(): config -> engine -> migrations -> organization -> services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from lotline.adapters.db import make_engine
from lotline.adapters.migrate import ensure_current
from lotline.config import load_config
from lotline.domain.statuses import Role
from lotline.service_layer.batch_tracking import BatchTrackingService
from lotline.service_layer.batches import BatchService
from lotline.service_layer.catalog import ProductService
from lotline.service_layer.checkpoints import CheckpointService
from lotline.service_layer.context import Actor, Clock, utc_now
from lotline.service_layer.epcis import EpcisService
from lotline.service_layer.exports import ExportService
from lotline.service_layer.identity import UserService
from lotline.service_layer.imports import ImportService
from lotline.service_layer.labels import LabelService
from lotline.service_layer.ledger_verify import LedgerService
from lotline.service_layer.orders import OrderService
from lotline.service_layer.organizations import SettingsService, get_or_create_organization
from lotline.service_layer.parties import CustomerService, SupplierService
from lotline.service_layer.recalls import RecallService
from lotline.service_layer.receiving import ReceiptService
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
    ledger_key_file: Path | None = None  # None: config.ledger_key_file() when used

    def __post_init__(self) -> None:
        engine, actor = self.engine, self.actor
        self.products = ProductService(engine, actor)
        self.suppliers = SupplierService(engine, actor)
        self.customers = CustomerService(engine, actor)
        self.warehouses = WarehouseService(engine, actor)
        self.orders = OrderService(engine, actor)
        self.batches = BatchService(engine, actor)
        self.serials = SerialService(engine, actor)
        self.settings = SettingsService(engine, actor)
        self.ledger = LedgerService(engine, actor, self.ledger_key_file)
        self.checkpoints = CheckpointService(engine, actor, self.ledger_key_file)
        self.users = UserService(engine, actor)
        self.receipts = ReceiptService(engine, actor)
        self.stock = StockService(engine, actor)
        self.trace = TraceService(engine, actor)
        self.recalls = RecallService(engine, actor)
        self.reports = ReportService(engine, actor)
        self.epcis = EpcisService(engine, actor)
        self.transformations = TransformationService(engine, actor)
        self.batch_tracking = BatchTrackingService(self.batches, self.serials)
        self.scan = ScanService(engine, actor)
        self.imports = ImportService(engine, actor)
        self.exports = ExportService(engine, actor)
        self.labels = LabelService(engine, actor)
        self.serial_numbers = SerialNumberService(engine, actor)

    @property
    def org_id(self) -> str:
        return self.actor.org_id

    def acting_as(self, actor: Actor) -> Services:
        return Services(self.engine, actor, self.ledger_key_file)


def create_services(database_url: str | None = None, organization: str = "default", *,
                    engine: Engine | None = None, actor_name: str = LIBRARY_ACTOR,
                    role: Role = Role.ADMIN, clock: Clock = utc_now) -> Services:
    """Services for one organization (created on first use); migrates the schema first.

    `database_url`: LOTLINE_DATABASE_URL, else sqlite:///lotline.db; "sqlite://" = in memory."""
    if engine is None:
        config = load_config(database_url, organization)
        engine = make_engine(config.database_url, busy_timeout_ms=config.sqlite_busy_timeout_ms)
    ensure_current(engine)
    org = get_or_create_organization(engine, organization)
    return Services(engine, Actor(org_id=org.id, name=actor_name, role=role, clock=clock))
