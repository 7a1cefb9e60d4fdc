"""Corrections (DESIGN §5): a receipt or a shipment entered by mistake is reversed by new
movements pointing at the originals; nothing is edited, and a reversal is refused once the
units have moved on."""

from __future__ import annotations

import pytest
from flow_support import D, Flows

from lotline.adapters import tables as t
from lotline.errors import Conflict, DuplicateSerial, InsufficientStock, ValidationError
from support import Kit


def test_reverse_a_receipt(flows: Flows) -> None:
    svc = flows.svc
    food, device, loose, bolt = (flows.product("lot"), flows.product("lot_serial"),
                                 flows.product("serial"), flows.product("none"))
    receipt = flows.asn(
        flows.supplier(),
        {"product_id": food.id, "expected_quantity": 10, "unit_cost": "2"},
        {"product_id": device.id, "expected_quantity": 3, "unit_cost": "50"},
        {"product_id": device.id, "expected_quantity": 1, "expected_serials": ["ANN-1"]},
        {"product_id": loose.id, "expected_quantity": 2},
        {"product_id": bolt.id, "expected_quantity": 4})
    lines = [line.id for line in receipt.lines]
    svc.receipts.receive(receipt.id, [
        {"line_id": lines[0], "lots": [{"batch_number": "F1", "quantity": 6},
                                       {"batch_number": "F2", "quantity": 4}]},
        {"line_id": lines[1], "lots": [{"batch_number": "D", "serial_numbers":
                                        ["D-1", "D-2", "D-3"]}]},
        {"line_id": lines[2], "lots": [{"batch_number": "D", "serial_numbers": ["ANN-1"]}]},
        {"line_id": lines[3], "lots": [{"serial_numbers": ["L-1", "L-2"]}]},
        {"line_id": lines[4], "lots": [{"quantity": 4}]}])
    svc.receipts.putaway(receipt.id)
    originals = {m.id: m for m in flows.movements(receipt_id=receipt.id)
                 if m.kind.value == "receipt"}
    serials = ("D-1", "D-2", "D-3", "ANN-1", "L-1", "L-2")

    reversed_receipt = svc.receipts.reverse(receipt.id, reason="wrong supplier's delivery")
    assert reversed_receipt.status == "cancelled"
    assert [line.received_quantity for line in reversed_receipt.lines] == [0] * 5
    for lot in (flows.lot(food, "F1"), flows.lot(food, "F2"), flows.lot(device, "D"),
                flows.lot(bolt, "R-000001")):
        assert flows.balances(lot.id) == {}
        assert svc.batches.get(lot.id).available_quantity == 0
    assert flows.statuses(*serials) == dict.fromkeys(serials, ("CANCELLED", None))
    assert svc.serials.counts(device.id)["CANCELLED"] == 4
    assert svc.serials.counts(loose.id)["CANCELLED"] == 2
    reversals = [m for m in flows.movements() if m.kind.value == "reversal"]
    assert {m.reverses_id for m in reversals} == set(originals)
    assert {m.reason for m in reversals} == {"wrong supplier's delivery"}
    assert sum(m.quantity for m in reversals) == sum(m.quantity for m in originals.values())
    assert all(m.to_location_id is None for m in reversals)
    assert sorted(flows.code_of(m.from_location_id) or "" for m in reversals) == ["STOCK"] * 9
    flows.verified()

    with pytest.raises(Conflict, match="already reversed"):
        svc.receipts.reverse(receipt.id, reason="again")
    with pytest.raises(Conflict, match="is cancelled"):
        svc.receipts.receive(receipt.id, [{"line_id": lines[4], "lots": [{"quantity": 4}]}])
    with pytest.raises(ValidationError):
        svc.receipts.reverse(receipt.id, reason=" ")
    # Serial numbers are never reused, even after cancelling.
    again = flows.asn(flows.supplier(), {"product_id": loose.id, "expected_quantity": 1})
    with pytest.raises(DuplicateSerial):
        svc.receipts.receive(again.id, [{"line_id": again.lines[0].id,
                                         "lots": [{"serial_numbers": ["L-1"]}]}])


def test_reversing_a_receipt_still_in_receiving(flows: Flows) -> None:
    food = flows.product("lot")
    receipt = flows.receive(food, [{"batch_number": "F", "quantity": 5}], putaway=False)
    lot = flows.lot(food, "F")
    flows.svc.receipts.reverse(receipt.id, reason="typo")
    assert flows.balances(lot.id) == {}
    reversal, = [m for m in flows.movements(batch_id=lot.id) if m.kind.value == "reversal"]
    assert (flows.code_of(reversal.from_location_id), reversal.quantity) == ("RECEIVING", 5)
    flows.verified()


def test_a_receipt_whose_units_moved_on_cannot_be_reversed(flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot_receipt = flows.receive(food, [{"batch_number": "F", "quantity": 5}])
    serial_receipt = flows.receive(device, [{"batch_number": "D",
                                             "serial_numbers": ["D-1", "D-2"]}])
    svc.orders.allocate(flows.order(food, quantity=2).id)
    order = flows.order(device)
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id,
                                          "serial_numbers": ["D-2"]}])
    before = (len(flows.movements()), svc.serials.counts(), kit.count(t.lot_balances))
    with pytest.raises(InsufficientStock, match="left the lot or are allocated"):
        svc.receipts.reverse(lot_receipt.id, reason="mistake")
    with pytest.raises(Conflict, match="'D-2' is ALLOCATED"):
        svc.receipts.reverse(serial_receipt.id, reason="mistake")
    assert (len(flows.movements()), svc.serials.counts(), kit.count(t.lot_balances)) == before
    assert svc.receipts.get(lot_receipt.id).status == "received"
    assert flows.statuses("D-1", "D-2") == {"D-1": ("IN_STOCK", "STOCK"),
                                            "D-2": ("ALLOCATED", "STOCK")}
    flows.verified()


def test_reverse_a_shipment(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    shelf = flows.location("A-01")
    lot = flows.stock_lot(food, "F", 5, unit_cost="2", location_id=shelf)
    dev = flows.stock_serials(device, ["D-1", "D-2"], number="D", unit_cost="30")
    assert dev is not None
    order = flows.order(food, device, quantity=2)
    svc.orders.allocate(order.id)
    shipped = svc.orders.ship(order.id, carrier="UPS")
    assert shipped.cost_of_goods == 64
    originals = {m.id for m in flows.movements(order_id=order.id) if m.kind.value == "shipment"}

    view = svc.orders.reverse_shipment(shipped.shipments[0], reason="truck never left")
    assert view.status == "allocated"
    assert view.cost_of_goods is None
    assert [(line.allocated_quantity, line.shipped_quantity) for line in view.lines] == [
        (2, 0), (2, 0)]
    assert flows.balances(lot.id) == {"A-01": 5}
    assert svc.batches.get(lot.id).available_quantity == 3  # allocated again
    assert flows.statuses("D-1", "D-2") == {"D-1": ("ALLOCATED", "STOCK"),
                                            "D-2": ("ALLOCATED", "STOCK")}
    assert flows.serial("D-1")[2] == order.id
    assert flows.balances(dev.id) == {"STOCK": 2}
    reversals = [m for m in flows.movements(order_id=order.id) if m.kind.value == "reversal"]
    assert {m.reverses_id for m in reversals} == originals
    assert sorted((m.quantity, m.unit_cost, flows.code_of(m.to_location_id)) for m in
                  reversals) == [(1, 30, "STOCK"), (1, 30, "STOCK"), (2, 2, "A-01")]
    assert svc.orders.shipment(shipped.shipments[0]).reversed_at is not None
    flows.verified()

    with pytest.raises(Conflict, match="already reversed"):
        svc.orders.reverse_shipment(shipped.shipments[0], reason="again")
    again = svc.orders.ship(order.id)
    assert (again.status, again.cost_of_goods) == ("shipped", D(64))
    flows.verified()


def test_a_shipment_with_returns_cannot_be_reversed(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["D-1", "D-2"], number="D")
    order = flows.order(device, quantity=2)
    svc.orders.allocate(order.id)
    view = svc.orders.ship(order.id)
    svc.orders.returns(order.id, [{"serial_number": "D-2"}], reason="broken")
    movements = len(flows.movements())
    with pytest.raises(Conflict, match="came back as returns"):
        svc.orders.reverse_shipment(view.shipments[0], reason="mistake")
    assert len(flows.movements()) == movements
    assert flows.statuses("D-1", "D-2") == {"D-1": ("SHIPPED", None),
                                            "D-2": ("RETURNED", "RETURNS")}
    flows.verified()


def test_a_shipped_serial_that_moved_on_blocks_the_reversal(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["D-1"], number="D")
    order = flows.order(device)
    svc.orders.allocate(order.id)
    view = svc.orders.ship(order.id)
    svc.serials.change_status(svc.serials.lookup("D-1").id, "DEFECTIVE",
                              reason="customer reports it dead")
    with pytest.raises(Conflict, match="'D-1' is DEFECTIVE now"):
        svc.orders.reverse_shipment(view.shipments[0], reason="mistake")
    assert flows.serial("D-1")[:2] == ("DEFECTIVE", None)
    flows.verified()
