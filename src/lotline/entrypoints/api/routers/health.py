"""Liveness, readiness and metrics (public, outside /api/v1)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.responses import Response

from lotline.entrypoints.api.responses import problem
from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.schemas.common import PROBLEM, Status

router = APIRouter()


@router.get("/healthz", tags=["health"], response_model=Status)
def healthz() -> Response:
    """The process is up."""
    return ok({"status": "ok"})


@router.get("/readyz", tags=["health"], response_model=Status,
            responses={503: {**PROBLEM, "description": "The database is unreachable"}})
def readyz(request: Request) -> Response:
    """The database answers."""
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means not ready
        return problem(503, "not_ready", "Not ready", f"database unreachable: "
                       f"{type(error).__name__}")
    return ok({"status": "ready"})


@router.get("/metrics", tags=["health"], include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry),
                    media_type=CONTENT_TYPE_LATEST)
