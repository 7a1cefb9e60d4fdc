"""The web UI: server-rendered pages (Jinja2 + htmx) on the API's FastAPI app, with cookie
sessions, CSRF on every POST, and the same services and roles as every other door."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from lotline.entrypoints.web import (
    routes_admin,
    routes_auth,
    routes_expiry,
    routes_home,
    routes_lots,
    routes_picking,
    routes_recalls,
    routes_receiving,
    routes_reports,
    routes_serial_forms,
    routes_serials,
    routes_trace,
)

STATIC = Path(__file__).resolve().parent / "static"
# /serials/new and /serials/bulk come before /serials/{serial_id}.
ROUTERS = (routes_auth, routes_home, routes_serial_forms, routes_serials, routes_lots,
           routes_expiry, routes_receiving, routes_picking, routes_trace, routes_recalls,
           routes_reports, routes_admin)


def install_web(app: FastAPI) -> None:
    """Mount the pages and /static on the app (the pages stay out of the OpenAPI schema)."""
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
