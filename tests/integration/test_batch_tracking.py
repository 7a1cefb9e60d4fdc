"""The commercio-style facade (seed 000 / DESIGN §6 Library): every method, same semantics as
commercio's own tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.bootstrap import Services
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.errors import InvalidTransition, NotFound, ValidationError
from support import Kit

S = SerialStatus


def test_create_get_and_update_batch(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    product = kit.product("lot_serial")
    batch = bt.create_batch(product_id=product.id, batch_number="LOT-2026-04-A", quantity=500,
                            manufacturing_date=dt.date(2026, 3, 15),
                            expiry_date=dt.date(2027, 3, 15))
    assert bt.get_batch(batch.id) == batch
    assert bt.update_batch(batch.id, quantity=480).quantity == 480
    with pytest.raises(ValidationError) as caught:
        bt.update_batch(batch.id, quantity=-1)
    assert caught.value.errors[0].field == "quantity"
    assert bt.get_batch(batch.id).quantity == 480
    with pytest.raises(NotFound):
        bt.get_batch("ghost")


def test_reserve_and_release(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    product, batch = kit.serial_lot()
    order = kit.order(product)
    serial = bt.register_serial(batch_id=batch.id, serial_number="SN-1")
    reserved = bt.reserve_serial(serial.id, order.id)
    assert (reserved.status, reserved.order_id) == (S.ALLOCATED, order.id)
    with pytest.raises(InvalidTransition) as caught:
        bt.reserve_serial(serial.id, order.id)  # already reserved
    assert caught.value.allowed == ["IN_STOCK", "PICKED", "SHIPPED"]
    released = bt.release_reservation(serial.id)
    assert (released.status, released.order_id) == (S.IN_STOCK, None)
    with pytest.raises(InvalidTransition) as caught:
        bt.release_reservation(serial.id)  # not reserved
    assert (caught.value.current, caught.value.target) == ("IN_STOCK", "IN_STOCK")
    bt.assign_to_order(serial.id, order.id)
    svc.serials.change_status(serial.id, "PICKED")
    with pytest.raises(InvalidTransition):
        bt.release_reservation(serial.id)  # a picked unit is returned to stock, not released
    assert svc.serials.get(serial.id).status is S.PICKED
    kinds = [m.kind for m in svc.serials.history(serial.id)]
    assert kinds == [MovementKind.RECEIPT, MovementKind.ALLOCATION, MovementKind.DEALLOCATION,
                     MovementKind.ALLOCATION, MovementKind.PICK]


def test_mark_returned_only_from_shipped(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    _product, batch = kit.serial_lot()
    serial = bt.register_serial(batch_id=batch.id, serial_number="SN-1")
    with pytest.raises(InvalidTransition) as caught:
        bt.mark_returned(serial.id)
    assert caught.value.current == "IN_STOCK"
    assert "CANCELLED" in caught.value.allowed and "RETURNED" not in caught.value.allowed
    svc.serials.change_status(serial.id, "SHIPPED")
    returned = bt.mark_returned(serial.id)
    assert (returned.status, returned.location_id) == (S.RETURNED, kit.location_id("RETURNS"))


def test_mark_defective_twice_is_invalid(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    _product, batch = kit.serial_lot()
    serial = bt.register_serial(batch_id=batch.id, serial_number="SN-1")
    defective = bt.mark_defective(serial.id)
    assert (defective.status, defective.location_id) == (S.DEFECTIVE, kit.stock_location_id())
    with pytest.raises(InvalidTransition) as caught:
        bt.mark_defective(serial.id)
    assert caught.value.allowed == ["IN_STOCK", "SCRAPPED"]
    at_customer = bt.register_serial(batch_id=batch.id, serial_number="SN-2")
    svc.serials.change_status(at_customer.id, "SHIPPED")
    reported = bt.mark_defective(at_customer.id)
    assert (reported.status, reported.location_id) == (S.DEFECTIVE, None)


def test_lookup_serial_returns_none_when_unknown(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    _product, batch = kit.serial_lot()
    serial = bt.register_serial(batch_id=batch.id, serial_number="SN-00042")
    assert bt.lookup_serial("SN-00042") == serial
    assert bt.lookup_serial("SN-99999") is None


def test_get_serials_by_batch(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    product = kit.product("lot_serial")
    a = kit.lot(product, "A", quantity=5)
    b = kit.lot(product, "B", quantity=5)
    in_a = bt.register_serials(a.id, ["A-2", "A-1"])
    bt.register_serials(b.id, ["B-1"])
    assert [s.serial_number for s in bt.get_serials_by_batch(a.id)] == ["A-2", "A-1"]
    assert [s.id for s in bt.get_serials_by_batch(a.id)] == [s.id for s in in_a]
    assert bt.get_serials_by_batch(kit.lot(product, "EMPTY", quantity=1).id) == []
    with pytest.raises(NotFound) as caught:
        bt.get_serials_by_batch("ghost")
    assert caught.value.field == "batch_id"


def test_get_available_serials(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    product = kit.product("lot_serial")
    good = kit.lot(product, "GOOD", quantity=10)
    held = kit.lot(product, "HELD", quantity=10)
    expired = kit.lot(product, "OLD", quantity=10, expiry_date="2020-01-01")
    g1, g2, g3 = bt.register_serials(good.id, ["G-1", "G-2", "G-3"])
    bt.register_serials(held.id, ["H-1"])
    bt.register_serials(expired.id, ["X-1"])
    svc.batches.hold(held.id, "lab test")
    svc.serials.change_status(g2.id, "SHIPPED")
    east = svc.warehouses.create_warehouse("EAST")
    g4 = bt.register_serial(batch_id=good.id, serial_number="G-4", warehouse_id=east.id)
    assert [s.id for s in bt.get_available_serials(product.id)] == [g1.id, g3.id, g4.id]
    assert [s.id for s in bt.get_available_serials(product.id, warehouse_id=east.id)] == [
        g4.id]
    assert g4.location_id == svc.warehouses.location_by_code("STOCK", east.id).id
    svc.batches.release(held.id)
    assert len(bt.get_available_serials(product.id)) == 4
    with pytest.raises(NotFound):
        bt.get_available_serials("ghost")


def test_get_traceability(svc: Services, kit: Kit) -> None:
    bt = svc.batch_tracking
    supplier = kit.supplier("Acme Parts")
    product = kit.product("lot_serial")
    batch = kit.lot(product, "LOT-T", quantity=2, supplier_id=supplier.id, unit_cost="5.5")
    order = kit.order(product)
    serial = bt.register_serial(batch_id=batch.id, serial_number="SN-T")
    bt.assign_to_order(serial.id, order.id)
    trace = bt.get_traceability("SN-T")
    assert trace.serial.id == serial.id
    assert trace.batch is not None and trace.batch.id == batch.id
    assert trace.product == product
    assert trace.supplier == supplier
    assert trace.order_id == order.id
    assert [(m.kind, m.unit_cost) for m in trace.history] == [
        (MovementKind.RECEIPT, Decimal("5.5")), (MovementKind.ALLOCATION, Decimal("5.5"))]
    loose = kit.product("serial")
    bt.register_serial(serial_number="SN-LOOSE", product_id=loose.id)
    loose_trace = bt.get_traceability("SN-LOOSE")
    assert (loose_trace.batch, loose_trace.supplier, loose_trace.order_id) == (None, None, None)
    with pytest.raises(NotFound):
        bt.get_traceability("SN-NONE")
