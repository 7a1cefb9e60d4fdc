"""/counts: a cycle count of one location by scanning on a phone. The page lists the units
the location should hold; each scan is checked at once; found, missing and unexpected units
are shown before the count is posted (scans kept in the browser until then, posted once with
an Idempotency-Key). Lots are counted by scanning their label and typing the quantity."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field
from lotline.entrypoints.web.routes_transfers import location_choices
from lotline.entrypoints.web.scan_lists import (
    Scanned,
    answer,
    done,
    failed,
    floor_page,
    judged,
    posted_units,
    quantity_of,
    refusal,
    resolved,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MAX_EXPECTED = 2_000


def _expected(web: Web, location_id: str) -> list[dict[str, str]]:
    """The serials the location should hold, as the page's script compares them."""
    names = lookups.Names(web.svc)
    found = lookups.every(lambda cursor: web.svc.serials.search(
        location_id=location_id, limit=200, cursor=cursor), limit=MAX_EXPECTED)
    return [{"key": f"s:{s.id}", "label": f"{s.serial_number} · "
             f"{p.sku if (p := names.product(s.product_id)) else ''}"} for s in found]


@router.get("/counts")
def counts_page(web: WebDep, location_id: str = "") -> Response:
    locations = location_choices(web)
    chosen = location_id if any(v == location_id for v, _ in locations) else ""
    query = web.request.query_params
    result = {name: query.get(name, "")[:12] for name in ("counted", "missing", "moved",
                                                            "unknown", "lots")}
    return floor_page(web, "counts", {
        "locations": locations, "chosen": chosen,
        "code": dict(locations).get(chosen, ""), "result": result,
        "expected": json.dumps(_expected(web, chosen), ensure_ascii=False) if chosen else "[]",
    }, chosen)


@router.post("/counts/check")
def check_scan(web: WebDep, form: FormDep) -> Response:
    web.require_manager("counting stock")
    location_id = field(form, "location_id")
    return judged(web, form, lambda scanned: _count_answer(web, location_id, scanned))


def _count_answer(web: Web, location_id: str, scanned: Scanned) -> Response:
    if scanned.serial is not None:
        if scanned.serial.location_id == location_id:
            return answer(scanned, f"{scanned.serial.serial_number} found")
        where = lookups.Names(web.svc).location_code(scanned.serial.location_id)
        if not where:
            return refusal(f"{scanned.serial.serial_number} is not in stock anywhere "
                           f"({scanned.serial.status.value.replace('_', ' ').lower()})")
        return answer(scanned, f"{scanned.serial.serial_number} is not expected here (recorded "
                      f"at {where}); posting the count moves it here")
    if scanned.product is not None and scanned.product.tracking.uses_serials:
        return refusal(f"{scanned.product.sku} is serial-tracked: scan each unit")
    return answer(scanned, f"{scanned.label}: type the quantity counted")


@router.post("/counts")
def post_count(web: WebDep, form: FormDep) -> Response:
    web.require_manager("counting stock")
    location_id = field(form, "location_id")
    if not location_id:
        return failed(web, "Choose the location you count")
    try:
        units = resolved(web, posted_units(form))
        numbers = [s.serial.serial_number for _, s in units if s.serial is not None]
        lots = [{"batch_id": s.batch.id, "quantity": str(quantity_of(p, s))}
                for p, s in units if s.serial is None and s.batch is not None]
        counted = web.svc.stock.cycle_count(location_id, counts=lots or None,
                                            serial_numbers=numbers)
    except LotlineError as error:
        return failed(web, error)
    summary: dict[str, Any] = {
        "location_id": location_id, "counted": len(numbers),
        "missing": len(counted.missing_serials), "moved": len(counted.moved_here_serials),
        "unknown": len(counted.unknown_serials), "lots": len(counted.lots)}
    return done(web, "/counts?" + urlencode(summary))
