"""Corrections: a receipt or a shipment entered by mistake is reversed by new movements that
point at the originals (`reverses_id`); nothing in the ledger is edited.

A reversal is a correction of history, not a step of the lifecycle, so it restores the state
before the mistaken entry even where the transition table has no such arrow (a mistaken
shipment puts its serials back to ALLOCATED)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotline.domain.errors import Conflict, InsufficientStock, NotFound
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.service_layer.order_views import status_after
from lotline.service_layer.serial_rules import Change, apply_change
from lotline.service_layer.stock_moves import free_at
from lotline.service_layer.unit_of_work import UnitOfWork


def reverse_receipt(uow: UnitOfWork, receipt_id: str, reason: str) -> None:
    flows = uow.flows
    receipt = flows.receipt_row(receipt_id, for_update=True)
    if receipt is None:
        raise NotFound("receipt", receipt_id)
    if receipt.status == "cancelled":
        raise Conflict(f"receipt {receipt.reference!r} is already reversed")
    receipts = [m for m in uow.movements.matching(receipt_id=receipt_id)
                if m.kind == MovementKind.RECEIPT.value]
    for movement in receipts:
        # A serial's receipt carries its status; a bulk one (many serials) has no serial_id.
        if movement.serial_id is not None or movement.to_status is not None \
                or movement.batch_id is None:
            _reverse_received_serials(uow, movement, reason)
        else:
            _reverse_received_lot(uow, movement, reason)
    _cancel_announced(uow, receipt_id, reason)
    flows.clear_receipt_lines(receipt_id, reason)
    flows.update_receipt(receipt_id, {"status": "cancelled", "updated_at": uow.actor.now()})


def _cancel_announced(uow: UnitOfWork, receipt_id: str, reason: str) -> None:
    """Serials the ASN announced but that never arrived are cancelled with it."""
    for serial_id in uow.flows.still_expected(receipt_id):
        serial = uow.serials.get(serial_id, for_update=True)
        assert serial is not None
        apply_change(uow, serial, Change(SerialStatus.CANCELLED, reason=reason,
                                         receipt_id=receipt_id), uow.actor.now().date())


def _reverse_received_lot(uow: UnitOfWork, movement: Any, reason: str) -> None:
    """Take the received quantity back out of wherever it is free now (receiving first)."""
    lot = uow.batches.get(movement.batch_id, for_update=True)
    assert lot is not None
    remaining: Decimal = movement.quantity
    places = sorted(uow.batches.balances([lot.id]).get(lot.id, []),
                    key=lambda b: b.location_id != movement.to_location_id)
    for balance in places:
        take = min(remaining, free_at(uow, lot.id, balance.location_id))
        if take <= 0:
            continue
        uow.batches.take_balance(lot.id, balance.location_id, take, lot.batch_number)
        uow.ledger.record(MovementKind.REVERSAL, product_id=lot.product_id, batch_id=lot.id,
                          quantity=take, from_location_id=balance.location_id,
                          reverses_id=movement.id, receipt_id=movement.receipt_id,
                          unit_cost=movement.unit_cost, reason=reason)
        remaining -= take
    if remaining > 0:
        raise InsufficientStock(f"lot {lot.batch_number!r}: {remaining} of this receipt have "
                                "left the lot or are allocated; the receipt cannot be reversed",
                                batch_id=lot.id)
    uow.batches.update(lot.id, {"quantity": max(lot.quantity - movement.quantity, Decimal(0))})


def _reverse_received_serials(uow: UnitOfWork, movement: Any, reason: str) -> None:
    ids = ([movement.serial_id] if movement.serial_id else
           uow.serials.ids_by_entry_movement(movement.id))
    for serial_id in ids:
        serial = uow.serials.get(serial_id, for_update=True)
        assert serial is not None
        if serial.status not in (SerialStatus.RECEIVED, SerialStatus.IN_STOCK):
            raise Conflict(f"serial {serial.serial_number!r} is {serial.status.value}; the "
                           "receipt cannot be reversed", serial_id=serial.id)
        uow.serials.set_state(serial.id, {"status": SerialStatus.CANCELLED.value,
                                          "location_id": None, "warehouse_id": None,
                                          "updated_at": uow.actor.now()})
        uow.serials.bump_count(serial.product_id, serial.status, -1, serial.batch_id)
        uow.serials.bump_count(serial.product_id, SerialStatus.CANCELLED, 1, serial.batch_id)
        if serial.batch_id and serial.location_id:
            uow.batches.take_balance(serial.batch_id, serial.location_id, Decimal(1),
                                     serial.batch_id)
            uow.batches.release_serials_from_cap(serial.batch_id, 1)
        uow.ledger.record(MovementKind.REVERSAL, product_id=serial.product_id,
                          batch_id=serial.batch_id, serial_id=serial.id, quantity=Decimal(1),
                          from_location_id=serial.location_id, from_status=serial.status,
                          to_status=SerialStatus.CANCELLED, reverses_id=movement.id,
                          receipt_id=movement.receipt_id, reason=reason)


def reverse_shipment(uow: UnitOfWork, shipment_id: str, reason: str) -> None:
    flows = uow.flows
    shipment = flows.shipment_row(shipment_id)
    if shipment is None:
        raise NotFound("shipment", shipment_id)
    if shipment.reversed_at is not None:
        raise Conflict("this shipment is already reversed", shipment_id=shipment_id)
    for allocation in flows.shipment_allocations(shipment_id):
        if allocation.returned_quantity:
            raise Conflict("units of this shipment came back as returns; record a return "
                           "instead of reversing", shipment_id=shipment_id)
        original = _shipment_movement(uow, allocation, shipment.order_id)
        if allocation.serial_id:
            _unship_serial(uow, allocation.serial_id, allocation.location_id, reason, original)
        else:
            _unship_lot(uow, allocation, shipment.order_id, reason, original)
        flows.update_allocation(allocation.id, {"status": "allocated", "shipment_id": None,
                                                "updated_at": uow.actor.now()})
    flows.mark_shipment_reversed(shipment_id, uow.actor.now())
    order = uow.orders.get(shipment.order_id)
    assert order is not None
    uow.orders.update(order.id, {"status": status_after(order, flows.allocations(order.id)),
                                 "updated_at": uow.actor.now()})


def _shipment_movement(uow: UnitOfWork, allocation: Any, order_id: str) -> str | None:
    """The shipment movement this allocation wrote, which the reversal points at."""
    match = {"kind": MovementKind.SHIPMENT.value, "order_id": order_id}
    if allocation.serial_id:
        match["serial_id"] = allocation.serial_id
    else:
        match["batch_id"] = allocation.batch_id
    rows = [m for m in uow.movements.matching(**match)
            if allocation.serial_id or (m.from_location_id == allocation.location_id
                                        and m.quantity == allocation.quantity)]
    return rows[-1].id if rows else None


def _unship_serial(uow: UnitOfWork, serial_id: str, location_id: str | None,
                   reason: str, original: str | None) -> None:
    serial = uow.serials.get(serial_id, for_update=True)
    assert serial is not None
    if serial.status is not SerialStatus.SHIPPED:
        raise Conflict(f"serial {serial.serial_number!r} is {serial.status.value} now; the "
                       "shipment cannot be reversed", serial_id=serial.id)
    location = uow.locations.get(location_id) if location_id else None
    uow.serials.set_state(serial.id, {
        "status": SerialStatus.ALLOCATED.value, "location_id": location_id,
        "warehouse_id": location.warehouse_id if location else None,
        "updated_at": uow.actor.now()})
    uow.serials.bump_count(serial.product_id, SerialStatus.SHIPPED, -1, serial.batch_id)
    uow.serials.bump_count(serial.product_id, SerialStatus.ALLOCATED, 1, serial.batch_id)
    if serial.batch_id and location_id:
        uow.batches.add_balance(serial.batch_id, location_id, Decimal(1), received=False)
    lot = uow.batches.get(serial.batch_id) if serial.batch_id else None
    uow.ledger.record(MovementKind.REVERSAL, product_id=serial.product_id,
                      batch_id=serial.batch_id, serial_id=serial.id, quantity=Decimal(1),
                      to_location_id=location_id, from_status=SerialStatus.SHIPPED,
                      to_status=SerialStatus.ALLOCATED, order_id=serial.order_id,
                      reason=reason, reverses_id=original,
                      unit_cost=serial.unit_cost if serial.unit_cost is not None else (
                          lot.unit_cost if lot is not None else None))


def _unship_lot(uow: UnitOfWork, allocation: Any, order_id: str, reason: str,
                original: str | None) -> None:
    uow.batches.add_balance(allocation.batch_id, allocation.location_id, allocation.quantity,
                            received=False)
    if not uow.batches.reserve(allocation.batch_id, allocation.location_id,
                               allocation.quantity):
        raise Conflict("the reversed quantity could not be allocated again")
    uow.ledger.record(MovementKind.REVERSAL, product_id=allocation.product_id,
                      batch_id=allocation.batch_id, quantity=allocation.quantity,
                      to_location_id=allocation.location_id, order_id=order_id,
                      unit_cost=allocation.unit_cost, reason=reason, reverses_id=original)
