"""Picking with scan verification: the scanned unit must be the allocated one, or another
IN_STOCK unit of the same product from an eligible lot (which swaps the allocation). Every
other scan is rejected with its reason, and then nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lotline.domain.allocation import block_reason, is_allocatable
from lotline.domain.errors import Ambiguous, Conflict, ValidationError
from lotline.domain.flows import Allocation
from lotline.domain.lots import LotRecord
from lotline.domain.model import Order, Serial
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.domain.values import fold_number, to_decimal
from lotline.service_layer.allocating import record_allocation
from lotline.service_layer.order_allocations import OrderAllocations
from lotline.service_layer.scan import ScanResult, resolve_scan
from lotline.service_layer.serial_rules import Change, apply_change
from lotline.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Rejection:
    scan: str
    reason: str


def pick_scans(uow: UnitOfWork, order: Order, scans: list[Any], today: dt.date,
               flows: OrderAllocations, lots: dict[str, LotRecord]
               ) -> list[ScanResult | None]:
    """Pick every scan or none; what each text scan resolved to (None for a lot mapping).
    The order's allocations are read and written through `flows`; the lots picked from are
    left in `lots`."""
    rejections: list[Rejection] = []
    resolved: list[ScanResult | None] = []
    for scan in scans:
        reason = _pick_one(uow, flows, order, scan, today, resolved, lots)
        if reason is not None:
            rejections.append(Rejection(_label(scan), reason))
    if rejections:
        raise Conflict("; ".join(f"{r.scan}: {r.reason}" for r in rejections),
                       rejected=[{"scan": r.scan, "reason": r.reason} for r in rejections])
    return resolved


def _pick_one(uow: UnitOfWork, flows: OrderAllocations, order: Order, scan: Any,
              today: dt.date, resolved: list[ScanResult | None],
              lots: dict[str, LotRecord]) -> str | None:
    if isinstance(scan, Mapping):
        resolved.append(None)
        return _pick_lot(uow, flows, order, scan, today, lots)
    text = str(scan).strip()
    if not text:
        return "empty scan"
    try:  # the one resolver every door uses; picking takes what it found
        result = resolve_scan(uow, text, today,
                              products={line.product_id for line in order.lines})
    except (ValidationError, Ambiguous) as error:
        return _rejection_reason(error)
    resolved.append(result)
    return _pick_resolved(uow, flows, order, result, today, lots)


def _rejection_reason(error: ValidationError | Ambiguous) -> str:
    """Why a scan the resolver refused cannot be picked."""
    if isinstance(error, ValidationError) and "unrecognised input" in error.message:
        return "no serial or lot with this number"
    return error.message.removeprefix("data: ")


def _pick_resolved(uow: UnitOfWork, flows: OrderAllocations, order: Order,
                   resolved: ScanResult, today: dt.date,
                   lots: dict[str, LotRecord]) -> str | None:
    """A resolved scan: its unit, else its lot with AI 30 (or AI 37) as the quantity."""
    if resolved.serial_record is not None:
        return _pick_serial(uow, flows, order, resolved.serial_record, today)
    if resolved.serial is None and resolved.batch is not None:
        quantity = resolved.quantity or resolved.count or 1
        return _pick_lot(uow, flows, order, {"batch_id": resolved.batch.id,
                                             "quantity": quantity}, today, lots)
    return _unresolved(resolved)


def _unresolved(resolved: ScanResult) -> str:
    """Why a scan names nothing to pick: the resolver's first warning says it."""
    if resolved.warnings:
        return resolved.warnings[0].message
    return "the barcode names no serial and no lot"


def _label(scan: Any) -> str:
    """A scan as the rejection names it: the text scanned, or `lot <number or id> x <qty>`."""
    if isinstance(scan, Mapping):
        lot = scan.get("batch_number") or scan.get("batch_id")
        return f"lot {lot} x {scan.get('quantity', 1)}"
    return str(scan).strip()


def _pick_serial(uow: UnitOfWork, flows: OrderAllocations, order: Order, serial: Serial,
                 today: dt.date) -> str | None:
    wanted = {line.product_id for line in order.lines}
    mine = flows.open_allocation_for_serial(serial.id)
    if mine is not None and mine.status == "picked":
        return "already picked"
    if serial.status is SerialStatus.ALLOCATED and serial.order_id == order.id and mine:
        _mark_picked(uow, flows, serial, mine, today)
        return None
    if serial.product_id not in wanted:
        return "this order has no line for its product"
    if serial.status is not SerialStatus.IN_STOCK:
        return f"it is {serial.status.value}" + (" for another order" if serial.order_id else "")
    return _swap(uow, flows, order, serial, today)


def _swap(uow: UnitOfWork, flows: OrderAllocations, order: Order, serial: Serial,
          today: dt.date) -> str | None:
    """Pick another IN_STOCK unit instead of an allocated, unpicked one of the same product."""
    if serial.hold is not None:
        return f"it is on hold ({serial.hold.reason})"
    lot = uow.batches.get(serial.batch_id) if serial.batch_id else None
    if lot is not None and block_reason(lot, today) is not None:
        return f"its lot {lot.batch_number!r} is {block_reason(lot, today)}"
    customer = uow.customers.get(order.customer_id)
    minimum = customer.min_remaining_shelf_life_days if customer else None
    if lot is not None and not is_allocatable(lot, today, minimum):
        return (f"its lot {lot.batch_number!r} expires on {lot.expiry_date}, within the "
                f"customer's minimum remaining shelf life of {minimum} days")
    replaced = next((a for a in flows.allocations(order.id, ("allocated",))
                     if a.product_id == serial.product_id and a.serial_id), None)
    if replaced is None:
        return "no unpicked unit of its product is left on this order"
    old = uow.serials.get(str(replaced.serial_id), for_update=True)
    assert old is not None
    apply_change(uow, old, Change(SerialStatus.IN_STOCK, reason="swapped at picking"), today)
    flows.update_allocation(replaced.id, {"status": "released", "updated_at": uow.actor.now()})
    line = next(line for line in order.lines if line.id == replaced.order_line_id)
    fresh = uow.serials.get(serial.id, for_update=True)
    assert fresh is not None
    allocated = apply_change(uow, fresh, Change(SerialStatus.ALLOCATED, order_id=order.id),
                             today)
    record_allocation(uow, order, line, quantity=Decimal(1), batch=lot, serial=allocated,
                      location_id=allocated.location_id, into=flows)
    new = flows.open_allocation_for_serial(serial.id)
    assert new is not None
    _mark_picked(uow, flows, allocated, new, today)
    return None


def _mark_picked(uow: UnitOfWork, flows: OrderAllocations, serial: Serial,
                 allocation: Allocation, today: dt.date) -> None:
    apply_change(uow, serial, Change(SerialStatus.PICKED), today)
    flows.update_allocation(allocation.id, {"status": "picked",
                                            "picked_quantity": allocation.quantity,
                                            "updated_at": uow.actor.now()})


def _pick_lot(uow: UnitOfWork, flows: OrderAllocations, order: Order,
              scan: Mapping[str, Any], today: dt.date, lots: dict[str, LotRecord]) -> str | None:
    batch_id = scan.get("batch_id")
    if batch_id is None and scan.get("batch_number"):
        found = uow.batches.by_number(fold_number(str(scan["batch_number"])))
        batch_id = found[0].id if found else None
    try:
        quantity = to_decimal(scan.get("quantity", 1), "quantity")
    except Exception as error:  # a ValidationError: report it as this scan's reason
        return str(error)
    pending = [a for a in flows.allocations(order.id, ("allocated",))
               if a.batch_id == batch_id and a.serial_id is None]
    open_quantity = sum((a.quantity - a.picked_quantity for a in pending), Decimal(0))
    if not pending:
        return "this lot is not allocated to this order"
    if quantity > open_quantity:
        return f"only {open_quantity} of this lot are left to pick"
    places = sorted({a.location_id for a in pending if a.location_id})
    if places:  # the lot and (most often the only) location in one read
        lot, first = uow.batches.get_at(str(batch_id), places[0])
        held = [first, *(uow.locations.get(place) for place in places[1:])]
    else:
        lot, held = uow.batches.get(str(batch_id)), []
    if lot is not None:
        lots[lot.id] = lot
    blocked = block_reason(lot, today) if lot is not None else None
    if lot is not None and blocked is not None:  # DESIGN §3: a hold blocks picking
        return f"its lot {lot.batch_number!r} is {blocked}"
    if any(location is not None and location.hold is not None for location in held):
        return "its location is on hold"
    for allocation in pending:
        take = min(quantity, allocation.quantity - allocation.picked_quantity)
        if take <= 0:
            continue
        picked = allocation.picked_quantity + take
        flows.update_allocation(allocation.id, {
            "picked_quantity": picked, "updated_at": uow.actor.now(),
            "status": "picked" if picked == allocation.quantity else "allocated"})
        uow.ledger.record(MovementKind.PICK, product_id=allocation.product_id,
                          batch_id=allocation.batch_id, quantity=take, order_id=order.id,
                          unit_cost=allocation.unit_cost)
        quantity -= take
    return None
