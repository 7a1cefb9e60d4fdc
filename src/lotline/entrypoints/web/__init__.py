"""The web UI: server-rendered pages (Jinja2 + htmx) on the API's FastAPI app, with cookie
sessions, CSRF on every POST, and the same services and roles as every other door."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from lotline.entrypoints.web import (
    routes_adjustments,
    routes_admin,
    routes_asn,
    routes_audit,
    routes_auth,
    routes_counts,
    routes_custom_fields,
    routes_expiry,
    routes_home,
    routes_locations,
    routes_lots,
    routes_orders,
    routes_parties,
    routes_picking,
    routes_products,
    routes_recalls,
    routes_receiving,
    routes_reports,
    routes_returns,
    routes_serial_forms,
    routes_serials,
    routes_trace,
    routes_transfers,
)

STATIC = Path(__file__).resolve().parent / "static"
# /serials/new and /serials/bulk come before /serials/{serial_id}; /receiving/new before
# /receiving/{receipt_id}.
ROUTERS = (routes_auth, routes_home, routes_serial_forms, routes_serials, routes_lots,
           routes_expiry, routes_asn, routes_receiving, routes_picking, routes_trace,
           routes_recalls, routes_reports, routes_admin, routes_audit, routes_custom_fields,
           routes_products, routes_parties, routes_locations, routes_orders, routes_transfers,
           routes_returns, routes_counts, routes_adjustments)


def install_web(app: FastAPI) -> None:
    """Mount the pages and /static on the app (the pages stay out of the OpenAPI schema)."""
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
