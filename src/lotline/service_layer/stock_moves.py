"""Moving stock between locations inside one unit of work: lot quantities (compare-and-set on
the free balance) and whole serials, each with its ledger row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.domain.errors import Conflict, InsufficientStock, ValidationError
from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Serial
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.domain.values import ErrorCollector, to_decimal
from lotline.service_layer.serials import need_serial
from lotline.service_layer.unit_of_work import UnitOfWork

CYCLE_COUNT = "cycle count"


def free_at(uow: UnitOfWork, lot_id: str, location_id: str) -> Decimal:
    for balance in uow.batches.balances([lot_id]).get(lot_id, []):
        if balance.location_id == location_id:
            return balance.balance_quantity - balance.allocated_quantity
    return Decimal(0)


def move_lot(uow: UnitOfWork, lot: LotRecord, quantity: Decimal, source: Location | None,
             target: Location | None, kind: MovementKind, reason: str | None, *,
             partial: bool = False) -> Decimal:
    """Move up to `quantity` of a lot (all of it unless `partial`); returns what moved."""
    take = quantity
    if source is not None:
        free = free_at(uow, lot.id, source.id)
        take = min(quantity, free) if partial else quantity
        if take <= 0:
            return Decimal(0)
        uow.batches.take_balance(lot.id, source.id, take, lot.batch_number)
    if target is not None:
        uow.batches.add_balance(lot.id, target.id, take, received=False)
    uow.ledger.record(kind, product_id=lot.product_id, batch_id=lot.id, quantity=take,
                      from_location_id=source.id if source else None,
                      to_location_id=target.id if target else None, unit_cost=lot.unit_cost,
                      reason=reason)
    return take


def move_serial(uow: UnitOfWork, serial: Serial, target: Location, kind: MovementKind,
                reason: str | None) -> None:
    if serial.location_id is None:
        raise Conflict(f"serial {serial.serial_number!r} is {serial.status.value} and not in "
                       "a warehouse", serial_id=serial.id)
    if serial.status in (SerialStatus.ALLOCATED, SerialStatus.PICKED):
        raise Conflict(f"serial {serial.serial_number!r} is {serial.status.value} for an order; "
                       "release it before moving it", serial_id=serial.id)
    uow.serials.set_state(serial.id, {"location_id": target.id,
                                      "warehouse_id": target.warehouse_id,
                                      "updated_at": uow.actor.now()})
    if serial.batch_id is not None:
        uow.batches.take_balance(serial.batch_id, serial.location_id, Decimal(1),
                                 serial.batch_id)
        uow.batches.add_balance(serial.batch_id, target.id, Decimal(1), received=False)
    lot = uow.batches.get(serial.batch_id) if serial.batch_id is not None else None
    uow.ledger.record(kind, product_id=serial.product_id, batch_id=serial.batch_id,
                      serial_id=serial.id, quantity=Decimal(1),
                      from_location_id=serial.location_id, to_location_id=target.id,
                      from_status=serial.status, to_status=serial.status, reason=reason,
                      unit_cost=serial.unit_cost if serial.unit_cost is not None else (
                          lot.unit_cost if lot is not None else None))


def parse_counts(counts: Any) -> dict[str, Decimal]:
    if not isinstance(counts, list):
        raise ValidationError.single("counts", "must be a list of {batch_id, quantity}", counts)
    errors = ErrorCollector()
    parsed: dict[str, Decimal] = {}
    for index, item in enumerate(counts):
        if not isinstance(item, Mapping) or not item.get("batch_id"):
            errors.add(f"counts.{index}", "must be {batch_id, quantity}", item)
            continue
        quantity = errors.take(to_decimal, item.get("quantity"), f"counts.{index}.quantity")
        if quantity is not None:
            parsed[str(item["batch_id"])] = quantity
    errors.raise_if_any()
    return parsed


@dataclass(frozen=True, slots=True)
class LotDifference:
    batch_id: str
    expected: Decimal
    counted: Decimal
    adjusted_by: Decimal


@dataclass(frozen=True, slots=True)
class Counted:
    location_id: str
    lots: list[LotDifference] = field(default_factory=list)
    missing_serials: list[str] = field(default_factory=list)
    moved_here_serials: list[str] = field(default_factory=list)
    unknown_serials: list[str] = field(default_factory=list)


def count_location(uow: UnitOfWork, location: Location, lots_counted: dict[str, Decimal],
                   numbers: list[str] | None) -> Counted:
    differences = [_count_lot(uow, location, batch_id, counted)
                   for batch_id, counted in sorted(lots_counted.items())]
    here = _numbers_at(uow, location.id) if numbers is not None else set()
    moved, unknown = [], []
    for number in numbers or []:
        if number in here:
            continue
        matches = [s for s in uow.serials.by_number(number) if s.location_id is not None]
        if not matches:
            unknown.append(number)
            continue
        move_serial(uow, need_serial(uow, matches[0].id), location, MovementKind.ADJUSTMENT,
                    CYCLE_COUNT)
        moved.append(number)
    return Counted(location_id=location.id, lots=differences,
                   missing_serials=sorted(here - set(numbers or [])),
                   moved_here_serials=moved, unknown_serials=unknown)


def _numbers_at(uow: UnitOfWork, location_id: str) -> set[str]:
    return uow.serials.numbers_at(location_id)


def _count_lot(uow: UnitOfWork, location: Location, batch_id: str,
               counted: Decimal) -> LotDifference:
    lot = uow.batches.get(batch_id, for_update=True)
    if lot is None:
        raise ValidationError.single("counts.batch_id", "unknown lot", batch_id)
    balance = next((b for b in uow.batches.balances([lot.id]).get(lot.id, [])
                    if b.location_id == location.id), None)
    expected = balance.balance_quantity if balance else Decimal(0)
    allocated = balance.allocated_quantity if balance else Decimal(0)
    delta = counted - expected
    if counted < allocated:
        raise InsufficientStock(f"lot {lot.batch_number!r}: {counted} counted but {allocated} "
                                f"are allocated to orders at {location.code}",
                                batch_id=lot.id)
    if delta > 0:
        move_lot(uow, lot, delta, None, location, MovementKind.ADJUSTMENT, CYCLE_COUNT)
    elif delta < 0:
        move_lot(uow, lot, -delta, location, None, MovementKind.ADJUSTMENT, CYCLE_COUNT)
    return LotDifference(batch_id=lot.id, expected=expected, counted=counted,
                         adjusted_by=delta)
