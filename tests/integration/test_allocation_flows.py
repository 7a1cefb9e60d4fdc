"""Allocation and picking (DESIGN §2, §3, §4): FEFO, FIFO and LIFO over eligible lots only,
customer shelf-life minimums, shortfalls, partial allocation, named lots and serials, the pick
list, scan-verified picking and swaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flow_support import Flows, MovableClock

from lotline.adapters import tables as t
from lotline.domain.flows import OrderView
from lotline.errors import Conflict, InsufficientStock, LotBlocked, ValidationError
from support import Kit

TODAY = dt.date(2026, 4, 10)  # support.FIXED_NOW, where the `clocked` organization's clock starts


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def flows_lots(flows: Flows, view: OrderView) -> list[tuple[str | None, Decimal]]:
    return [(batch, quantity) for batch, quantity, _, _ in flows.allocations(view)]


def test_fefo_takes_the_earliest_expiring_lot_first(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    late = flows.stock_lot(food, "LATE", 5, unit_cost="3", expiry=dt.date(2030, 3, 1))
    early = flows.stock_lot(food, "EARLY", 5, unit_cost="2", expiry=dt.date(2030, 1, 1))
    undated = flows.stock_lot(food, "UNDATED", 5, unit_cost="1")
    order = flows.order(food, quantity=12)
    seen = {m.id for m in flows.movements()}
    view = svc.orders.allocate(order.id)
    assert view.status == "allocated"
    assert flows.allocations(view) == [(early.id, 5, 2, []), (late.id, 5, 3, []),
                                       (undated.id, 2, 1, [])]
    line = view.lines[0]
    assert (line.allocated_quantity, line.backordered_quantity, line.picked_quantity) == (
        12, 0, 0)
    # Allocation reserves: balances stay, what can still be allocated drops.
    for lot, available in ((early, 0), (late, 0), (undated, 3)):
        batch = svc.batches.get(lot.id)
        assert (batch.balance_quantity, batch.available_quantity) == (5, available)
    written = [m for m in flows.movements() if m.id not in seen]
    assert sorted((m.kind.value, m.batch_id, m.quantity, m.order_id) for m in written) == sorted(
        [("allocation", early.id, 5, order.id), ("allocation", late.id, 5, order.id),
         ("allocation", undated.id, 2, order.id)])
    assert {(m.from_location_id, m.to_location_id) for m in written} == {(None, None)}
    flows.verified()


def test_fefo_for_serials_of_lots(flows: Flows) -> None:
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["L-1", "L-2"], number="LATE", expiry=dt.date(2031, 1, 1))
    early = flows.stock_serials(device, ["E-1", "E-2"], number="EARLY",
                                expiry=dt.date(2030, 1, 1))
    assert early is not None
    order = flows.order(device, quantity=3)
    view = flows.svc.orders.allocate(order.id)
    allocations = flows.allocations(view)
    assert [(batch, quantity) for batch, quantity, _, _ in allocations] == [
        (early.id, 2), (flows.lot(device, "LATE").id, 1)]
    assert allocations[0][3] == ["E-1", "E-2"]
    assert flows.statuses("E-1", "E-2", "L-1", "L-2") == {
        "E-1": ("ALLOCATED", "STOCK"), "E-2": ("ALLOCATED", "STOCK"),
        "L-1": ("ALLOCATED", "STOCK"), "L-2": ("IN_STOCK", "STOCK")}
    assert flows.serial("E-1")[2] == order.id
    flows.verified()


@pytest.mark.parametrize(("strategy", "expected"), [("fifo", ["FIRST", "SECOND"]),
                                                    ("lifo", ["THIRD", "SECOND"])])
def test_fifo_and_lifo_follow_the_received_order(clocked: Flows, clock: MovableClock,
                                                 strategy: str, expected: list[str]) -> None:
    food = clocked.product("lot", removal_strategy=strategy)
    lots = {}
    for number, expiry in (("FIRST", days(300)), ("SECOND", days(100)), ("THIRD", days(200))):
        lots[number] = clocked.stock_lot(food, number, 4, expiry=expiry)
        clock.advance(hours=1)
    view = clocked.svc.orders.allocate(clocked.order(food, quantity=6).id)
    assert flows_lots(clocked, view) == [(lots[expected[0]].id, 4), (lots[expected[1]].id, 2)]
    clocked.verified()


def test_expired_held_and_inactive_lots_are_never_allocated(clocked: Flows) -> None:
    svc = clocked.svc
    food = clocked.product("lot")
    expired = clocked.stock_lot(food, "EXPIRES-TODAY", 5, expiry=TODAY)
    held = clocked.stock_lot(food, "HELD", 5, expiry=days(1))
    inactive = clocked.stock_lot(food, "INACTIVE", 5, expiry=days(2))
    good = clocked.stock_lot(food, "GOOD", 5, expiry=days(90))
    svc.batches.hold(held.id, "lab test pending")
    svc.batches.mark_inactive([inactive.id])
    assert [svc.batches.get(b.id).available_quantity
            for b in (expired, held, inactive, good)] == [0, 0, 0, 5]
    order = clocked.order(food, quantity=6)
    with pytest.raises(InsufficientStock) as error:
        svc.orders.allocate(order.id)
    assert f"{food.sku} short by 1" in error.value.message
    view = svc.orders.allocate(clocked.order(food, quantity=5).id)
    assert flows_lots(clocked, view) == [(good.id, 5)]
    # Named explicitly, a blocked lot is refused with its reason.
    other = clocked.order(food, quantity=1)
    for lot, reason in ((expired, "expired on 2026-04-10"), (held, "on hold"),
                        (inactive, "inactive")):
        with pytest.raises(LotBlocked, match=reason):
            svc.orders.allocate(other.id, lines=[{"line_id": other.lines[0].id,
                                                  "batch_id": lot.id, "quantity": 1}])
    clocked.verified()


def test_held_serials_and_held_locations_are_skipped(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["H-1", "OK-1"], number="L")
    svc.stock.hold_serial(svc.serials.lookup("H-1").id, "scratched")
    food = flows.product("lot")
    shelf = flows.location("BAD-SHELF")
    held_here = flows.stock_lot(food, "IN-HELD-LOCATION", 5, location_id=shelf)
    svc.stock.hold_location(shelf, "water leak")
    view = svc.orders.allocate(flows.order(device, quantity=2).id, partial=True)
    assert flows.allocations(view)[0][3] == ["OK-1"]
    assert view.lines[0].backordered_quantity == 1
    with pytest.raises(InsufficientStock):
        svc.orders.allocate(flows.order(food).id)
    assert svc.batches.get(held_here.id).available_quantity == 0
    flows.verified()


def test_customer_minimum_remaining_shelf_life(clocked: Flows) -> None:
    svc = clocked.svc
    food = clocked.product("lot")
    soon = clocked.stock_lot(food, "SOON", 5, expiry=days(29))
    later = clocked.stock_lot(food, "LATER", 5, expiry=days(30))
    picky = clocked.customer(min_remaining_shelf_life_days=30)
    view = svc.orders.allocate(clocked.order(food, quantity=5, customer=picky).id)
    assert flows_lots(clocked, view) == [(later.id, 5)]
    with pytest.raises(InsufficientStock):
        svc.orders.allocate(clocked.order(food, quantity=1, customer=picky).id)
    relaxed = svc.orders.allocate(clocked.order(food, quantity=1).id)
    assert flows_lots(clocked, relaxed) == [(soon.id, 1)]
    clocked.verified()


def test_a_shortfall_names_product_and_quantity_and_writes_nothing(flows: Flows,
                                                                  kit: Kit) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    flows.stock_lot(food, "A", 3)
    flows.stock_serials(device, ["S-1"], number="B")
    order = flows.order(food, device, quantity=4)
    before = (len(flows.movements()), kit.count(t.order_allocations), svc.serials.counts())
    with pytest.raises(InsufficientStock) as error:
        svc.orders.allocate(order.id)
    assert error.value.http_status == 409
    assert error.value.details["shortfall"] == {food.sku: "1", device.sku: "3"}
    assert f"{food.sku} short by 1" in error.value.message
    assert f"{device.sku} short by 3" in error.value.message
    assert (len(flows.movements()), kit.count(t.order_allocations),
            svc.serials.counts()) == before
    assert flows.serial("S-1")[:2] == ("IN_STOCK", "STOCK")
    assert svc.orders.view(order.id).status == "open"
    flows.verified()


def test_partial_allocation_backorders_the_rest(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    lot = flows.stock_lot(food, "A", 3, unit_cost="2")
    order = flows.order(food, quantity=5)
    view = svc.orders.allocate(order.id, partial=True)
    line = view.lines[0]
    assert (view.status, line.allocated_quantity, line.backordered_quantity) == ("open", 3, 2)
    assert flows.allocations(view) == [(lot.id, 3, 2, [])]
    more = flows.stock_lot(food, "B", 10, unit_cost="4")
    view = svc.orders.allocate(order.id)
    assert view.status == "allocated"
    assert flows.allocations(view) == [(lot.id, 3, 2, []), (more.id, 2, 4, [])]
    assert view.lines[0].backordered_quantity == 0
    flows.verified()


def test_explicit_lines_name_lots_and_serials(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    first = flows.stock_lot(food, "FIRST", 5, expiry=dt.date(2030, 1, 1))
    second = flows.stock_lot(food, "SECOND", 5, expiry=dt.date(2031, 1, 1))
    flows.stock_serials(device, ["S-1", "S-2", "S-3"], number="D")
    order = flows.order(food, device, quantity=3)
    food_line, device_line = order.lines
    view = svc.orders.allocate(order.id, lines=[
        {"line_id": food_line.id, "batch_id": second.id, "quantity": 2},
        {"line_id": device_line.id, "serial_numbers": ["S-3", " S-1 "]}])
    assert flows.allocations(view, 0) == [(second.id, 2, 1, [])]
    assert [a[3] for a in flows.allocations(view, 1)] == [["S-3", "S-1"]]
    assert flows.statuses("S-1", "S-2", "S-3") == {"S-1": ("ALLOCATED", "STOCK"),
                                                   "S-2": ("IN_STOCK", "STOCK"),
                                                   "S-3": ("ALLOCATED", "STOCK")}
    with pytest.raises(ValidationError, match="between 0 and the 1 still open"):
        svc.orders.allocate(order.id, lines=[{"line_id": food_line.id, "batch_id": first.id,
                                              "quantity": 2}])
    with pytest.raises(ValidationError, match="is not a line of this order"):
        svc.orders.allocate(order.id, lines=[{"line_id": "nope"}])
    # The rest by strategy.
    view = svc.orders.allocate(order.id)
    assert flows.allocations(view, 0) == [(second.id, 2, 1, []), (first.id, 1, 1, [])]
    assert sorted(flows.allocations(view, 1)[0][3]) == ["S-1", "S-2", "S-3"]
    flows.verified()


def test_pick_list_is_ordered_by_location_with_lot_and_serials(flows: Flows) -> None:
    svc = flows.svc
    aisle_b, aisle_a = flows.location("B-01"), flows.location("A-01")
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot_b = flows.stock_lot(food, "IN-B", 2, expiry=dt.date(2030, 1, 1), location_id=aisle_b)
    lot_a = flows.stock_lot(food, "IN-A", 5, expiry=dt.date(2030, 2, 1), location_id=aisle_a)
    dev = flows.stock_serials(device, ["S-2", "S-1"], number="DEV")
    assert dev is not None
    order = svc.orders.create_order(reference="SO-PICK", customer_id=flows.customer().id,
                                    lines=[{"product_id": food.id, "quantity": 4},
                                           {"product_id": device.id, "quantity": 2}])
    svc.orders.allocate(order.id)
    items = svc.orders.pick_list(order.id)
    assert [(i.location_code, i.batch_number, i.expiry_date, i.quantity, i.serial_numbers)
            for i in items] == [
        ("A-01", "IN-A", dt.date(2030, 2, 1), 2, []),
        ("B-01", "IN-B", dt.date(2030, 1, 1), 2, []),
        ("STOCK", "DEV", None, 2, ["S-1", "S-2"])]
    assert [i.batch_id for i in items] == [lot_a.id, lot_b.id, dev.id]
    # Picking shortens the list.
    svc.orders.pick(order.id, ["S-1", {"batch_id": lot_a.id, "quantity": 1}])
    items = svc.orders.pick_list(order.id)
    assert [(i.location_code, i.quantity, i.serial_numbers) for i in items] == [
        ("A-01", 1, []), ("B-01", 2, []), ("STOCK", 1, ["S-2"])]
    flows.verified()


def test_a_wrong_scan_is_rejected_with_its_reason_and_nothing_is_written(
        flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    device, other = flows.product("lot_serial"), flows.product("lot_serial")
    flows.stock_serials(device, ["MINE-1", "MINE-2", "THEIRS-1"], number="D")
    flows.stock_serials(other, ["ELSE-1"], number="O")
    order = flows.order(device, quantity=2)
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id,
                                          "serial_numbers": ["MINE-1", "MINE-2"]}])
    rival = flows.order(device, quantity=1)
    svc.orders.allocate(rival.id, lines=[{"line_id": rival.lines[0].id,
                                          "serial_numbers": ["THEIRS-1"]}])
    before = (len(flows.movements()), kit.count(t.order_allocations), svc.serials.counts())
    with pytest.raises(Conflict) as error:
        svc.orders.pick(order.id, ["MINE-1", "THEIRS-1", "ELSE-1", "NOPE-404"])
    assert error.value.details["rejected"] == [
        {"scan": "THEIRS-1", "reason": "it is ALLOCATED for another order"},
        {"scan": "ELSE-1", "reason": "this order has no line for its product"},
        {"scan": "NOPE-404", "reason": "no serial or lot with this number"}]
    assert (len(flows.movements()), kit.count(t.order_allocations),
            svc.serials.counts()) == before
    assert flows.serial("MINE-1")[:2] == ("ALLOCATED", "STOCK")

    view = svc.orders.pick(order.id, [" MINE-1 ", "MINE-2"])
    assert view.lines[0].picked_quantity == 2
    assert flows.statuses("MINE-1", "MINE-2") == {"MINE-1": ("PICKED", "STOCK"),
                                                  "MINE-2": ("PICKED", "STOCK")}
    with pytest.raises(Conflict, match="already picked"):
        svc.orders.pick(order.id, ["MINE-1"])
    assert svc.orders.pick_list(order.id) == []
    flows.verified()


def test_picking_lot_quantities(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    lot = flows.stock_lot(food, "Lot-P", 10, unit_cost="2")
    other = flows.stock_lot(food, "OTHER", 10, expiry=dt.date(2099, 1, 1))
    order = flows.order(food, quantity=4)
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id, "batch_id": lot.id}])
    with pytest.raises(Conflict) as error:
        svc.orders.pick(order.id, [{"batch_id": lot.id, "quantity": 5},
                                   {"batch_id": other.id, "quantity": 1}])
    assert error.value.details["rejected"][0]["reason"] == "only 4 of this lot are left to pick"
    assert error.value.details["rejected"][1]["reason"] == "this lot is not allocated to this order"
    view = svc.orders.pick(order.id, ["lot-p", {"batch_number": "LOT-P", "quantity": 2}])
    assert view.lines[0].picked_quantity == 3
    picks = [m for m in flows.movements(batch_id=lot.id) if m.kind.value == "pick"]
    assert [(m.quantity, m.order_id, m.unit_cost) for m in picks] == [
        (1, order.id, 2), (2, order.id, 2)]
    assert flows.balances(lot.id) == {"STOCK": 10}  # picked units stay on hand until shipped
    flows.verified()


def test_a_scan_of_another_eligible_unit_swaps_the_allocation(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["A-1", "A-2"], number="A", expiry=dt.date(2030, 1, 1))
    flows.stock_serials(device, ["B-1"], number="B", expiry=dt.date(2031, 1, 1))
    order = flows.order(device, quantity=2)
    svc.orders.allocate(order.id)
    assert flows.statuses("A-1", "A-2", "B-1") == {"A-1": ("ALLOCATED", "STOCK"),
                                                   "A-2": ("ALLOCATED", "STOCK"),
                                                   "B-1": ("IN_STOCK", "STOCK")}
    view = svc.orders.pick(order.id, ["B-1"])
    assert flows.statuses("A-1", "A-2", "B-1") == {"A-1": ("IN_STOCK", "STOCK"),
                                                   "A-2": ("ALLOCATED", "STOCK"),
                                                   "B-1": ("PICKED", "STOCK")}
    assert flows.serial("A-1")[2] is None
    assert flows.serial("B-1")[2] == order.id
    numbers = sorted(n for a in view.lines[0].allocations for n in a.serial_numbers)
    assert numbers == ["A-2", "B-1"]
    assert (view.lines[0].allocated_quantity, view.lines[0].picked_quantity) == (2, 1)
    # Once every unit is picked there is nothing left to swap.
    svc.orders.pick(order.id, ["A-2"])
    with pytest.raises(Conflict, match="no unpicked unit of its product"):
        svc.orders.pick(order.id, ["A-1"])
    flows.verified()


def test_a_swap_must_come_from_an_eligible_lot(clocked: Flows) -> None:
    svc = clocked.svc
    device = clocked.product("lot_serial")
    clocked.stock_serials(device, ["GOOD-1"], number="GOOD", expiry=days(100))
    clocked.stock_serials(device, ["HELD-1"], number="HELD", expiry=days(200))
    clocked.stock_serials(device, ["SOON-1"], number="SOON", expiry=days(300))
    svc.batches.hold(clocked.lot(device, "HELD").id, "recall check")
    customer = clocked.customer(min_remaining_shelf_life_days=150)
    order = clocked.order(device, quantity=1, customer=customer)
    svc.orders.allocate(order.id)  # GOOD-1 expires in 100 days: skipped, SOON-1 taken
    assert clocked.serial("SOON-1")[0] == "ALLOCATED"
    with pytest.raises(Conflict) as held:
        svc.orders.pick(order.id, ["HELD-1"])
    assert held.value.details["rejected"] == [
        {"scan": "HELD-1", "reason": "its lot 'HELD' is on hold"}]
    with pytest.raises(Conflict) as too_soon:
        svc.orders.pick(order.id, ["GOOD-1"])
    assert "GOOD-1" in too_soon.value.message
    assert clocked.statuses("GOOD-1", "HELD-1", "SOON-1") == {
        "GOOD-1": ("IN_STOCK", "STOCK"), "HELD-1": ("IN_STOCK", "STOCK"),
        "SOON-1": ("ALLOCATED", "STOCK")}
    clocked.verified()


def test_picking_from_a_lot_that_went_on_hold_is_refused(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 5)
    dev = flows.stock_serials(device, ["D-1"], number="D")
    assert dev is not None
    order = flows.order(food, device, quantity=1)
    svc.orders.allocate(order.id)
    svc.batches.hold(lot.id, "contamination suspected")
    svc.batches.hold(dev.id, "contamination suspected")
    movements = len(flows.movements())
    with pytest.raises(Conflict, match="on hold"):
        svc.orders.pick(order.id, [{"batch_id": lot.id, "quantity": 1}])
    with pytest.raises(Conflict, match="on hold"):
        svc.orders.pick(order.id, ["D-1"])
    assert len(flows.movements()) == movements
    assert svc.orders.view(order.id).lines[0].picked_quantity == 0
    assert flows.serial("D-1")[0] == "ALLOCATED"
    flows.verified()


def test_picking_from_a_location_that_went_on_hold_is_refused(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    shelf = flows.location("A-01")
    lot = flows.stock_lot(food, "F", 5, location_id=shelf)
    order = flows.order(food, quantity=2)
    svc.orders.allocate(order.id)
    svc.stock.hold_location(shelf, "rack inspection")
    with pytest.raises(Conflict) as error:
        svc.orders.pick(order.id, [{"batch_id": lot.id, "quantity": 2}])
    assert error.value.details["rejected"][0]["reason"] == "its location is on hold"
    svc.stock.release_location(shelf)
    assert svc.orders.pick(order.id, [{"batch_id": lot.id, "quantity": 2}]).lines[
        0].picked_quantity == 2
    flows.verified()
