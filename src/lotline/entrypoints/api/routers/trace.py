"""Transformations and traces: `POST /transformations`, `GET /trace/serials/{number}`,
`GET /trace/batches/{id}?direction=`, `GET /trace/scan?data=`. Roles are checked by the
services (viewer reads, manager records transformations)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.bootstrap import Services
from lotline.domain.errors import NotFound
from lotline.entrypoints.api.routers.common import Cursor, Limit, body_fields, created, ok
from lotline.entrypoints.api.schemas import trace as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["traceability"])

IdQuery = Annotated[str | None, Query(max_length=100)]
Direction = Annotated[Literal["forward", "backward"], Query(
    description="backward: where it came from (supplier, receipt, input lots); forward: "
                "where it went (orders, customers, output lots)")]


@router.post("/transformations", status_code=201, response_model=s.Transformation)
def transform(body: s.TransformationIn, svc: ServicesDep) -> Response:
    """Production, repacking or kitting in one transaction: the inputs (lot quantities or
    serial numbers) are consumed, the outputs (new lots, with serials for serial-tracked
    products) are made, and genealogy links every output to every input. Consuming more
    than is on hand (409), a unit that is not IN_STOCK (409) or an unknown lot (404) writes
    nothing."""
    fields = body_fields(body)
    return created(svc.transformations.transform(
        inputs=fields["inputs"], outputs=fields["outputs"], kind=body.kind,
        reference=body.reference, location_id=body.location_id, notes=body.notes))


@router.get("/transformations", response_model=Page[s.Transformation])
def list_transformations(svc: ServicesDep, limit: Limit = 50,
                         cursor: Cursor = None) -> Response:
    """Newest first, each with what it consumed and made."""
    found = svc.transformations.list(limit=limit + 1, cursor=cursor)
    shown = found[:limit]
    return ok({"items": shown, "next_cursor": shown[-1].id if len(found) > limit else None})


@router.get("/transformations/{transformation_id}", response_model=s.Transformation)
def get_transformation(transformation_id: str, svc: ServicesDep) -> Response:
    """What a transformation consumed (lots with quantities, units) and made (lots, units)."""
    return ok(svc.transformations.get(transformation_id))


@router.get("/trace/scan", response_model=s.ScanTrace)
def trace_scan(svc: ServicesDep,
               data: Annotated[str, Query(min_length=1, max_length=4096, description=(
                   "what the scanner sent (GS1 element string, Digital Link, GTIN + lot, a "
                   "serial or a lot number)"))],
               direction: Direction = "backward") -> Response:
    """Trace what a barcode names: a unit's own trace (installed in, components, receipts,
    its lot's tree), or a lot's tree in the direction asked for."""
    return ok(svc.trace.scan(data, direction))


@router.get("/trace/serials/{serial_number:path}", response_model=s.UnitTrace)
def trace_serial(serial_number: str, svc: ServicesDep, product_id: IdQuery = None) -> Response:
    """Backward from one unit (exact number): the units it is installed in, its components,
    its receipt or the transformation that made it, and its lot's tree back to suppliers. An
    unknown number is a 404 naming it."""
    return ok(svc.trace.serial(serial_number, product_id))


@router.get("/trace/batches/{batch_id}",
            response_model=s.ForwardNode | s.BackwardNode)
def trace_batch(batch_id: str, svc: ServicesDep, direction: Direction = "forward") -> Response:
    """forward (default): every order and customer the lot reached, with quantities and
    serial numbers, what is on hand, and the lots made from it, recursively. backward: its
    supplier, receipts and the input lots of the transformations that made it, recursively.
    `batch_id` is the lot's id or its number (a number several lots share is a 409)."""
    lot_id = lot_id_of(svc, batch_id)
    if direction == "backward":
        return ok(svc.trace.backward(lot_id))
    return ok(svc.trace.forward(lot_id))


def lot_id_of(svc: Services, ref: str) -> str:
    """A lot by id, else by its number (case-insensitive)."""
    try:
        return svc.batches.get(ref).id
    except NotFound:
        pass
    try:
        return svc.batches.one_by_number(ref).id
    except NotFound:
        raise NotFound("batch", ref, "batch_id") from None
