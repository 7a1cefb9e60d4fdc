"""The baseline server of bench_api.py's lookup benchmark: a bare FastAPI endpoint at the
lookup's path that returns a constant, carrying everything `lotline serve` puts around a route
(the bearer-token check against the database, the request-id/access-log/metrics middleware, the
catch-all, the body limit, the Idempotency-Key middleware, the problem handlers, the JSON
response class) and served the same way (uvicorn, one worker, lotline's logging configuration).

    python bench/api_baseline.py DATABASE_URL PORT"""

from __future__ import annotations

import sys

from fastapi import FastAPI
from starlette.responses import Response

from lotline.adapters.db import make_engine
from lotline.bootstrap import identity_service
from lotline.entrypoints.api.guards import CredentialMiddleware, UnhandledErrorMiddleware
from lotline.entrypoints.api.idempotency import IdempotencyMiddleware
from lotline.entrypoints.api.middleware import (
    BodyLimitMiddleware,
    Metrics,
    RequestContextMiddleware,
)
from lotline.entrypoints.api.problems import install_problem_handlers
from lotline.entrypoints.api.responses import LotlineJSONResponse
from lotline.entrypoints.api.routers import health
from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.security import ActorDep
from lotline.entrypoints.cli.serve import ServeOptions, run_uvicorn

CONSTANT = {"id": "00000000-0000-0000-0000-000000000000", "status": "IN_STOCK"}


def create_baseline_app(database_url: str) -> FastAPI:
    engine = make_engine(database_url)
    app = FastAPI(default_response_class=LotlineJSONResponse)
    app.state.engine = engine
    app.state.identity = identity_service(engine)
    app.state.metrics = Metrics()
    install_problem_handlers(app)
    app.include_router(health.router)  # /healthz, to know when it is up

    @app.get("/api/v1/serials/lookup/{serial_number:path}")
    def constant(serial_number: str, actor: ActorDep) -> Response:
        return ok(CONSTANT)

    app.add_middleware(IdempotencyMiddleware, engine=engine)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(CredentialMiddleware, identity=app.state.identity)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    return app


if __name__ == "__main__":
    url, port = sys.argv[1], int(sys.argv[2])
    run_uvicorn(create_baseline_app(url), ServeOptions(port=port))
