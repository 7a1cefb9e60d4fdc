"""Seed 001's "Reserved — set aside for a specific order or client": a unit reserved for a
customer without an order, released, taken by the customer's order, refused to another's."""

from __future__ import annotations

import pytest

from lotline.bootstrap import Services
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.errors import Conflict, InvalidTransition, NotFound, ValidationError
from support import Kit

S = SerialStatus


def test_reserve_for_a_customer_and_release(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    customer = kit.customer("Bolt Retail")
    serial = svc.batch_tracking.register_serial(batch_id=batch.id, serial_number="SN-R1")
    reserved = svc.serials.change_status(serial.id, "RESERVED", customer_id=customer.id)
    assert (reserved.status, reserved.order_id, reserved.customer_id, reserved.reserved_for,
            reserved.location_id) == (S.ALLOCATED, None, customer.id, customer.id,
                                      serial.location_id)
    assert svc.serials.get(serial.id) == reserved
    assert svc.batches.get(batch.id).available_quantity == 0
    released = svc.batch_tracking.release_reservation(serial.id)
    assert (released.status, released.order_id, released.customer_id,
            released.reserved_for) == (S.IN_STOCK, None, None, None)
    history = svc.serials.history(serial.id)
    assert [(m.kind, m.reason, m.order_id) for m in history[1:]] == [
        (MovementKind.ALLOCATION, "reserved for customer 'Bolt Retail'", None),
        (MovementKind.DEALLOCATION, "reservation for customer 'Bolt Retail' released", None)]
    assert svc.batches.get(batch.id).available_quantity == 1
    assert kit.chain_problems() == []


def test_reservation_errors_change_nothing(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.batch_tracking.register_serial(batch_id=batch.id, serial_number="SN-R2")
    with pytest.raises(ValidationError) as missing:
        svc.serials.change_status(serial.id, "ALLOCATED")
    assert (missing.value.errors[0].field, missing.value.errors[0].message) == (
        "order_id", "is required to allocate a unit (or customer_id to reserve it for a "
        "customer)")
    with pytest.raises(NotFound) as unknown:
        svc.serials.change_status(serial.id, "ALLOCATED", customer_id="ghost")
    assert str(unknown.value) == "customer not found: customer_id=ghost"
    with pytest.raises(ValidationError) as wrong_status:
        svc.serials.change_status(serial.id, "DEFECTIVE", customer_id=kit.customer().id)
    assert wrong_status.value.errors[0].field == "customer_id"
    assert svc.serials.get(serial.id).status is S.IN_STOCK
    assert len(svc.serials.history(serial.id)) == 1


def test_the_customers_order_takes_the_reserved_unit_first(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot()
    customer = kit.customer("Bolt Retail")
    first, second, third = (svc.batch_tracking.register_serial(
        batch_id=batch.id, serial_number=number) for number in ("SN-A", "SN-B", "SN-C"))
    svc.batch_tracking.reserve_for_customer(third.id, customer.id)
    order = kit.order(product, customer=customer)
    allocated = svc.orders.allocate(order.id)
    assert [a.serial_numbers for a in allocated.lines[0].allocations] == [["SN-C"]]
    unit = svc.serials.get(third.id)
    assert (unit.status, unit.order_id, unit.customer_id, unit.reserved_for) == (
        S.ALLOCATED, order.id, customer.id, None)
    assert [(m.kind, m.order_id, m.reason) for m in svc.serials.history(third.id)[2:]] == [
        (MovementKind.ALLOCATION, order.id,
         f"reservation for customer 'Bolt Retail' taken by order {order.reference!r}")]
    assert svc.serials.get(first.id).status is S.IN_STOCK
    assert svc.serials.get(second.id).status is S.IN_STOCK


def test_change_status_converts_and_another_customer_cannot_take(svc: Services,
                                                                  kit: Kit) -> None:
    product, batch = kit.serial_lot()
    bolt, other = kit.customer("Bolt Retail"), kit.customer("Other Shop")
    serial = svc.batch_tracking.register_serial(batch_id=batch.id, serial_number="SN-X")
    spare = svc.batch_tracking.register_serial(batch_id=batch.id, serial_number="SN-Y")
    svc.batch_tracking.reserve_for_customer(serial.id, bolt.id)
    their_order = kit.order(product, customer=other)
    with pytest.raises(Conflict) as caught:
        svc.batch_tracking.assign_to_order(serial.id, their_order.id)
    assert str(caught.value) == (f"serial 'SN-X' is reserved for customer 'Bolt Retail'; "
                                 f"order {their_order.reference!r} is another customer's")
    with pytest.raises(InvalidTransition):
        svc.serials.change_status(serial.id, "ALLOCATED", customer_id=other.id)
    allocated = svc.orders.allocate(their_order.id)  # FEFO passes the reserved unit by
    assert [a.serial_numbers for a in allocated.lines[0].allocations] == [["SN-Y"]]
    assert svc.serials.get(serial.id).reserved_for == bolt.id
    own_order = kit.order(product, customer=bolt)
    taken = svc.batch_tracking.assign_to_order(serial.id, own_order.id)
    assert (taken.status, taken.order_id, taken.customer_id) == (S.ALLOCATED, own_order.id,
                                                                 bolt.id)
    order = svc.orders.view(own_order.id)
    assert [a.serial_numbers for a in order.lines[0].allocations] == [["SN-X"]]
    assert svc.serials.get(spare.id).order_id == their_order.id
    assert kit.chain_problems() == []
    assert svc.ledger.verify().problems == []  # projections agree with the ledger


def test_a_reserved_unit_is_sold_to_its_customer(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    customer = kit.customer("Bolt Retail")
    serial = svc.batch_tracking.register_serial(batch_id=batch.id, serial_number="SN-S")
    svc.batch_tracking.reserve_for_customer(serial.id, customer.id)
    sold = svc.serials.change_status(serial.id, "SOLD")
    assert (sold.status, sold.customer_id, sold.order_id, sold.location_id) == (
        S.SHIPPED, customer.id, None, None)
