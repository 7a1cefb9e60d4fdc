"""Shipping (expiry and holds re-checked at the moment of shipping), cancelling, customer
returns, and reversing a shipment entered by mistake."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from lotline.domain.allocation import block_reason
from lotline.domain.errors import Conflict, LotBlocked, NotFound, ValidationError
from lotline.domain.flows import Allocation
from lotline.domain.ids import new_id
from lotline.domain.lots import LotRecord
from lotline.domain.model import Customer, Location, Order
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.domain.values import ErrorCollector, to_decimal
from lotline.service_layer.order_allocations import OrderAllocations
from lotline.service_layer.order_views import cost_of, status_after
from lotline.service_layer.ports import FlowRepository
from lotline.service_layer.recalls import note_recovery
from lotline.service_layer.serial_rules import Change, apply_change
from lotline.service_layer.unit_of_work import UnitOfWork
from lotline.service_layer.warehouses import default_location


def check_shippable(uow: UnitOfWork, allocations: list[Allocation], today: dt.date,
                    lots: dict[str, LotRecord | None] | None = None) -> None:
    """A lot that expired or went on hold since allocation blocks the shipment. The lots read
    are left in `lots` (by id) for the shipment to use."""
    problems = []
    lots = {} if lots is None else lots
    for allocation in allocations:
        lot, location = _lot_and_location(uow, lots, allocation)
        reason = block_reason(lot, today) if lot else None
        if lot is not None and reason is not None:
            problems.append(f"lot {lot.batch_number!r} is {reason}")
        if allocation.serial_id:
            serial = uow.serials.get(allocation.serial_id)
            if serial is not None and serial.hold is not None:
                problems.append(f"serial {serial.serial_number!r} is on hold")
        if location is not None and location.hold is not None:
            problems.append(f"location {location.code!r} is on hold")
    if problems:
        unique = sorted(set(problems))
        raise LotBlocked("cannot ship: " + "; ".join(unique), problems=unique)


def _lot_and_location(uow: UnitOfWork, lots: dict[str, LotRecord | None],
                      allocation: Allocation) -> tuple[LotRecord | None, Location | None]:
    """The allocation's lot (kept in `lots`) and location, in one read when neither is
    known yet."""
    batch_id, location_id = allocation.batch_id, allocation.location_id
    if batch_id is not None and batch_id not in lots and location_id is not None:
        lots[batch_id], location = uow.batches.get_at(batch_id, location_id)
        return lots[batch_id], location
    return (_lot(uow, lots, batch_id),
            uow.locations.get(location_id) if location_id else None)


def _lot(uow: UnitOfWork, lots: dict[str, LotRecord | None],
         batch_id: str | None) -> LotRecord | None:
    if batch_id is None:
        return None
    if batch_id not in lots:
        lots[batch_id] = uow.batches.get(batch_id)
    return lots[batch_id]


def ship_allocations(uow: UnitOfWork, order: Order, customer: Customer,
                     allocations: list[Allocation], details: dict[str, Any],
                     today: dt.date, lots: dict[str, LotRecord | None],
                     book: OrderAllocations) -> tuple[Order, list[Allocation], str]:
    """Ship the allocations as one shipment; the order as it is now, all of its allocations
    and the shipment's id. `lots`: lots already read in this unit of work, by id; `book`:
    the order's allocations, written through."""
    allocations = [_at_current_cost(uow, book, a, lots) for a in allocations]
    shipment_id, now = new_id(), uow.actor.now()
    ship_to = details.get("ship_to") or _address_of(customer)
    uow.flows.add_shipment({"id": shipment_id, "order_id": order.id,
                            "shipped_at": details.get("shipped_at") or now,
                            "carrier": details.get("carrier"),
                            "tracking_number": details.get("tracking_number"),
                            "ship_to": ship_to, "cost_of_goods": cost_of(allocations),
                            "created_at": now})
    for allocation in allocations:
        if allocation.serial_id:
            serial = uow.serials.get(allocation.serial_id, for_update=True)
            assert serial is not None
            apply_change(uow, serial, Change(SerialStatus.SHIPPED, occurred_at=now), today)
        else:
            assert allocation.batch_id is not None and allocation.location_id is not None
            uow.batches.ship_reserved(allocation.batch_id, allocation.location_id,
                                      allocation.quantity)
            uow.ledger.record(MovementKind.SHIPMENT, product_id=allocation.product_id,
                              batch_id=allocation.batch_id, quantity=allocation.quantity,
                              from_location_id=allocation.location_id, order_id=order.id,
                              unit_cost=allocation.unit_cost, occurred_at=now)
        book.update_allocation(allocation.id, {"status": "shipped", "shipment_id": shipment_id,
                                               "picked_quantity": allocation.quantity,
                                               "updated_at": now})
    every = book.every()
    status = status_after(order, every)
    uow.orders.update(order.id, {"status": status, "updated_at": now})
    return order.with_status(status, now), every, shipment_id


def _at_current_cost(uow: UnitOfWork, flows: OrderAllocations, allocation: Allocation,
                     lots: dict[str, LotRecord | None]) -> Allocation:
    """An exit records its lot's unit cost when it leaves: a receipt since the allocation may
    have re-averaged it (DESIGN §3, §4). A serial with a cost of its own keeps it."""
    if allocation.batch_id is None:
        return allocation
    if allocation.serial_id:
        serial = uow.serials.get(allocation.serial_id)
        if serial is not None and serial.unit_cost is not None:
            return allocation
    lot = _lot(uow, lots, allocation.batch_id)
    if lot is None or lot.unit_cost == allocation.unit_cost:
        return allocation
    flows.update_allocation(allocation.id, {"unit_cost": lot.unit_cost})
    return dataclasses.replace(allocation, unit_cost=lot.unit_cost)


def _address_of(customer: Customer) -> dict[str, Any]:
    address = customer.address
    return {"name": customer.name, "street": address.street, "city": address.city,
            "postal_code": address.postal_code, "country": address.country}


def release_allocations(uow: UnitOfWork, order: Order, allocations: list[Allocation],
                        today: dt.date, reason: str) -> None:
    flows = uow.flows
    for allocation in allocations:
        if allocation.serial_id:
            serial = uow.serials.get(allocation.serial_id, for_update=True)
            assert serial is not None
            apply_change(uow, serial, Change(SerialStatus.IN_STOCK, reason=reason), today)
        else:
            assert allocation.batch_id is not None and allocation.location_id is not None
            uow.batches.unreserve(allocation.batch_id, allocation.location_id,
                                  allocation.quantity)
            uow.ledger.record(MovementKind.DEALLOCATION, product_id=allocation.product_id,
                              batch_id=allocation.batch_id, quantity=allocation.quantity,
                              order_id=order.id, unit_cost=allocation.unit_cost, reason=reason)
        flows.update_allocation(allocation.id, {"status": "released",
                                                "updated_at": uow.actor.now()})


def parse_return_lines(lines: Any) -> list[dict[str, Any]]:
    if not isinstance(lines, list) or not lines:
        raise ValidationError.single("lines", "must be a non-empty list of returned units", lines)
    errors = ErrorCollector()
    parsed: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        prefix = f"lines.{index}"
        if isinstance(line, Mapping) and line.get("serial_number"):
            parsed.append({"serial_number": str(line["serial_number"]).strip()})
        elif isinstance(line, Mapping) and line.get("batch_id"):
            quantity = errors.take(to_decimal, line.get("quantity"), f"{prefix}.quantity")
            if quantity is not None and quantity <= 0:
                errors.add(f"{prefix}.quantity", "must be greater than 0", str(quantity))
            parsed.append({"batch_id": str(line["batch_id"]), "quantity": quantity})
        else:
            errors.add(prefix, "must be {serial_number} or {batch_id, quantity}", line)
    errors.raise_if_any()
    return parsed


def return_units(uow: UnitOfWork, order: Order, lines: list[dict[str, Any]], reason: str,
                 warehouse_id: str | None, today: dt.date) -> None:
    """Serials SHIPPED -> RETURNED into RETURNS; lot quantities back into their own lot."""
    returns = default_location(uow, "RETURNS", warehouse_id)
    flows = uow.flows
    shipped = flows.allocations(order.id, ("shipped",))
    for index, line in enumerate(lines):
        if "serial_number" in line:
            _return_serial(uow, flows, order, shipped, line["serial_number"], returns.id,
                           reason, today, index)
        else:
            _return_lot(uow, flows, order, shipped, line, returns.id, reason, index)


def _return_serial(uow: UnitOfWork, flows: FlowRepository, order: Order,
                   shipped: list[Allocation], number: str, location_id: str, reason: str,
                   today: dt.date, index: int) -> None:
    allocation = next((a for a in shipped if a.serial_number == number), None)
    if allocation is None or allocation.returned_quantity:
        raise Conflict(f"serial {number!r} was not shipped on order {order.reference!r}"
                       + (" (returned already)" if allocation else ""),
                       field=f"lines.{index}.serial_number", serial_number=number)
    serial = uow.serials.get(str(allocation.serial_id), for_update=True)
    assert serial is not None
    returned = apply_change(uow, serial, Change(SerialStatus.RETURNED,
                                                location_id=location_id, reason=reason), today)
    note_recovery(uow, returned.batch_id, returned.id, Decimal(1), None)
    for component_id, component_batch_id in uow.serials.components_within(returned.id):
        # Units of a recalled lot come back inside the assembly they were installed in.
        note_recovery(uow, component_batch_id, component_id, Decimal(1), None)
    flows.update_allocation(allocation.id, {"returned_quantity": Decimal(1),
                                            "updated_at": uow.actor.now()})


def _return_lot(uow: UnitOfWork, flows: FlowRepository, order: Order,
                shipped: list[Allocation], line: dict[str, Any], location_id: str,
                reason: str, index: int) -> None:
    sent = [a for a in shipped if a.batch_id == line["batch_id"] and a.serial_id is None]
    if not sent:
        lot = uow.batches.get(line["batch_id"])
        if lot is None:
            raise NotFound("lot", line["batch_id"], f"lines.{index}.batch_id")
        raise Conflict(f"lot {lot.batch_number!r} was not shipped on order "
                       f"{order.reference!r}", field=f"lines.{index}.batch_id")
    open_quantity = sum((a.quantity - a.returned_quantity for a in sent), Decimal(0))
    quantity: Decimal = line["quantity"]
    if quantity > open_quantity:
        raise Conflict(f"order {order.reference!r} shipped {open_quantity} of lot "
                       f"{line['batch_id']} that could still come back; {quantity} were "
                       f"returned", field=f"lines.{index}.quantity")
    remaining = quantity
    for allocation in sent:
        back = min(remaining, allocation.quantity - allocation.returned_quantity)
        if back <= 0:
            continue
        uow.batches.add_balance(line["batch_id"], location_id, back, received=False)
        movement = uow.ledger.record(
            MovementKind.RETURN, product_id=allocation.product_id, batch_id=allocation.batch_id,
            quantity=back, to_location_id=location_id, order_id=order.id,
            unit_cost=allocation.unit_cost, reason=reason)
        note_recovery(uow, allocation.batch_id, None, back, movement.id)
        flows.update_allocation(allocation.id, {
            "returned_quantity": allocation.returned_quantity + back,
            "updated_at": uow.actor.now()})
        remaining -= back
