"""Putaway: what a receipt brought into RECEIVING moves to storage (IN_STOCK)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from lotline.domain.flows import Receipt
from lotline.domain.model import Location
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.service_layer.serial_rules import Change, apply_change
from lotline.service_layer.unit_of_work import UnitOfWork


def put_away(uow: UnitOfWork, receipt: Receipt, receiving: Location, destination: Location,
             today: dt.date) -> int:
    """Move this receipt's units still in RECEIVING to `destination`; returns units moved."""
    moved = _put_away_lots(uow, receipt, receiving, destination)
    for serial_id in _received_serials(uow, receipt.id):
        serial = uow.serials.get(serial_id, for_update=True)
        if serial is None or serial.status is not SerialStatus.RECEIVED:
            continue
        apply_change(uow, serial, Change(SerialStatus.IN_STOCK, location_id=destination.id,
                                         receipt_id=receipt.id), today)
        moved += 1
    return moved


def _put_away_lots(uow: UnitOfWork, receipt: Receipt, receiving: Location,
                   destination: Location) -> int:
    rows = uow.movements.lot_receipt_moves(receipt.id)
    pending: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for batch_id, product_id, kind, quantity in rows:
        sign = 1 if kind == MovementKind.RECEIPT.value else -1
        pending[(batch_id, product_id)] += sign * quantity
    moved = 0
    for (batch_id, product_id), quantity in sorted(pending.items()):
        free = _free_at(uow, batch_id, receiving.id)
        take = min(quantity, free)
        if take <= 0:
            continue
        lot = uow.batches.get(batch_id, for_update=True)
        assert lot is not None
        uow.batches.take_balance(batch_id, receiving.id, take, lot.batch_number)
        uow.batches.add_balance(batch_id, destination.id, take, received=False)
        uow.ledger.record(MovementKind.PUTAWAY, product_id=product_id, batch_id=batch_id,
                          quantity=take, from_location_id=receiving.id,
                          to_location_id=destination.id, unit_cost=lot.unit_cost,
                          receipt_id=receipt.id)
        if lot.location_id == receiving.id:
            uow.batches.update(batch_id, {"location_id": destination.id})
        moved += int(take) if take == take.to_integral_value() else 1
    return moved


def _free_at(uow: UnitOfWork, batch_id: str, location_id: str) -> Decimal:
    for balance in uow.batches.balances([batch_id]).get(batch_id, []):
        if balance.location_id == location_id:
            return balance.balance_quantity - balance.allocated_quantity
    return Decimal(0)


def _received_serials(uow: UnitOfWork, receipt_id: str) -> list[str]:
    return uow.serials.received_by_receipt(receipt_id)
