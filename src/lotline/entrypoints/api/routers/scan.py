"""POST /scan: what a barcode (or a typed serial or lot number) is in this organization."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.schemas import exchange as s
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["scan"])


@router.post("/scan", response_model=s.ScanOut)
def scan(body: s.ScanIn, svc: ServicesDep) -> Response:
    """The barcode's GS1 fields (null when absent) and the product, lot and serial they
    resolve to, with warnings (unknown lot, expiry differing from the lot's, lot expired or
    on hold). Resolution: GS1 first, then an exact serial number, then a lot number; a
    barcode that fails GS1 validation and matches nothing is a 422 naming the problem."""
    return ok(svc.scan.parse(body.data))
