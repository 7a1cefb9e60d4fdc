"""/expiry: quantity expiring per week for the next 12 weeks (server-rendered SVG) and the
expired stock still on hand."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from lotline.entrypoints.web.charts import bar_chart
from lotline.entrypoints.web.core import WebDep, WebRoute, page
from lotline.entrypoints.web.routes_lots import today
from lotline.service_layer.expiry_summary import WEEKS, expired_totals, weekly_totals

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/expiry")
def expiry_dashboard(web: WebDep) -> Response:
    as_of = today(web)
    upcoming = web.svc.reports.run("expiring", days=WEEKS * 7, as_of=as_of).rows
    expired = web.svc.reports.run("expired", as_of=as_of).rows
    weeks = weekly_totals(upcoming, as_of)
    expired_total, expired_value = expired_totals(expired)
    return page(web, "expiry.html", {
        "nav": "expiry", "today": as_of, "chart": bar_chart(weeks), "upcoming": upcoming,
        "expired": expired,
        "expired_total": expired_total, "expired_value": expired_value})
