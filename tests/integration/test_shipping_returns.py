"""Shipping (expiry and holds re-checked at the moment of shipping), order statuses, partial
shipments, cancelling, direct sales, customer returns and what happens to returned units, and
FIFO costing: every exit carries its lot's unit cost, so cost of goods and valuation are exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flow_support import D, Flows, MovableClock

from lotline.adapters import tables as t
from lotline.domain.flows import OrderView
from lotline.errors import Conflict, InvalidTransition, LotBlocked
from support import Kit

TODAY = dt.date(2026, 4, 10)


def shipped_lots(view: OrderView) -> list[tuple[str | None, Decimal]]:
    return [(a.batch_id, a.quantity) for line in view.lines for a in line.allocations]


def test_allocate_pick_ship(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 10, unit_cost="2.50")
    dev = flows.stock_serials(device, ["D-1", "D-2", "D-3"], number="D", unit_cost="100")
    assert dev is not None
    customer = flows.customer(address={"street": "1 Quay", "city": "Porto",
                                       "postal_code": "4000", "country": "PT"})
    order = flows.order(food, device, quantity=2, customer=customer)
    svc.orders.allocate(order.id)
    svc.orders.pick(order.id, ["D-1", {"batch_id": lot.id, "quantity": 2}])
    view = svc.orders.ship(order.id, carrier="DHL", tracking_number="JD0001")
    assert view.status == "shipped"
    assert view.cost_of_goods == D("205")  # 2 x 2.50 + 2 x 100
    assert [(line.shipped_quantity, line.allocated_quantity) for line in view.lines] == [
        (2, 2), (2, 2)]
    assert flows.balances(lot.id) == {"STOCK": 8}
    assert flows.balances(dev.id) == {"STOCK": 1}
    assert flows.statuses("D-1", "D-2", "D-3") == {"D-1": ("SHIPPED", None),
                                                   "D-2": ("SHIPPED", None),
                                                   "D-3": ("IN_STOCK", "STOCK")}
    assert flows.serial("D-2")[2] == order.id
    assert (svc.batches.get(lot.id).available_quantity,
            svc.batches.get(dev.id).available_quantity) == (8, 1)
    shipment = svc.orders.shipment(view.shipments[0])
    assert (shipment.carrier, shipment.tracking_number, shipment.cost_of_goods) == (
        "DHL", "JD0001", D("205"))
    assert shipment.ship_to == {"name": customer.name, "street": "1 Quay", "city": "Porto",
                                "postal_code": "4000", "country": "PT"}
    assert sorted((a.batch_id, a.quantity, a.unit_cost) for a in shipment.lines) == sorted(
        [(lot.id, 2, D("2.5")), (dev.id, 2, 100)])
    exits = [m for m in flows.movements(order_id=order.id) if m.kind.value == "shipment"]
    assert sorted((m.batch_id, m.quantity, m.unit_cost, flows.code_of(m.from_location_id),
                   m.to_location_id) for m in exits) == sorted(
        [(lot.id, 2, D("2.5"), "STOCK", None), (dev.id, 1, 100, "STOCK", None),
         (dev.id, 1, 100, "STOCK", None)])
    with pytest.raises(Conflict, match="is shipped"):
        svc.orders.ship(order.id)
    flows.verified()


def test_shipping_without_picking_ships_everything_allocated(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    lot = flows.stock_lot(food, "F", 5)
    order = flows.order(food, quantity=3)
    svc.orders.allocate(order.id)
    view = svc.orders.ship(order.id, ship_to={"name": "Dock 4"})
    assert (view.status, view.lines[0].shipped_quantity) == ("shipped", 3)
    assert svc.orders.shipment(view.shipments[0]).ship_to == {"name": "Dock 4"}
    assert flows.balances(lot.id) == {"STOCK": 2}
    flows.verified()


def test_shipping_an_unallocated_order_is_a_conflict(flows: Flows) -> None:
    food = flows.product("lot")
    flows.stock_lot(food, "F", 5)
    order = flows.order(food)
    with pytest.raises(Conflict, match="nothing allocated to ship"):
        flows.svc.orders.ship(order.id)
    assert flows.svc.orders.view(order.id).status == "open"
    flows.verified()


def test_a_lot_that_expired_since_allocation_blocks_the_shipment(clocked: Flows,
                                                                 clock: MovableClock) -> None:
    svc = clocked.svc
    food = clocked.product("lot")
    lot = clocked.stock_lot(food, "MILK", 5, expiry=TODAY + dt.timedelta(days=2))
    order = clocked.order(food, quantity=2)
    svc.orders.allocate(order.id)
    clock.advance(days=1)
    svc.orders.pick(order.id, [{"batch_id": lot.id, "quantity": 2}])
    clock.advance(days=1)  # the expiry date itself: expired
    before = (len(clocked.movements()), svc.orders.view(order.id))
    with pytest.raises(LotBlocked) as error:
        svc.orders.ship(order.id)
    assert "lot 'MILK' is expired on 2026-04-12" in error.value.message
    assert (len(clocked.movements()), svc.orders.view(order.id)) == before
    assert clocked.balances(lot.id) == {"STOCK": 5}
    assert svc.orders.view(order.id).status == "allocated"
    clocked.verified()


def test_holds_since_allocation_block_the_shipment(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    shelf = flows.location("A-01")
    lot = flows.stock_lot(food, "F", 5, location_id=shelf)
    flows.stock_serials(device, ["D-1"], number="D")
    order = flows.order(food, device)
    svc.orders.allocate(order.id)
    movements = len(flows.movements())

    svc.batches.hold(lot.id, "recall", kind="recall")
    with pytest.raises(LotBlocked, match="lot 'F' is on hold"):
        svc.orders.ship(order.id)
    svc.batches.release(lot.id)

    serial = svc.serials.lookup("D-1")
    svc.stock.hold_serial(serial.id, "customer complaint on this unit")
    with pytest.raises(LotBlocked, match="serial 'D-1' is on hold"):
        svc.orders.ship(order.id)
    svc.stock.release_serial(serial.id)

    svc.stock.hold_location(shelf, "flooded")
    with pytest.raises(LotBlocked, match="A-01"):
        svc.orders.ship(order.id)
    svc.stock.release_location(shelf)

    assert len(flows.movements()) == movements
    assert svc.orders.ship(order.id).status == "shipped"
    flows.verified()


def test_partial_shipments_and_order_statuses(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    first = flows.stock_lot(food, "A", 3, unit_cost="1")
    order = flows.order(food, quantity=5)
    assert svc.orders.view(order.id).status == "open"
    assert svc.orders.allocate(order.id, partial=True).status == "open"
    view = svc.orders.ship(order.id)
    assert (view.status, view.lines[0].shipped_quantity, view.lines[0].backordered_quantity) == (
        "partially_shipped", 3, 2)
    assert view.cost_of_goods == 3
    with pytest.raises(Conflict):
        svc.orders.ship(order.id)  # nothing allocated now
    second = flows.stock_lot(food, "B", 10, unit_cost="2")
    assert svc.orders.allocate(order.id).status == "partially_shipped"
    view = svc.orders.ship(order.id)
    assert (view.status, view.lines[0].shipped_quantity, view.cost_of_goods) == ("shipped", 5, 7)
    assert len(view.shipments) == 2
    assert shipped_lots(view) == [(first.id, 3), (second.id, 2)]
    with pytest.raises(Conflict, match="is shipped"):
        svc.orders.allocate(order.id)
    with pytest.raises(Conflict, match="is shipped"):
        svc.orders.cancel(order.id)
    assert [svc.orders.shipment(s).cost_of_goods for s in view.shipments] == [3, 4]
    flows.verified()


def test_cancel_releases_every_allocation(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 5)
    flows.stock_serials(device, ["D-1", "D-2"], number="D")
    order = flows.order(food, device, quantity=2)
    svc.orders.allocate(order.id)
    svc.orders.pick(order.id, ["D-1", {"batch_id": lot.id, "quantity": 1}])
    view = svc.orders.cancel(order.id, reason="customer changed their mind")
    assert view.status == "cancelled"
    assert [line.allocated_quantity for line in view.lines] == [0, 0]
    assert flows.statuses("D-1", "D-2") == {"D-1": ("IN_STOCK", "STOCK"),
                                            "D-2": ("IN_STOCK", "STOCK")}
    assert flows.serial("D-1")[2] is None
    assert svc.batches.get(lot.id).available_quantity == 5
    deallocations = [m for m in flows.movements(order_id=order.id)
                     if m.kind.value == "deallocation"]
    assert sorted((m.quantity, m.serial_id is None, m.reason) for m in deallocations) == [
        (1, False, "customer changed their mind"), (1, False, "customer changed their mind"),
        (2, True, "customer changed their mind")]
    with pytest.raises(Conflict, match="is cancelled"):
        svc.orders.cancel(order.id)
    with pytest.raises(Conflict, match="is cancelled"):
        svc.orders.allocate(order.id)
    # The released stock goes to the next order.
    other = svc.orders.allocate(flows.order(food, quantity=5).id)
    assert other.status == "allocated"
    flows.verified()


def test_a_direct_sale(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    dev = flows.stock_serials(device, ["D-1", "D-2"], number="D", unit_cost="40")
    assert dev is not None
    order = flows.order(device)
    sold = svc.serials.change_status(svc.serials.lookup("D-1").id, "SOLD", order_id=order.id)
    assert (sold.status.value, sold.location_id, sold.order_id) == ("SHIPPED", None, order.id)
    anonymous = svc.serials.change_status(svc.serials.lookup("D-2").id, "SHIPPED")
    assert (anonymous.status.value, anonymous.order_id) == ("SHIPPED", None)
    assert flows.balances(dev.id) == {}
    sales = [m for m in flows.movements(batch_id=dev.id) if m.kind.value == "shipment"]
    assert sorted(((m.order_id or ""), m.unit_cost, flows.code_of(m.from_location_id),
                   m.to_location_id) for m in sales) == sorted(
        [(order.id, 40, "STOCK", None), ("", 40, "STOCK", None)])
    flows.verified()


def test_returns_of_serials_and_lot_quantities(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 10, unit_cost="3")
    flows.stock_serials(device, ["D-1", "D-2", "D-3"], number="D", unit_cost="50")
    order = flows.order(food, device, quantity=2)
    svc.orders.allocate(order.id)
    svc.orders.ship(order.id)
    assert svc.orders.view(order.id).cost_of_goods == 106

    before = (len(flows.movements()), svc.serials.counts())
    with pytest.raises(Conflict, match="'D-3' was not shipped on order"):
        svc.orders.returns(order.id, [{"serial_number": "D-1"}, {"serial_number": "D-3"}],
                           reason="wrong item")
    with pytest.raises(Conflict, match="shipped 2 of lot"):
        svc.orders.returns(order.id, [{"batch_id": lot.id, "quantity": 3}], reason="damaged")
    assert (len(flows.movements()), svc.serials.counts()) == before

    view = svc.orders.returns(order.id, [{"serial_number": "D-1"},
                                         {"batch_id": lot.id, "quantity": 1}],
                              reason="arrived damaged")
    assert view.status == "shipped"
    assert view.cost_of_goods == 53  # the returned units are no longer sold
    assert flows.serial("D-1") == ("RETURNED", "RETURNS", order.id)
    assert flows.balances(lot.id) == {"STOCK": 8, "RETURNS": 1}
    assert svc.batches.get(lot.id).available_quantity == 8  # RETURNS is not storage
    back = [m for m in flows.movements(order_id=order.id) if m.kind.value == "return"]
    assert sorted((m.batch_id, m.quantity, m.unit_cost, flows.code_of(m.to_location_id),
                   m.reason) for m in back) == sorted(
        [(lot.id, 1, 3, "RETURNS", "arrived damaged"),
         (flows.lot(device, "D").id, 1, 50, "RETURNS", "arrived damaged")])
    with pytest.raises(Conflict, match="returned already"):
        svc.orders.returns(order.id, [{"serial_number": "D-1"}], reason="again")
    with pytest.raises(Conflict, match="shipped 1 of lot"):
        svc.orders.returns(order.id, [{"batch_id": lot.id, "quantity": 2}], reason="again")
    flows.verified()


def test_what_happens_to_returned_units(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 10, unit_cost="3")
    flows.stock_serials(device, ["D-1", "D-2", "D-3"], number="D")
    order = flows.order(food, device, quantity=3)
    svc.orders.allocate(order.id)
    svc.orders.ship(order.id)
    svc.orders.returns(order.id, [{"serial_number": n} for n in ("D-1", "D-2", "D-3")]
                       + [{"batch_id": lot.id, "quantity": 3}], reason="RMA-77")
    ids = {n: svc.serials.lookup(n).id for n in ("D-1", "D-2", "D-3")}

    restocked = svc.serials.change_status(ids["D-1"], "IN_STOCK", reason="inspected, fine")
    assert (restocked.status.value, flows.code_of(restocked.location_id),
            restocked.order_id) == ("IN_STOCK", "STOCK", None)
    defective = svc.serials.change_status(ids["D-2"], "DEFECTIVE", reason="does not boot")
    assert (defective.status.value, flows.code_of(defective.location_id)) == (
        "DEFECTIVE", "RETURNS")
    scrapped = svc.serials.change_status(ids["D-2"], "SCRAPPED", reason="beyond repair")
    assert (scrapped.status.value, scrapped.location_id) == ("SCRAPPED", None)
    svc.serials.change_status(ids["D-3"], "SCRAPPED")
    with pytest.raises(InvalidTransition):
        svc.serials.change_status(ids["D-3"], "IN_STOCK")
    assert flows.balances(flows.lot(device, "D").id) == {"STOCK": 1}
    scraps = [m for m in flows.movements(batch_id=flows.lot(device, "D").id)
              if m.kind.value == "scrap"]
    assert sorted((m.unit_cost, flows.code_of(m.from_location_id), m.to_location_id)
                  for m in scraps) == [(10, "RETURNS", None), (10, "RETURNS", None)]

    # Lot quantities: two back to storage, one written off.
    assert flows.svc.stock.transfer(flows.loc("RETURNS"), flows.loc("STOCK"), batch_id=lot.id,
                                    quantity=2) == 2
    svc.stock.adjust(batch_id=lot.id, location_id=flows.loc("RETURNS"), quantity_delta=-1,
                     reason="damage")
    assert flows.balances(lot.id) == {"STOCK": 9}
    assert svc.batches.get(lot.id).available_quantity == 9
    assert svc.orders.view(order.id).cost_of_goods == 0
    flows.verified()


# --- costing ---------------------------------------------------------------------------------


def test_cost_of_goods_and_valuation_are_exact_decimals(flows: Flows) -> None:
    svc = flows.svc
    food, bolt, device = (flows.product("lot"), flows.product("none"),
                          flows.product("serial"))
    flows.stock_lot(food, "A", 3, unit_cost="1.10", expiry=dt.date(2030, 1, 1))
    flows.stock_lot(food, "B", 4, unit_cost="2.35", expiry=dt.date(2030, 2, 1))
    flows.stock_lot(food, "C", 6, unit_cost="0.1", expiry=dt.date(2030, 3, 1))
    flows.receive(bolt, [{"quantity": 5}], unit_cost="0.01")
    flows.receive(bolt, [{"quantity": 7}], unit_cost="0.07")
    flows.stock_serials(device, ["X-1"], unit_cost="99.99")
    flows.stock_serials(device, ["X-2"], unit_cost="120.01")
    order = svc.orders.create_order(reference="SO-COST", customer_id=flows.customer().id,
                                    lines=[{"product_id": food.id, "quantity": 9},
                                           {"product_id": bolt.id, "quantity": 6},
                                           {"product_id": device.id, "quantity": 1}])
    svc.orders.allocate(order.id)
    view = svc.orders.ship(order.id)
    # 3 x 1.10 + 4 x 2.35 + 2 x 0.1 + 5 x 0.01 + 1 x 0.07 + 99.99
    assert view.cost_of_goods == D("113.01")
    assert isinstance(view.cost_of_goods, Decimal)
    exits = [(m.quantity, m.unit_cost) for m in flows.movements(order_id=order.id)
             if m.kind.value == "shipment"]
    assert sorted(exits) == sorted([(3, D("1.1")), (4, D("2.35")), (2, D("0.1")),
                                    (5, D("0.01")), (1, D("0.07")), (1, D("99.99"))])
    assert sum((q * c for q, c in exits), Decimal(0)) == view.cost_of_goods

    def valuation(product_id: str) -> Decimal:
        rows = svc.batches.list_by_product(product_id)
        return sum((r.available_quantity * (r.unit_cost or 0) for r in rows), Decimal(0))

    assert valuation(food.id) == D("0.4")       # 4 left of C at 0.1
    assert valuation(bolt.id) == D("0.42")      # 6 left of the second layer at 0.07
    assert svc.serials.lookup("X-2").unit_cost == D("120.01")
    flows.verified()


def test_list_by_product_order_is_the_depletion_order(clocked: Flows,
                                                      clock: MovableClock) -> None:
    svc = clocked.svc
    food = clocked.product("lot")
    plan = [("NO-EXPIRY-OLD", None), ("MAY", dt.date(2030, 5, 1)),
            ("JAN-LATE", dt.date(2030, 1, 1)), ("NO-EXPIRY-NEW", None),
            ("JAN-EARLY", dt.date(2030, 1, 1)), ("MAR", dt.date(2030, 3, 1))]
    received: dict[str, str] = {}
    for number, expiry in plan:
        received[number] = clocked.stock_lot(food, number, 2, expiry=expiry).id
        clock.advance(minutes=5)
    # Received the same day as JAN-LATE but after it (same expiry: FIFO between them).
    listed = [r.id for r in svc.batches.list_by_product(food.id)]
    by_id = {v: k for k, v in received.items()}
    assert [by_id[i] for i in listed] == ["JAN-LATE", "JAN-EARLY", "MAR", "MAY",
                                          "NO-EXPIRY-OLD", "NO-EXPIRY-NEW"]
    depleted: list[str] = []
    for _ in range(12):
        head = svc.batches.list_by_product(food.id)[0].id
        order = clocked.order(food)
        svc.orders.allocate(order.id)
        view = svc.orders.ship(order.id)
        (batch_id, _quantity), = shipped_lots(view)
        assert batch_id == head
        if not depleted or depleted[-1] != batch_id:
            depleted.append(str(batch_id))
    assert depleted == listed
    assert svc.batches.list_by_product(food.id) == []
    assert len(svc.batches.list_by_product(food.id, active_only=False)) == 6
    clocked.verified()


def test_ship_writes_nothing_when_it_fails_part_way(flows: Flows, kit: Kit,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from lotline.adapters.repositories.batches import BatchRepository

    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 5)
    flows.stock_serials(device, ["D-1"], number="D")
    order = flows.order(device, food)
    svc.orders.allocate(order.id)
    before = (len(flows.movements()), kit.count(t.shipments), svc.serials.counts())

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(BatchRepository, "ship_reserved", boom)
    with pytest.raises(RuntimeError):
        svc.orders.ship(order.id)
    monkeypatch.undo()
    assert (len(flows.movements()), kit.count(t.shipments), svc.serials.counts()) == before
    assert flows.serial("D-1")[0] == "ALLOCATED"
    assert flows.balances(lot.id) == {"STOCK": 5}
    assert svc.orders.ship(order.id).status == "shipped"
    flows.verified()


def test_an_exit_carries_the_lot_cost_at_the_moment_it_leaves(flows: Flows) -> None:
    """Allocated at one cost, re-averaged by a receipt before shipping: what went out plus
    what is left is still worth exactly what came in."""
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    supplier = flows.supplier()
    lot = flows.stock_lot(food, "F", 10, unit_cost="2", supplier=supplier)
    flows.stock_serials(device, ["D-1", "D-2"], number="D", unit_cost="10", supplier=supplier)
    order = flows.order(food, device, quantity=2)
    allocated = svc.orders.allocate(order.id)
    assert [a.unit_cost for line in allocated.lines for a in line.allocations] == [2, 10]
    flows.stock_lot(food, "F", 10, unit_cost="4", supplier=supplier)          # 10 @ 2 + 10 @ 4
    flows.stock_serials(device, ["D-3", "D-4"], number="D", unit_cost="20",
                        supplier=supplier)                                    # 2 @ 10 + 2 @ 20
    assert svc.batches.get(lot.id).unit_cost == 3
    assert flows.lot(device, "D").unit_cost == 15
    view = svc.orders.ship(order.id)
    assert view.cost_of_goods == 2 * 3 + 2 * 15
    assert svc.orders.shipment(view.shipments[0]).cost_of_goods == 36
    exits = sorted((m.quantity, m.unit_cost) for m in flows.movements(order_id=order.id)
                   if m.kind.value == "shipment")
    assert exits == [(1, 15), (1, 15), (2, 3)]
    left = {r.id: r.available_quantity * (r.unit_cost or 0)
            for p in (food, device) for r in svc.batches.list_by_product(p.id)}
    came_in = 10 * 2 + 10 * 4 + 2 * 10 + 2 * 20
    assert sum(left.values()) + view.cost_of_goods == 18 * 3 + 2 * 15 + 36 == came_in
    flows.verified()
