"""Allocating order lines: by the product's removal strategy (FEFO by default) over eligible
lots, or to named serials and lots. Expired, held and inactive lots are never allocated;
balances are reserved by compare-and-set so two orders racing for the last unit cannot both
win."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from lotline.domain.allocation import allocation_candidates, block_reason
from lotline.domain.errors import LotBlocked, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.lots import BalanceRow, LotRecord
from lotline.domain.model import Customer, Order, OrderLine, Product, Serial
from lotline.domain.statuses import LocationKind, MovementKind, SerialStatus
from lotline.service_layer.order_allocations import OrderAllocations
from lotline.service_layer.serial_rules import Change, apply_change
from lotline.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Target:
    """What to allocate for one line: how much, and optionally which lot or serials."""

    line: OrderLine
    quantity: Decimal
    batch_id: str | None = None
    serial_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Held:
    """What an allocation run writes through and reads into: the order's allocations (added
    ones included) and the lots it looked at, for the view and the event built after it."""

    allocations: OrderAllocations
    lots: dict[str, LotRecord]


def record_allocation(uow: UnitOfWork, order: Order, line: OrderLine, *, quantity: Decimal,
                      batch: LotRecord | None, serial: Serial | None,
                      location_id: str | None, into: OrderAllocations | None = None) -> None:
    cost = serial.unit_cost if serial is not None and serial.unit_cost is not None else (
        batch.unit_cost if batch else None)
    now = uow.actor.now()
    values = {
        "id": new_id(), "order_id": order.id, "order_line_id": line.id,
        "product_id": line.product_id, "batch_id": batch.id if batch else None,
        "serial_id": serial.id if serial else None, "location_id": location_id,
        "quantity": quantity, "picked_quantity": Decimal(0), "returned_quantity": Decimal(0),
        "unit_cost": cost, "status": "allocated", "created_at": now, "updated_at": now}
    if into is None:
        uow.flows.add_allocation(values)
    else:
        into.add_allocation(values, serial.serial_number if serial else None)


def allocate_target(uow: UnitOfWork, order: Order, customer: Customer, product: Product,
                    target: Target, today: dt.date, held: Held) -> Decimal:
    """Allocate up to target.quantity; returns what could not be allocated."""
    if target.serial_numbers:
        return allocate_named_serials(uow, order, product, target, today, held)
    balances: dict[str, list[BalanceRow]] | None = None
    if target.batch_id is None and not product.tracking.uses_serials:
        every, balances = uow.batches.for_product_with_balances(product.id)  # one read
        lots = allocation_candidates(every, product.removal_strategy, today,
                                     customer.min_remaining_shelf_life_days)
    else:
        lots = _candidate_lots(uow, customer, product, target, today)
    held.lots.update((lot.id, lot) for lot in lots)
    if product.tracking.uses_serials:
        target = _take_reserved(uow, order, product, target, today, held.allocations)
        return _allocate_serials(uow, order, product, target, lots, today, held.allocations)
    if balances is None:
        balances = uow.batches.balances([lot.id for lot in lots])
    return _allocate_quantity(uow, order, target, lots, balances, held.allocations)


def _candidate_lots(uow: UnitOfWork, customer: Customer, product: Product, target: Target,
                    today: dt.date) -> list[LotRecord]:
    if target.batch_id is not None:
        lot = uow.batches.get(target.batch_id)
        if lot is None or lot.product_id != product.id:
            raise ValidationError.single("batch_id", f"is not a lot of product {product.sku!r}",
                                         target.batch_id)
        reason = block_reason(lot, today)
        if reason is not None:
            raise LotBlocked(f"lot {lot.batch_number!r} is {reason}; it cannot be allocated",
                             batch_id=lot.id)
        return [lot]
    return allocation_candidates(uow.batches.for_product(product.id), product.removal_strategy,
                                 today, customer.min_remaining_shelf_life_days)


def _allocate_quantity(uow: UnitOfWork, order: Order, target: Target, lots: list[LotRecord],
                       balances: dict[str, list[BalanceRow]], book: OrderAllocations
                       ) -> Decimal:
    remaining = target.quantity
    for lot in lots:
        for balance in balances.get(lot.id, []):
            if remaining <= 0:
                return Decimal(0)
            if balance.kind is not LocationKind.STORAGE or balance.location_held:
                continue
            take = min(remaining, balance.balance_quantity - balance.allocated_quantity)
            if take <= 0 or not uow.batches.reserve(lot.id, balance.location_id, take):
                continue  # nothing free, or a concurrent order took it first
            record_allocation(uow, order, target.line, quantity=take, batch=lot, serial=None,
                              location_id=balance.location_id, into=book)
            uow.ledger.record(MovementKind.ALLOCATION, product_id=lot.product_id,
                              batch_id=lot.id, quantity=take, order_id=order.id,
                              unit_cost=lot.unit_cost)
            remaining -= take
    return max(remaining, Decimal(0))


def _allocate_serials(uow: UnitOfWork, order: Order, product: Product, target: Target,
                      lots: list[LotRecord], today: dt.date, book: OrderAllocations) -> Decimal:
    remaining = int(target.quantity)
    sources: list[LotRecord | None] = [*lots]
    if target.batch_id is None and not product.tracking.requires_lot:
        sources.append(None)  # serials without a lot, after every lot
    lifo = product.removal_strategy.value == "lifo"
    for lot in sources:
        for serial_id in _in_stock_serials(uow, product.id, lot, remaining, lifo):
            if remaining <= 0:
                return Decimal(0)
            serial = uow.serials.get(serial_id, for_update=True)
            if serial is None or serial.status is not SerialStatus.IN_STOCK or serial.hold:
                continue  # taken concurrently, or held
            allocated = apply_change(uow, serial, Change(SerialStatus.ALLOCATED,
                                                         order_id=order.id), today)
            record_allocation(uow, order, target.line, quantity=Decimal(1), batch=lot,
                              serial=allocated, location_id=allocated.location_id, into=book)
            remaining -= 1
    return Decimal(max(remaining, 0))


def _take_reserved(uow: UnitOfWork, order: Order, product: Product, target: Target,
                   today: dt.date, book: OrderAllocations) -> Target:
    """Units reserved for the order's customer go to its order first (seed 001), before any
    other unit; what is left of the target is allocated as usual."""
    wanted = int(target.quantity)
    reserved = uow.serials.reserved_for_customer(order.customer_id, product.id,
                                                 target.batch_id) if wanted > 0 else []
    taken = 0
    for serial_id in reserved[:wanted]:
        serial = uow.serials.get(serial_id, for_update=True)
        if serial is None or serial.reserved_for != order.customer_id:
            continue  # released or taken concurrently
        try:
            allocated = apply_change(uow, serial, Change(SerialStatus.ALLOCATED,
                                                         order_id=order.id), today)
        except LotBlocked:
            continue  # held or expired since it was reserved: decided before any write
        lot = uow.batches.get(allocated.batch_id) if allocated.batch_id else None
        record_allocation(uow, order, target.line, quantity=Decimal(1), batch=lot,
                          serial=allocated, location_id=allocated.location_id, into=book)
        taken += 1
    return replace(target, quantity=target.quantity - taken)


def _in_stock_serials(uow: UnitOfWork, product_id: str, lot: LotRecord | None, wanted: int,
                      lifo: bool) -> list[str]:
    return uow.serials.in_stock_for_allocation(product_id, lot.id if lot else None, wanted,
                                               lifo)


def allocate_named_serials(uow: UnitOfWork, order: Order, product: Product, target: Target,
                           today: dt.date, held: Held) -> Decimal:
    for number in target.serial_numbers:
        matches = uow.serials.by_number(number, product.id)
        if not matches:
            raise ValidationError.single("serial_numbers", f"no serial {number!r} of product "
                                         f"{product.sku!r}", number)
        serial = uow.serials.get(matches[0].id, for_update=True)
        assert serial is not None
        allocated = apply_change(uow, serial, Change(SerialStatus.ALLOCATED, order_id=order.id),
                                 today)
        lot = uow.batches.get(allocated.batch_id) if allocated.batch_id else None
        if lot is not None:
            held.lots[lot.id] = lot
        record_allocation(uow, order, target.line, quantity=Decimal(1), batch=lot,
                          serial=allocated, location_id=allocated.location_id,
                          into=held.allocations)
    return max(target.quantity - len(target.serial_numbers), Decimal(0))
