"""/ (dashboard) and /scan (the scan box's target)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import Ambiguous, ValidationError
from lotline.entrypoints.web.core import WebDep, WebRoute, page, redirect
from lotline.entrypoints.web.scanning import scan_target
from lotline.entrypoints.web.templating import STATUS_WORDS

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/")
def dashboard(web: WebDep) -> Response:
    svc = web.svc
    counts = svc.serials.counts()
    expiring = svc.reports.run("expiring").rows
    expired = svc.reports.run("expired").rows
    to_pick = svc.orders.list(status="allocated", limit=100).items
    recalls = svc.recalls.list(status="open")[:5]
    tiles = [(status, label, counts.get(status, 0)) for status, label in STATUS_WORDS.items()
             if counts.get(status, 0)]
    return page(web, "dashboard.html", {
        "nav": "home", "total": counts.get("ALL", 0), "tiles": tiles,
        "expiring": expiring[:10], "expiring_count": len(expiring),
        "expired": expired[:10], "expired_count": len(expired), "to_pick": to_pick[:10],
        "recalls": recalls})


@router.get("/scan")
def scan(web: WebDep, data: str = "") -> Response:
    if not data.strip():
        return page(web, "scan.html", {"data": data, "problem": "Scan or type something.",
                                       "result": None}, status=422)
    try:
        result = web.svc.scan.parse(data)
    except (ValidationError, Ambiguous) as error:
        return page(web, "scan.html", {"data": data, "problem": error.message,
                                       "result": None}, status=422)
    target = scan_target(result)
    if target is not None:
        return redirect(target)
    return page(web, "scan.html", {"data": data, "problem": None, "result": result})
