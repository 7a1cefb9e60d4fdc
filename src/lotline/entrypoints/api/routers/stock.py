"""Stock control: /transfers, /adjustments, /cycle-counts, and holds on single serials and on
locations. Roles are checked by the services (manager and above)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.schemas import stock as s
from lotline.entrypoints.api.schemas.catalog import Location
from lotline.entrypoints.api.schemas.common import HoldIn
from lotline.entrypoints.api.schemas.serials import Serial
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["stock"])


@router.post("/transfers", response_model=s.Transfer)
def transfer(body: s.TransferIn, svc: ServicesDep) -> Response:
    """Move whole serials, or a quantity of a lot or of a product (lots in the product's
    strategy order), from one location to another; all or nothing."""
    numbers = body.serial_numbers or []
    moved = svc.stock.transfer(body.from_location_id, body.to_location_id,
                               batch_id=body.batch_id, product_id=body.product_id,
                               quantity=body.quantity, serial_numbers=numbers or None,
                               reason=body.reason)
    quantity = Decimal(len(numbers)) if numbers else body.quantity
    return ok({"from_location_id": body.from_location_id,
               "to_location_id": body.to_location_id, "batch_id": body.batch_id,
               "product_id": body.product_id,
               "quantity": quantity if quantity is not None else Decimal(moved),
               "serial_numbers": [n.strip() for n in numbers], "reason": body.reason})


@router.post("/adjustments", response_model=s.Adjustment)
def adjust(body: s.AdjustmentIn, svc: ServicesDep) -> Response:
    """Correct a lot's balance at a location (default STOCK) with a reason, written to the
    ledger; never below zero, never below what is allocated."""
    delta = svc.stock.adjust(quantity_delta=body.quantity_delta, reason=body.reason,
                             batch_id=body.batch_id, product_id=body.product_id,
                             location_id=body.location_id)
    return ok({"batch_id": body.batch_id, "product_id": body.product_id,
               "location_id": body.location_id, "quantity_delta": delta,
               "reason": body.reason})


@router.post("/cycle-counts", response_model=s.CycleCount)
def cycle_count(body: s.CycleCountIn, svc: ServicesDep) -> Response:
    """Compare what was counted at a location with its balances and post the differences as
    adjustments; serials found there but recorded elsewhere are moved here, serials recorded
    here but not found are listed (`missing_serials`), unknown numbers too. An empty
    `serial_numbers` list means the serials were counted and none was found."""
    counts = [{"batch_id": c.batch_id, "quantity": c.quantity} for c in body.counts or []]
    return ok(svc.stock.cycle_count(body.location_id, counts=counts or None,
                                    serial_numbers=body.serial_numbers))


@router.post("/serials/{serial_id}/hold", response_model=Serial, tags=["serials"])
def hold_serial(serial_id: str, body: HoldIn, svc: ServicesDep) -> Response:
    """A held serial cannot be allocated, picked or shipped."""
    return ok(svc.stock.hold_serial(serial_id, body.reason, body.kind))


@router.post("/serials/{serial_id}/release", response_model=Serial, tags=["serials"])
def release_serial(serial_id: str, svc: ServicesDep) -> Response:
    return ok(svc.stock.release_serial(serial_id))


@router.post("/locations/{location_id}/hold", response_model=Location, tags=["locations"])
def hold_location(location_id: str, body: HoldIn, svc: ServicesDep) -> Response:
    """Nothing at a held location can be allocated, picked or shipped."""
    return ok(svc.stock.hold_location(location_id, body.reason, body.kind))


@router.post("/locations/{location_id}/release", response_model=Location, tags=["locations"])
def release_location(location_id: str, svc: ServicesDep) -> Response:
    return ok(svc.stock.release_location(location_id))
