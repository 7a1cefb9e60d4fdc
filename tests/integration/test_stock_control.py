"""Stock control (DESIGN §3, §6): transfers of serials and lot quantities, adjustments with a
reason, holds on lots, serials and locations (a hold blocks transfers out of quarantine, not
into it), and cycle counts posting their differences as adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flow_support import Flows

from lotline.errors import Conflict, InsufficientStock, LotBlocked, ValidationError


def test_transfer_serials(flows: Flows) -> None:
    svc = flows.svc
    shelf = flows.location("A-01")
    device = flows.product("lot_serial")
    dev = flows.stock_serials(device, ["S-1", "S-2", "S-3"], number="D", unit_cost="9")
    assert dev is not None
    moved = svc.stock.transfer(flows.loc("STOCK"), shelf, serial_numbers=["S-1", " S-3"],
                               reason="re-slotting")
    assert moved == 2
    assert flows.statuses("S-1", "S-2", "S-3") == {"S-1": ("IN_STOCK", "A-01"),
                                                   "S-2": ("IN_STOCK", "STOCK"),
                                                   "S-3": ("IN_STOCK", "A-01")}
    assert flows.balances(dev.id) == {"A-01": 2, "STOCK": 1}
    transfers = [m for m in flows.movements(batch_id=dev.id) if m.kind.value == "transfer"]
    assert sorted((flows.code_of(m.from_location_id), flows.code_of(m.to_location_id),
                   m.quantity, m.unit_cost, m.reason, m.from_status, m.to_status)
                  for m in transfers) == [("STOCK", "A-01", 1, 9, "re-slotting", "IN_STOCK",
                                           "IN_STOCK")] * 2
    with pytest.raises(ValidationError, match="'S-2' is not at A-01"):
        svc.stock.transfer(shelf, flows.loc("STOCK"), serial_numbers=["S-1", "S-2"])
    assert flows.serial("S-1")[1] == "A-01"  # all or nothing
    order = flows.order(device)
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id,
                                          "serial_numbers": ["S-2"]}])
    with pytest.raises(Conflict, match="ALLOCATED for an order"):
        svc.stock.transfer(flows.loc("STOCK"), shelf, serial_numbers=["S-2"])
    flows.verified()


def test_transfer_lot_quantities(flows: Flows) -> None:
    svc = flows.svc
    shelf = flows.location("A-01")
    food = flows.product("lot")
    lot = flows.stock_lot(food, "F", 10, unit_cost="1.5")
    assert svc.stock.transfer(flows.loc("STOCK"), shelf, batch_id=lot.id, quantity=4) == 4
    assert flows.balances(lot.id) == {"STOCK": 6, "A-01": 4}
    movements = len(flows.movements())
    with pytest.raises(InsufficientStock, match="short by 1"):
        svc.stock.transfer(shelf, flows.loc("STOCK"), batch_id=lot.id, quantity=5)
    # Allocated units are not free to move.
    svc.orders.allocate(flows.order(food, quantity=5).id)  # A-01 sorts first: 4 there, 1 STOCK
    with pytest.raises(InsufficientStock):
        svc.stock.transfer(flows.loc("STOCK"), shelf, batch_id=lot.id, quantity=6)
    assert len(flows.movements()) == movements + 2  # only the two allocations
    assert flows.balances(lot.id) == {"STOCK": 6, "A-01": 4}
    with pytest.raises(ValidationError):
        svc.stock.transfer(shelf, shelf, batch_id=lot.id, quantity=1)
    with pytest.raises(ValidationError):
        svc.stock.transfer(flows.loc("STOCK"), shelf, batch_id=lot.id, quantity=0)
    flows.verified()


def test_transfer_by_product_takes_lots_in_strategy_order(flows: Flows) -> None:
    svc = flows.svc
    shelf = flows.location("A-01")
    food = flows.product("lot")
    later = flows.stock_lot(food, "LATER", 5, expiry=dt.date(2031, 1, 1))
    sooner = flows.stock_lot(food, "SOONER", 5, expiry=dt.date(2030, 1, 1))
    assert svc.stock.transfer(flows.loc("STOCK"), shelf, product_id=food.id, quantity=7) == 7
    assert flows.balances(sooner.id) == {"A-01": 5}
    assert flows.balances(later.id) == {"STOCK": 3, "A-01": 2}
    with pytest.raises(InsufficientStock, match="short by 1"):
        svc.stock.transfer(flows.loc("STOCK"), shelf, product_id=food.id, quantity=4)
    assert flows.balances(later.id) == {"STOCK": 3, "A-01": 2}
    fifo = flows.product("lot", removal_strategy="lifo")
    old = flows.stock_lot(fifo, "OLD", 2)
    new = flows.stock_lot(fifo, "NEW", 2)
    svc.stock.transfer(flows.loc("STOCK"), shelf, product_id=fifo.id, quantity=3)
    assert (flows.balances(new.id), flows.balances(old.id)) == ({"A-01": 2},
                                                                {"STOCK": 1, "A-01": 1})
    flows.verified()


def test_a_serial_tracked_lot_moves_by_its_serials_only(flows: Flows) -> None:
    svc = flows.svc
    shelf = flows.location("A-01")
    device = flows.product("lot_serial")
    dev = flows.stock_serials(device, ["S-1", "S-2"], number="D")
    assert dev is not None
    with pytest.raises(ValidationError, match="serial-tracked"):
        svc.stock.transfer(flows.loc("STOCK"), shelf, batch_id=dev.id, quantity=1)
    with pytest.raises(ValidationError, match="serial-tracked"):
        svc.stock.transfer(flows.loc("STOCK"), shelf, product_id=device.id, quantity=1)
    assert flows.balances(dev.id) == {"STOCK": 2}
    flows.verified()


def test_adjustments(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    lot = flows.stock_lot(food, "F", 10, unit_cost="2")
    assert svc.stock.adjust(batch_id=lot.id, quantity_delta=3, reason="found") == 3
    assert svc.stock.adjust(batch_id=lot.id, quantity_delta="-2.5",
                            reason="damage") == Decimal("-2.5")
    assert flows.balances(lot.id) == {"STOCK": Decimal("10.5")}
    adjustments = [m for m in flows.movements(batch_id=lot.id) if m.kind.value == "adjustment"]
    assert [(flows.code_of(m.from_location_id), flows.code_of(m.to_location_id), m.quantity,
             m.unit_cost, m.reason) for m in adjustments] == [
        (None, "STOCK", 3, 2, "found"), ("STOCK", None, Decimal("2.5"), 2, "damage")]
    movements = len(flows.movements())
    with pytest.raises(InsufficientStock, match="below zero"):
        svc.stock.adjust(batch_id=lot.id, quantity_delta=-11, reason="count")
    with pytest.raises(ValidationError) as error:
        svc.stock.adjust(batch_id=lot.id, quantity_delta=-1, reason=" ")
    assert error.value.errors[0].field == "reason"
    with pytest.raises(ValidationError):
        svc.stock.adjust(batch_id=lot.id, quantity_delta=0, reason="nothing")
    assert len(flows.movements()) == movements
    # By product: out of lots in strategy order, into the first one.
    second = flows.stock_lot(food, "G", 4, expiry=dt.date(2030, 1, 1))
    svc.stock.adjust(product_id=food.id, quantity_delta=-5, reason="expiry_write_off")
    assert flows.balances(second.id) == {}
    assert flows.balances(lot.id) == {"STOCK": Decimal("9.5")}
    svc.stock.adjust(product_id=food.id, quantity_delta=1, reason="found")
    assert flows.balances(second.id) == {"STOCK": 1}
    device = flows.product("lot_serial")
    dev = flows.stock_serials(device, ["S-1"], number="D")
    assert dev is not None
    with pytest.raises(ValidationError, match="change its serials' status"):
        svc.stock.adjust(batch_id=dev.id, quantity_delta=1, reason="found")
    flows.verified()


def test_allocated_units_cannot_be_adjusted_away(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    lot = flows.stock_lot(food, "F", 5)
    svc.orders.allocate(flows.order(food, quantity=4).id)
    with pytest.raises(InsufficientStock):
        svc.stock.adjust(batch_id=lot.id, quantity_delta=-2, reason="damage")
    svc.stock.adjust(batch_id=lot.id, quantity_delta=-1, reason="damage")
    assert flows.balances(lot.id) == {"STOCK": 4}
    flows.verified()


def test_holds_and_releases(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 5)
    flows.stock_serials(device, ["S-1"], number="D")
    serial_id = svc.serials.lookup("S-1").id
    shelf = flows.location("A-01")

    held = svc.batches.hold(lot.id, "supplier recall", kind="recall")
    assert (held.hold.reason, held.hold.kind.value, held.available_quantity) == (
        "supplier recall", "recall", 0)
    with pytest.raises(Conflict, match="already on recall hold"):
        svc.batches.hold(lot.id, "again")
    released = svc.batches.release(lot.id)
    assert (released.hold, released.available_quantity) == (None, 5)
    with pytest.raises(Conflict, match="is not on hold"):
        svc.batches.release(lot.id)

    serial = svc.stock.hold_serial(serial_id, "dented", kind="other")
    assert serial.hold is not None and serial.hold.reason == "dented"
    assert svc.batches.get(flows.lot(device, "D").id).available_quantity == 0
    with pytest.raises(Conflict, match="already on hold"):
        svc.stock.hold_serial(serial_id, "again")
    assert svc.stock.release_serial(serial_id).hold is None
    with pytest.raises(Conflict, match="is not on hold"):
        svc.stock.release_serial(serial_id)

    location = svc.stock.hold_location(shelf, "sprinkler test")
    assert location.hold is not None and location.hold.reason == "sprinkler test"
    with pytest.raises(Conflict, match="already on hold"):
        svc.stock.hold_location(shelf, "again")
    assert svc.stock.release_location(shelf).hold is None
    with pytest.raises(Conflict, match="is not on hold"):
        svc.stock.release_location(shelf)
    with pytest.raises(ValidationError):
        svc.stock.hold_location(shelf, "")
    with pytest.raises(ValidationError):
        svc.stock.hold_serial(serial_id, "why", kind="bogus")
    flows.verified()


def test_a_hold_blocks_transfers_out_of_quarantine_but_not_into_it(flows: Flows) -> None:
    svc = flows.svc
    stock, quarantine = flows.loc("STOCK"), flows.loc("QUARANTINE")
    food, device = flows.product("lot"), flows.product("lot_serial")
    lot = flows.stock_lot(food, "F", 5)
    flows.stock_serials(device, ["LOT-HELD", "UNIT-HELD"], number="D")
    dev = flows.lot(device, "D")

    svc.batches.hold(lot.id, "quarantine")
    svc.stock.transfer(stock, quarantine, batch_id=lot.id, quantity=5)
    assert flows.balances(lot.id) == {"QUARANTINE": 5}
    with pytest.raises(LotBlocked, match="cannot leave QUARANTINE"):
        svc.stock.transfer(quarantine, stock, batch_id=lot.id, quantity=1)
    with pytest.raises(LotBlocked):
        svc.stock.transfer(quarantine, stock, product_id=food.id, quantity=1)
    svc.batches.release(lot.id)
    svc.stock.transfer(quarantine, stock, batch_id=lot.id, quantity=5)
    assert flows.balances(lot.id) == {"STOCK": 5}

    unit = svc.serials.lookup("UNIT-HELD").id
    svc.stock.hold_serial(unit, "inspect")
    svc.stock.transfer(stock, quarantine, serial_numbers=["UNIT-HELD"])
    assert flows.serial("UNIT-HELD")[:2] == ("IN_STOCK", "QUARANTINE")
    with pytest.raises(LotBlocked):
        svc.stock.transfer(quarantine, stock, serial_numbers=["UNIT-HELD"])
    svc.stock.release_serial(unit)
    svc.stock.transfer(quarantine, stock, serial_numbers=["UNIT-HELD"])

    svc.stock.transfer(stock, quarantine, serial_numbers=["LOT-HELD"])
    svc.batches.hold(dev.id, "quarantine")
    with pytest.raises(LotBlocked):
        svc.stock.transfer(quarantine, stock, serial_numbers=["LOT-HELD"])
    # Holding stock elsewhere does not stop moves between ordinary locations.
    shelf = flows.location("A-01")
    svc.batches.hold(lot.id, "quarantine")
    svc.stock.transfer(stock, shelf, batch_id=lot.id, quantity=1)
    assert flows.balances(lot.id) == {"STOCK": 4, "A-01": 1}
    assert flows.balances(dev.id) == {"STOCK": 1, "QUARANTINE": 1}
    flows.verified()


def test_cycle_count_posts_differences_as_adjustments(flows: Flows) -> None:
    svc = flows.svc
    food, device = flows.product("lot"), flows.product("lot_serial")
    shelf = flows.location("A-01")
    more = flows.stock_lot(food, "MORE", 5, unit_cost="2")
    less = flows.stock_lot(food, "LESS", 5, unit_cost="3")
    same = flows.stock_lot(food, "SAME", 5)
    flows.stock_serials(device, ["S-1", "S-2", "S-3"], number="D")
    svc.stock.transfer(flows.loc("STOCK"), shelf, serial_numbers=["S-3"])

    counted = svc.stock.cycle_count(
        flows.loc("STOCK"),
        counts=[{"batch_id": more.id, "quantity": 7}, {"batch_id": less.id, "quantity": 1},
                {"batch_id": same.id, "quantity": 5}],
        serial_numbers=["S-1", "S-3", "GHOST-9"])
    assert sorted((d.batch_id, d.expected, d.counted, d.adjusted_by) for d in counted.lots) == \
        sorted([(more.id, 5, 7, 2), (less.id, 5, 1, -4), (same.id, 5, 5, 0)])
    assert (counted.missing_serials, counted.moved_here_serials, counted.unknown_serials) == (
        ["S-2"], ["S-3"], ["GHOST-9"])
    assert flows.balances(more.id) == {"STOCK": 7}
    assert flows.balances(less.id) == {"STOCK": 1}
    assert flows.balances(same.id) == {"STOCK": 5}
    assert flows.serial("S-3")[1] == "STOCK"
    adjustments = [m for m in flows.movements() if m.kind.value == "adjustment"]
    assert sorted((m.batch_id, m.quantity, m.unit_cost, flows.code_of(m.from_location_id),
                   flows.code_of(m.to_location_id), m.reason) for m in adjustments) == sorted(
        [(more.id, 2, 2, None, "STOCK", "cycle count"),
         (less.id, 4, 3, "STOCK", None, "cycle count"),
         (flows.lot(device, "D").id, 1, 10, "A-01", "STOCK", "cycle count")])
    svc.orders.allocate(flows.order(food, quantity=6).id)  # MORE 6 (no expiry: oldest first)
    movements = len(flows.movements())
    with pytest.raises(InsufficientStock, match="5 counted but 6 are allocated"):
        svc.stock.cycle_count(flows.loc("STOCK"), counts=[{"batch_id": less.id, "quantity": 3},
                                                          {"batch_id": more.id, "quantity": 5}])
    assert len(flows.movements()) == movements
    assert flows.balances(less.id) == {"STOCK": 1}
    flows.verified()


def test_cycle_count_of_serials_with_none_found_lists_every_serial_missing(
        flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("serial")
    flows.stock_serials(device, ["Z-2", "Z-1"])
    movements = len(flows.movements())
    counted = svc.stock.cycle_count(flows.loc("STOCK"), serial_numbers=[])
    assert (counted.missing_serials, counted.moved_here_serials, counted.unknown_serials,
            counted.lots) == (["Z-1", "Z-2"], [], [], [])
    assert len(flows.movements()) == movements
    with pytest.raises(ValidationError) as nothing:
        svc.stock.cycle_count(flows.loc("STOCK"))
    assert [e.field for e in nothing.value.errors] == ["counts"]
