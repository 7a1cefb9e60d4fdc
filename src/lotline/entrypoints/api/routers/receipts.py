"""/receipts: inbound receiving orders (ASNs) — create with expected lines (and announced
serials), receive lots and serials against the lines into RECEIVING, put away into STOCK,
reverse a receipt entered by mistake. Roles are checked by the services (viewer reads, manager
writes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import Cursor, Limit, body_fields, created, ok
from lotline.entrypoints.api.schemas import receipts as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["receipts"])

IdQuery = Annotated[str | None, Query(max_length=100)]
StatusQuery = Annotated[str | None, Query(max_length=30, description="open, partially_received, "
                                          "received or cancelled")]


@router.post("/receipts", status_code=201, response_model=s.Receipt)
def create_receipt(body: s.ReceiptIn, svc: ServicesDep) -> Response:
    """An ASN: what a supplier announced. Announced serials are registered as EXPECTED."""
    lines = [body_fields(line) for line in body.lines]
    return created(svc.receipts.create_receipt(body.reference, body.supplier_id, lines,
                                               warehouse_id=body.warehouse_id))


@router.get("/receipts", response_model=Page[s.Receipt])
def list_receipts(svc: ServicesDep, supplier_id: IdQuery = None, status: StatusQuery = None,
                  limit: Limit = 50, cursor: Cursor = None) -> Response:
    return ok(svc.receipts.list(supplier_id=supplier_id, status=status, limit=limit,
                                cursor=cursor))


@router.get("/receipts/{receipt_id}", response_model=s.Receipt)
def get_receipt(receipt_id: str, svc: ServicesDep) -> Response:
    return ok(svc.receipts.get(receipt_id))


@router.post("/receipts/{receipt_id}/receive", response_model=s.Receipt)
def receive(receipt_id: str, body: s.ReceiveIn, svc: ServicesDep) -> Response:
    """Lots (and serials) against the receipt's lines, all or nothing; the units land in the
    warehouse's RECEIVING location as RECEIVED. A line's lots must add up to its expected
    quantity unless `reason` records a short or over receipt."""
    lines: list[dict[str, Any]] = []
    for line in body.lines:
        fields = body_fields(line)
        fields["lots"] = [body_fields(lot) for lot in line.lots]
        lines.append(fields)
    return ok(svc.receipts.receive(receipt_id, lines))


@router.post("/receipts/{receipt_id}/putaway", response_model=s.Receipt)
def putaway(receipt_id: str, svc: ServicesDep, body: s.PutawayIn | None = None) -> Response:
    """Everything the receipt brought into RECEIVING goes to STOCK (or `location_id`), its
    serials IN_STOCK."""
    return ok(svc.receipts.putaway(receipt_id, body.location_id if body else None))


@router.post("/receipts/{receipt_id}/reverse", response_model=s.Receipt)
def reverse(receipt_id: str, body: s.ReasonIn, svc: ServicesDep) -> Response:
    """Undo a receipt entered by mistake with reversing movements (nothing is edited); its
    announced serials that never arrived are cancelled."""
    return ok(svc.receipts.reverse(receipt_id, body.reason))
