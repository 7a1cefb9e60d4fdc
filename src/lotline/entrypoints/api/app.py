"""create_app(): the FastAPI application over the same services as the library."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from lotline.bootstrap import (
    engine_for,
    ensure_current,
    identity_service,
    page_replays,
    read_engine_for,
)
from lotline.entrypoints.access_log import flushed_at_shutdown
from lotline.entrypoints.api import bench_probe
from lotline.entrypoints.api.compat_zoho import PREFIX as COMPAT_ZOHO_PREFIX
from lotline.entrypoints.api.compat_zoho.router import router as compat_zoho_router
from lotline.entrypoints.api.consistency import ConsistencyMiddleware
from lotline.entrypoints.api.error_docs import document_errors
from lotline.entrypoints.api.fast_lookup import FastLookup
from lotline.entrypoints.api.guards import CredentialMiddleware, UnhandledErrorMiddleware
from lotline.entrypoints.api.idempotency import IdempotencyMiddleware
from lotline.entrypoints.api.middleware import (
    BodyLimitMiddleware,
    Metrics,
    RequestContextMiddleware,
)
from lotline.entrypoints.api.problems import install_problem_handlers
from lotline.entrypoints.api.responses import LotlineJSONResponse
from lotline.entrypoints.api.routers import batches, catalog, health, identity, orders, serials
from lotline.entrypoints.api.routers.audit import router as audit_router
from lotline.entrypoints.api.routers.custom_fields import router as custom_fields_router
from lotline.entrypoints.api.routers.epcis import router as epcis_router
from lotline.entrypoints.api.routers.events import router as events_router
from lotline.entrypoints.api.routers.exchange import router as exchange_router
from lotline.entrypoints.api.routers.ledger import router as ledger_router
from lotline.entrypoints.api.routers.recalls import router as recalls_router
from lotline.entrypoints.api.routers.receipts import router as receipts_router
from lotline.entrypoints.api.routers.reports import router as reports_router
from lotline.entrypoints.api.routers.scan import router as scan_router
from lotline.entrypoints.api.routers.settings import router as settings_router
from lotline.entrypoints.api.routers.stock import router as stock_router
from lotline.entrypoints.api.routers.trace import router as trace_router
from lotline.entrypoints.api.routers.webhooks import router as webhooks_router
from lotline.entrypoints.api.routing import SegmentRouter
from lotline.entrypoints.web import install_web
from lotline.service_layer.context import Clock, utc_now

API_PREFIX = "/api/v1"
DESCRIPTION = """Lot (batch) and serial-number traceability.

Authenticate with `POST /api/v1/auth/token` (or an API key) and send
`Authorization: Bearer <token>`. Errors are RFC 9457 `application/problem+json`;
lists are `{items, next_cursor}` pages (`?limit=&cursor=`, limit at most 500)."""


def create_app(database_url: str | None = None, *, engine: Engine | None = None,
               clock: Clock = utc_now, read_engine: Engine | None = None) -> FastAPI:
    """`read_engine`: the streaming replica for reads that may lag; without an `engine`, the
    one LOTLINE_DATABASE_READ_URL names, if any (DESIGN §9)."""
    if engine is None:
        engine = engine_for(database_url)
        if read_engine is None:
            read_engine = read_engine_for(engine)
    ensure_current(engine)
    # FastAPI's native OpenTelemetry hooks off: lotline exports its own Prometheus metrics
    # (middleware.Metrics), and asking for OpenTelemetry providers cost every request.
    app = FastAPI(title="lotline", version="0.1.0", description=DESCRIPTION,
                  default_response_class=LotlineJSONResponse,
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  lifespan=flushed_at_shutdown)
    app.state.engine = engine
    app.state.read_engine = read_engine
    app.state.identity = identity_service(engine, clock)
    app.state.metrics = Metrics()
    app.state.page_replays = page_replays(engine, clock)
    install_problem_handlers(app)
    app.include_router(health.router)
    for router in (identity.router, catalog.router, batches.router, serials.router, orders.router):
        app.include_router(SegmentRouter(document_errors(router), API_PREFIX),
                           prefix=API_PREFIX)
    for router in (scan_router, exchange_router):  # issue 7: scan, imports, exports, labels
        app.include_router(SegmentRouter(document_errors(router), API_PREFIX),
                           prefix=API_PREFIX)
    # issue 6: transformations, trace, recalls, reports, EPCIS, ledger verification
    for router in (trace_router, recalls_router, reports_router, ledger_router, epcis_router):
        app.include_router(SegmentRouter(document_errors(router), API_PREFIX),
                           prefix=API_PREFIX)
    for router in (receipts_router, stock_router, events_router, webhooks_router):  # 5, 14
        app.include_router(SegmentRouter(document_errors(router), API_PREFIX),
                           prefix=API_PREFIX)
    app.include_router(SegmentRouter(document_errors(audit_router), API_PREFIX),  # 14 item 5
                       prefix=API_PREFIX)
    for router in (settings_router, custom_fields_router):  # issue 16: settings, custom fields
        app.include_router(SegmentRouter(document_errors(router), API_PREFIX),
                           prefix=API_PREFIX)
    # DESIGN §9: seed 003's Zoho-style batches API, beside lotline's own.
    app.include_router(SegmentRouter(document_errors(compat_zoho_router, envelope=True),
                                     COMPAT_ZOHO_PREFIX),
                       prefix=COMPAT_ZOHO_PREFIX)
    # issue 8: the web UI's pages and /static, after the API (whose routes machines call
    # most; a page request passes the API's routers by their first segment).
    install_web(app)
    # Outermost first: ids/logs/metrics see everything; the catch-all answers what escapes;
    # the credential is checked before any body is read; then the body limit, idempotency.
    app.add_middleware(IdempotencyMiddleware, engine=engine)
    if read_engine is not None:  # outside idempotency: its token follows the request's commit
        app.add_middleware(ConsistencyMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(CredentialMiddleware, identity=app.state.identity)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    # The plain serial lookup (every scan) answered in one layer doing what the stack does.
    app.add_middleware(FastLookup, engine=engine, identity=app.state.identity,
                       metrics=app.state.metrics, read_engine=read_engine)
    if bench_probe.wanted():  # added last: outside every other middleware
        app.add_middleware(bench_probe.ConstantProbe)
    return app
