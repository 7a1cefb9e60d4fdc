"""create_services(): config -> engine -> migrations -> organization -> services.

The composition root: the one module besides adapters' own that the doors (entrypoints) reach
the adapters through — engines, migrations — so no door imports an adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from lotline.adapters.db import make_engine
from lotline.adapters.idempotency import SqlAlchemyClaimStore as SqlAlchemyClaimStore
from lotline.adapters.migrate import current_revisions, ensure_current, head_revisions, upgrade
from lotline.adapters.page_replays import SqlAlchemyPageStore
from lotline.adapters.replica import read_engine_url, replica_for, write_position
from lotline.adapters.unit_of_work_factory import SqlAlchemyUnitOfWorks
from lotline.adapters.webhook_http import HttpSender
from lotline.config import load_config, pool_settings, read_database_url_from_env
from lotline.domain.statuses import Role
from lotline.service_layer.audit import AuditService
from lotline.service_layer.batch_tracking import BatchTrackingService
from lotline.service_layer.batches import BatchService
from lotline.service_layer.catalog import ProductService
from lotline.service_layer.checkpoints import CheckpointService
from lotline.service_layer.consistency import ReadSession
from lotline.service_layer.context import Actor, Clock, utc_now
from lotline.service_layer.custom_fields import CustomFieldService
from lotline.service_layer.epcis import EpcisService
from lotline.service_layer.epcis_capture import EpcisCaptureService
from lotline.service_layer.epcis_queries import EpcisQueryService
from lotline.service_layer.events import EventFeedService
from lotline.service_layer.exports import ExportService
from lotline.service_layer.identity import IdentityService, UserService
from lotline.service_layer.imports import ImportService
from lotline.service_layer.labels import LabelService
from lotline.service_layer.ledger_verify import LedgerService
from lotline.service_layer.orders import OrderService
from lotline.service_layer.organizations import SettingsService, get_or_create_organization
from lotline.service_layer.page_replays import PageReplays
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
from lotline.service_layer.webhooks import WebhookService

LIBRARY_ACTOR = "library"
__all__ = ["LIBRARY_ACTOR", "HttpSender", "Services", "create_services", "current_revisions",
           "engine_for", "ensure_current", "head_revisions", "identity_service", "page_replays",
           "read_engine_for", "upgrade"]


@dataclass
class Services:
    """Every service, bound to one organization and one actor; each is built on first use
    (an API request builds a Services and mostly uses one of them)."""

    engine: Engine
    actor: Actor
    ledger_key_file: Path | None = None  # None: config.ledger_key_file() when used
    # The streaming replica for reads that may lag (None: every read on `engine`), and this
    # object's read-your-writes session (an HTTP request's own session takes its place).
    read_engine: Engine | None = None
    read_session: ReadSession = field(default_factory=ReadSession)

    @cached_property
    def uows(self) -> SqlAlchemyUnitOfWorks:
        """The unit-of-work factory every service receives (the port's SQLAlchemy side)."""
        return SqlAlchemyUnitOfWorks(self.engine, replica_for(self.engine, self.read_engine),
                                     self.read_session)

    def consistency_token(self) -> str | None:
        """The primary's position after this object's last write (None without a replica or
        before any write): what a replica must have replayed to show that write — hand it to
        another process's `read_session` (`ReadSession(token)`) for the same guarantee."""
        return self.read_session.token() if self.read_engine is not None else None

    @cached_property
    def registration(self) -> SerialRegistration:
        return SerialRegistration(self.uows, self.actor)

    @cached_property
    def products(self) -> ProductService:
        return ProductService(self.uows, self.actor)

    @cached_property
    def events(self) -> EventFeedService:
        return EventFeedService(self.uows, self.actor)

    @cached_property
    def webhooks(self) -> WebhookService:
        return WebhookService(self.uows, self.actor, sender=HttpSender)

    @cached_property
    def suppliers(self) -> SupplierService:
        return SupplierService(self.uows, self.actor)

    @cached_property
    def customers(self) -> CustomerService:
        return CustomerService(self.uows, self.actor)

    @cached_property
    def warehouses(self) -> WarehouseService:
        return WarehouseService(self.uows, self.actor)

    @cached_property
    def orders(self) -> OrderService:
        return OrderService(self.uows, self.actor)

    @cached_property
    def batches(self) -> BatchService:
        return BatchService(self.uows, self.actor)

    @cached_property
    def serials(self) -> SerialService:
        return SerialService(self.uows, self.actor, registration=self.registration)

    @cached_property
    def audit(self) -> AuditService:
        return AuditService(self.uows, self.actor)

    @cached_property
    def custom_fields(self) -> CustomFieldService:
        return CustomFieldService(self.uows, self.actor)

    @cached_property
    def settings(self) -> SettingsService:
        return SettingsService(self.uows, self.actor)

    @cached_property
    def ledger(self) -> LedgerService:
        return LedgerService(self.uows, self.actor, self.ledger_key_file)

    @cached_property
    def checkpoints(self) -> CheckpointService:
        return CheckpointService(self.uows, self.actor, self.ledger_key_file)

    @cached_property
    def users(self) -> UserService:
        return UserService(self.uows, self.actor)

    @cached_property
    def receipts(self) -> ReceiptService:
        return ReceiptService(self.uows, self.actor)

    @cached_property
    def stock(self) -> StockService:
        return StockService(self.uows, self.actor)

    @cached_property
    def trace(self) -> TraceService:
        return TraceService(self.uows, self.actor, serials=self.serials, scan=self.scan)

    @cached_property
    def recalls(self) -> RecallService:
        return RecallService(self.uows, self.actor)

    @cached_property
    def reports(self) -> ReportService:
        return ReportService(self.uows, self.actor, serials=self.serials)

    @cached_property
    def epcis(self) -> EpcisService:
        return EpcisService(self.uows, self.actor)

    @property
    def epcis_capture(self) -> EpcisCaptureService:
        return EpcisCaptureService(self.uows, self.actor)

    @property
    def epcis_query(self) -> EpcisQueryService:
        return EpcisQueryService(self.uows, self.actor)

    @cached_property
    def transformations(self) -> TransformationService:
        return TransformationService(self.uows, self.actor)

    @cached_property
    def batch_tracking(self) -> BatchTrackingService:
        return BatchTrackingService(self.batches, self.serials)

    @cached_property
    def scan(self) -> ScanService:
        return ScanService(self.uows, self.actor)

    @cached_property
    def imports(self) -> ImportService:
        return ImportService(self.uows, self.actor)

    @cached_property
    def exports(self) -> ExportService:
        return ExportService(self.uows, self.actor)

    @cached_property
    def labels(self) -> LabelService:
        return LabelService(self.uows, self.actor)

    @cached_property
    def serial_numbers(self) -> SerialNumberService:
        return SerialNumberService(self.uows, self.actor,
                                   registration=self.registration)

    @property
    def org_id(self) -> str:
        return self.actor.org_id

    def acting_as(self, actor: Actor) -> Services:
        return Services(self.engine, actor, self.ledger_key_file, self.read_engine,
                        self.read_session)


def create_services(database_url: str | None = None, organization: str = "default", *,
                    engine: Engine | None = None, actor_name: str = LIBRARY_ACTOR,
                    role: Role = Role.ADMIN, clock: Clock = utc_now,
                    read_database_url: str | None = None,
                    read_engine: Engine | None = None) -> Services:
    """Services for one organization (created on first use); migrates the schema first.

    `database_url`: LOTLINE_DATABASE_URL, else sqlite:///lotline.db; "sqlite://" = in memory.
    `read_database_url`: a streaming replica for reads that may lag, else
    LOTLINE_DATABASE_READ_URL (when no `engine` is given: an engine comes with its
    `read_engine`). The object sees its own writes, and everything committed before it was
    made, on the replica too (it waits for the replica or reads the primary)."""
    if engine is None:
        engine = engine_for(database_url)
        if read_engine is None:
            read_engine = read_engine_for(engine, read_database_url)
    elif read_engine is None and read_database_url is not None:
        read_engine = read_engine_for(engine, read_database_url)
    ensure_current(engine)
    org = get_or_create_organization(SqlAlchemyUnitOfWorks(engine), organization)
    session = ReadSession()
    if read_engine is not None:
        primary = engine
        session.wrote(lambda: write_position(primary))
    return Services(engine, Actor(org_id=org.id, name=actor_name, role=role, clock=clock),
                    read_engine=read_engine, read_session=session)


def engine_for(database_url: str | None = None) -> Engine:
    """An engine for the configured database (LOTLINE_DATABASE_URL, else sqlite:///lotline.db)
    with the configured SQLite busy timeout; not migrated (ensure_current does that)."""
    config = load_config(database_url)
    return make_engine(config.database_url, busy_timeout_ms=config.sqlite_busy_timeout_ms,
                       pool=pool_settings())


def read_engine_for(primary: Engine, read_database_url: str | None = None) -> Engine | None:
    """The replica's engine (`read_database_url`, else LOTLINE_DATABASE_READ_URL), None when
    there is none; ValueError when the primary or the replica is not PostgreSQL."""
    url = read_database_url_from_env(primary.url.render_as_string(hide_password=False),
                                     read_database_url)
    return None if url is None else engine_for(read_engine_url(url))


def identity_service(engine: Engine, clock: Clock = utc_now) -> IdentityService:
    """Installation-wide logins and credentials on `engine` (the schema already current)."""
    return IdentityService(SqlAlchemyUnitOfWorks(engine), clock)


def page_replays(engine: Engine, clock: Clock = utc_now) -> PageReplays:
    """The web UI's kept pages (post/redirect/get) on `engine`: in the database, so any
    server process can show one."""
    return PageReplays(SqlAlchemyPageStore(engine), clock)
