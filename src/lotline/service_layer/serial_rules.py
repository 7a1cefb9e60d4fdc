"""The checks and effects of one serial's status change, shared by every use case that moves
serials (status changes, order allocation, receiving)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lotline.domain.allocation import block_reason
from lotline.domain.errors import (
    Conflict,
    InvalidTransition,
    LotBlocked,
    NotFound,
    ValidationError,
)
from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Order, Serial
from lotline.domain.statuses import (
    BLOCKED_BY_HOLD,
    KEEP,
    MOVEMENT_KINDS,
    SerialStatus,
    Tracking,
    allowed_targets,
    destination,
    is_allowed,
)
from lotline.service_layer.base import lock_order, need_location, need_product
from lotline.service_layer.unit_of_work import UnitOfWork
from lotline.service_layer.warehouses import default_location

S = SerialStatus
FINAL = (S.SCRAPPED, S.CONSUMED, S.CANCELLED)


@dataclass(frozen=True, slots=True)
class Change:
    """What the caller asked for besides the target status."""

    target: SerialStatus
    order_id: str | None = None
    location_id: str | None = None
    reason: str | None = None
    parent_serial_id: str | None = None
    receipt_id: str | None = None
    transformation_id: str | None = None


def note_first_arrival(uow: UnitOfWork, batch: LotRecord, movement_id: str,
                       location_id: str) -> None:
    """Until its first unit arrives a serial lot's received_at and purchase_date are its
    creation time (DESIGN §3); the first arrival sets them and its entry movement."""
    if batch.entry_transaction_ref is not None:
        return
    now = uow.actor.now()
    values: dict[str, object] = {"entry_transaction_ref": movement_id,
                                 "location_id": location_id, "updated_at": now}
    # A lot created with an explicit purchase_date was received on that day already.
    if batch.received_at == batch.created_at:
        values["received_at"] = now
        values["purchase_date"] = uow.actor.today(uow.timezone())
    uow.batches.update(batch.id, values)


def check_transition(serial: Serial, target: SerialStatus) -> None:
    if not is_allowed(serial.status, target):
        raise InvalidTransition(serial.serial_number, serial.status.value, target.value,
                                [s.value for s in allowed_targets(serial.status)])


def check_not_blocked(uow: UnitOfWork, serial: Serial, batch: LotRecord | None,
                      target: SerialStatus, today: dt.date) -> None:
    if target not in BLOCKED_BY_HOLD:
        return
    if serial.hold is not None:
        raise LotBlocked(f"serial {serial.serial_number!r} is on hold ({serial.hold.reason})",
                         serial_number=serial.serial_number)
    if batch is not None:
        reason = block_reason(batch, today)
        if reason is not None:
            raise LotBlocked(f"lot {batch.batch_number!r} of serial {serial.serial_number!r} "
                             f"is {reason}; it cannot be {target.value.lower()}",
                             batch_id=batch.id, serial_number=serial.serial_number)
    if serial.location_id is not None:
        location = need_location(uow, serial.location_id)
        if location.hold is not None:
            raise LotBlocked(f"location {location.code!r} of serial {serial.serial_number!r} "
                             f"is on hold ({location.hold.reason})", location_id=location.id)


def check_order(uow: UnitOfWork, serial: Serial, order_id: str) -> Order:
    """The order must be open and want this product; a unit never over-fills its line (the
    order's row is locked while its units are counted)."""
    order = lock_order(uow, order_id)
    if order.status in ("cancelled", "shipped"):
        raise Conflict(f"order {order.reference!r} is {order.status}", order_id=order.id)
    ordered = sum((line.quantity for line in order.lines if line.product_id == serial.product_id),
                  Decimal(0))
    if ordered == 0:
        raise ValidationError.single("order_id", f"order {order.reference!r} has no line for "
                                     f"product {serial.product_id}", order_id)
    if uow.orders.units_assigned(order.id, serial.product_id) + 1 > ordered:
        raise Conflict(f"order {order.reference!r} wants {ordered} of product "
                       f"{serial.product_id}; all are assigned already", order_id=order.id)
    return order


def check_parent(uow: UnitOfWork, serial: Serial, parent_serial_id: str | None) -> str:
    """A unit is installed into another unit, never into itself or its own component."""
    if parent_serial_id is None:
        raise ValidationError.single("parent_serial_id", "is required to install a unit")
    parent = uow.serials.get(str(parent_serial_id))
    if parent is None:
        raise NotFound("serial", parent_serial_id, "parent_serial_id")
    if parent.status in FINAL:
        raise Conflict(f"serial {parent.serial_number!r} is {parent.status.value}; nothing can "
                       f"be installed into it", parent_serial_id=parent.id)
    ancestor: Serial | None = parent
    seen: set[str] = set()
    while ancestor is not None and ancestor.id not in seen:
        if ancestor.id == serial.id:
            raise ValidationError.single(
                "parent_serial_id", f"serial {serial.serial_number!r} cannot be installed into "
                f"itself or into one of its own components", parent_serial_id)
        seen.add(ancestor.id)
        ancestor = (uow.serials.get(ancestor.parent_serial_id)
                    if ancestor.parent_serial_id else None)
    return parent.id


def resolve_location(uow: UnitOfWork, serial: Serial, change: Change) -> Location | None:
    rule = destination(serial.status, change.target)
    if rule is None:
        return None
    if change.location_id is not None:
        return need_location(uow, change.location_id)
    if rule == KEEP:
        return need_location(uow, serial.location_id) if serial.location_id else None
    return default_location(uow, rule, serial.warehouse_id)


def check_lot_for_custody(uow: UnitOfWork, serial: Serial, location: Location | None) -> None:
    if location is None or serial.batch_id is not None:
        return
    product = need_product(uow, serial.product_id)
    if product.tracking is Tracking.LOT_SERIAL:
        raise ValidationError.single("batch_id", f"serial {serial.serial_number!r} of a lot "
                                     "and serial tracked product needs its lot before it is "
                                     "received; receive it through its receipt")


def _order_after(uow: UnitOfWork, serial: Serial, change: Change) -> str | None:
    """order_id is set on ALLOCATED (or a direct sale), kept through PICKED, SHIPPED and
    RETURNED, and cleared when the unit is back IN_STOCK (DESIGN §2)."""
    target = change.target
    if target is S.ALLOCATED:
        if change.order_id is None:
            raise ValidationError.single("order_id", "is required to allocate a unit")
        return check_order(uow, serial, change.order_id).id
    if target is S.SHIPPED and serial.status is S.IN_STOCK and change.order_id is not None:
        return check_order(uow, serial, change.order_id).id
    if change.order_id is not None and change.order_id != serial.order_id:
        raise ValidationError.single("order_id", f"an order is set only when a unit is "
                                     f"allocated or sold, not on {target.value}", change.order_id)
    return None if target is S.IN_STOCK else serial.order_id


def apply_change(uow: UnitOfWork, serial: Serial, change: Change, today: dt.date) -> Serial:
    """Check and apply one transition: state, counts, lot balances and the ledger row."""
    check_transition(serial, change.target)
    batch = uow.batches.get(serial.batch_id) if serial.batch_id else None
    check_not_blocked(uow, serial, batch, change.target, today)
    order_id = _order_after(uow, serial, change)
    parent_id = (check_parent(uow, serial, change.parent_serial_id)
                 if change.target is S.INSTALLED else None)
    location = resolve_location(uow, serial, change)
    check_lot_for_custody(uow, serial, location)
    now = uow.actor.now()
    uow.serials.set_state(serial.id, {
        "status": change.target.value, "location_id": location.id if location else None,
        "warehouse_id": location.warehouse_id if location else None, "order_id": order_id,
        "parent_serial_id": parent_id, "updated_at": now})
    uow.serials.bump_count(serial.product_id, serial.status, -1)
    uow.serials.bump_count(serial.product_id, change.target, 1)
    if batch is not None:
        _move_lot_unit(uow, batch, serial, location, change.target)
    cost = serial.unit_cost if serial.unit_cost is not None else (
        batch.unit_cost if batch else None)
    movement = uow.ledger.record(
        MOVEMENT_KINDS[(serial.status, change.target)], product_id=serial.product_id,
        batch_id=serial.batch_id, serial_id=serial.id, quantity=Decimal(1),
        from_location_id=serial.location_id, to_location_id=location.id if location else None,
        from_status=serial.status, to_status=change.target,
        order_id=order_id or serial.order_id, reason=change.reason, unit_cost=cost,
        receipt_id=change.receipt_id, transformation_id=change.transformation_id)
    if batch is not None and location is not None and serial.location_id is None:
        note_first_arrival(uow, batch, movement.id, location.id)
    updated = uow.serials.get(serial.id)
    assert updated is not None
    return updated


def _move_lot_unit(uow: UnitOfWork, batch: LotRecord, serial: Serial,
                   location: Location | None, target: SerialStatus) -> None:
    if target is S.CANCELLED:
        uow.batches.release_serials_from_cap(batch.id, 1)
    if serial.location_id == (location.id if location else None):
        return
    if serial.location_id is not None:
        uow.batches.take_balance(batch.id, serial.location_id, Decimal(1), batch.batch_number)
    if location is not None:
        uow.batches.add_balance(batch.id, location.id, Decimal(1),
                                received=serial.location_id is None)
