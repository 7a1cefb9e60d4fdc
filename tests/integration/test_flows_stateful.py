"""A hypothesis state machine over the warehouse flows: receive, put away, allocate, pick,
ship, return, restock, adjust, transfer, hold and cancel, in any order. After every step:
the ledger verifies (hash chains, and every projection recomputed from it), no balance is
negative or over-allocated, on hand per product equals what the flows brought in and took
out, every serial is in exactly one status with a location exactly when it is in custody,
and what each order shipped equals what was allocated and then shipped."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any, ClassVar

from flow_support import Flows
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from lotline.adapters import tables as t
from lotline.domain.statuses import CUSTODY_STATUSES, SerialStatus
from lotline.errors import Conflict, InsufficientStock
from support import Kit

MAX_EXAMPLES = 30
STEPS = 20
FOOD_LOTS = {"A": dt.date(2030, 1, 1), "B": dt.date(2030, 6, 1), "C": None}
DEVICE_LOTS = {"X": dt.date(2031, 1, 1), "Y": None}
S = SerialStatus


class WarehouseFlows(RuleBasedStateMachine):
    database: ClassVar[Any] = None
    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0

    @initialize()
    def setup(self) -> None:
        type(self).examples += 1
        self.flows = Flows(Kit(self.database.services()))
        self.svc = self.flows.svc
        self.food = self.flows.product("lot")
        self.device = self.flows.product("lot_serial")
        self.supplier = self.flows.supplier()
        self.customer = self.flows.customer()
        self.shelf = self.flows.location("A-01")
        self.stock = self.flows.loc("STOCK")
        self.numbers = itertools.count(1)
        self.pending_putaway: list[str] = []
        self.orders: list[str] = []
        self.on_hand: dict[str, Decimal] = defaultdict(Decimal)
        self.shipped: dict[str, Decimal] = defaultdict(Decimal)
        self.returnable_serials: dict[str, str] = {}          # number -> order id
        self.returnable_lots: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.returned_serials: list[str] = []

    # --- receiving -------------------------------------------------------------------------

    @rule(lot=st.sampled_from(sorted(FOOD_LOTS)), quantity=st.integers(1, 6),
          cost=st.sampled_from(["1", "2.5", "0.3"]), put_away=st.booleans())
    def receive_food(self, lot: str, quantity: int, cost: str, put_away: bool) -> None:
        entry: dict[str, Any] = {"batch_number": lot, "quantity": quantity}
        if FOOD_LOTS[lot]:
            entry["expiry_date"] = FOOD_LOTS[lot]
        receipt = self.flows.receive(self.food, [entry], supplier=self.supplier,
                                     unit_cost=cost, putaway=put_away)
        if not put_away:
            self.pending_putaway.append(receipt.id)
        self.on_hand[self.food.id] += quantity
        type(self).steps += 1

    @rule(lot=st.sampled_from(sorted(DEVICE_LOTS)), count=st.integers(1, 3),
          put_away=st.booleans())
    def receive_devices(self, lot: str, count: int, put_away: bool) -> None:
        numbers = [f"SN-{next(self.numbers):04d}" for _ in range(count)]
        entry: dict[str, Any] = {"batch_number": lot, "serial_numbers": numbers}
        if DEVICE_LOTS[lot]:
            entry["expiry_date"] = DEVICE_LOTS[lot]
        receipt = self.flows.receive(self.device, [entry], supplier=self.supplier,
                                     unit_cost="40", putaway=put_away)
        if not put_away:
            self.pending_putaway.append(receipt.id)
        self.on_hand[self.device.id] += count
        type(self).steps += 1

    @precondition(lambda self: bool(self.pending_putaway))
    @rule(to_shelf=st.booleans())
    def putaway(self, to_shelf: bool) -> None:
        receipt_id = self.pending_putaway.pop(0)
        self.svc.receipts.putaway(receipt_id, self.shelf if to_shelf else None)
        type(self).steps += 1

    # --- orders ----------------------------------------------------------------------------

    @rule(food=st.integers(0, 5), devices=st.integers(0, 2))
    def create_order(self, food: int, devices: int) -> None:
        lines = [{"product_id": p.id, "quantity": q}
                 for p, q in ((self.food, food), (self.device, devices)) if q]
        if not lines:
            return
        order = self.svc.orders.create_order(reference=f"SO-{next(self.numbers)}",
                                             customer_id=self.customer.id, lines=lines)
        self.orders.append(order.id)
        type(self).steps += 1

    def _order(self, index: int) -> str:
        return self.orders[index % len(self.orders)]

    @precondition(lambda self: bool(self.orders))
    @rule(index=st.integers(0, 50), partial=st.booleans())
    def allocate(self, index: int, partial: bool) -> None:
        order_id = self._order(index)
        before = self.svc.orders.view(order_id)
        try:
            view = self.svc.orders.allocate(order_id, partial=partial)
        except InsufficientStock:
            assert not partial
            assert self.svc.orders.view(order_id) == before  # nothing written
            return
        except Conflict:
            assert before.status in ("shipped", "cancelled")
            return
        for line in view.lines:
            assert line.allocated_quantity <= line.quantity
            if not partial:
                assert line.allocated_quantity == line.quantity
        type(self).steps += 1

    @precondition(lambda self: bool(self.orders))
    @rule(index=st.integers(0, 50))
    def pick(self, index: int) -> None:
        order_id = self._order(index)
        items = self.svc.orders.pick_list(order_id)
        scans: list[Any] = []
        for item in items:
            if item.serial_numbers:
                scans.extend(item.serial_numbers)
            else:
                scans.append({"batch_id": item.batch_id, "quantity": item.quantity})
        if not scans:
            return
        try:
            view = self.svc.orders.pick(order_id, scans)
        except Conflict:  # a lot on hold, or the order was closed meanwhile
            return
        assert self.svc.orders.pick_list(order_id) == []
        assert all(line.picked_quantity == line.allocated_quantity - line.shipped_quantity
                   for line in view.lines)
        type(self).steps += 1

    @precondition(lambda self: bool(self.orders))
    @rule(index=st.integers(0, 50))
    def ship(self, index: int) -> None:
        order_id = self._order(index)
        before = self.svc.orders.view(order_id)
        going = sum((line.allocated_quantity - line.shipped_quantity for line in before.lines),
                    Decimal(0))
        try:
            view = self.svc.orders.ship(order_id)
        except Conflict:  # nothing allocated, closed, or a lot on hold
            assert self.svc.orders.view(order_id) == before
            return
        self.shipped[order_id] += going
        shipment = self.svc.orders.shipment(view.shipments[-1])
        assert sum((a.quantity for a in shipment.lines), Decimal(0)) == going
        for allocation in shipment.lines:
            product = self.device.id if allocation.serial_numbers else self.food.id
            self.on_hand[product] -= allocation.quantity
            for number in allocation.serial_numbers:
                self.returnable_serials[number] = order_id
            if not allocation.serial_numbers:
                assert allocation.batch_id is not None
                self.returnable_lots[(order_id, allocation.batch_id)] += allocation.quantity
        type(self).steps += 1

    @precondition(lambda self: bool(self.orders))
    @rule(index=st.integers(0, 50))
    def cancel(self, index: int) -> None:
        order_id = self._order(index)
        try:
            view = self.svc.orders.cancel(order_id, reason="customer cancelled")
        except Conflict:
            assert self.shipped[order_id] > 0 or self.svc.orders.view(order_id).status in (
                "shipped", "cancelled")
            return
        assert all(line.allocated_quantity == 0 for line in view.lines)
        type(self).steps += 1

    # --- returns ---------------------------------------------------------------------------

    @precondition(lambda self: bool(self.returnable_serials) or bool(self.returnable_lots))
    @rule(index=st.integers(0, 50), serial=st.booleans())
    def customer_return(self, index: int, serial: bool) -> None:
        if (serial and self.returnable_serials) or not self.returnable_lots:
            number = sorted(self.returnable_serials)[index % len(self.returnable_serials)]
            order_id = self.returnable_serials.pop(number)
            self.svc.orders.returns(order_id, [{"serial_number": number}], reason="RMA")
            self.returned_serials.append(number)
            self.on_hand[self.device.id] += 1
        else:
            key = sorted(self.returnable_lots)[index % len(self.returnable_lots)]
            order_id, batch_id = key
            self.svc.orders.returns(order_id, [{"batch_id": batch_id, "quantity": 1}],
                                    reason="RMA")
            self.returnable_lots[key] -= 1
            if not self.returnable_lots[key]:
                del self.returnable_lots[key]
            self.on_hand[self.food.id] += 1
        type(self).steps += 1

    @precondition(lambda self: bool(self.returned_serials))
    @rule(scrap=st.booleans())
    def handle_returned_serial(self, scrap: bool) -> None:
        number = self.returned_serials.pop(0)
        serial_id = self.svc.serials.lookup(number).id
        if scrap:
            self.svc.serials.change_status(serial_id, "SCRAPPED", reason="broken")
            self.on_hand[self.device.id] -= 1
        else:
            self.svc.serials.change_status(serial_id, "IN_STOCK", reason="inspected")
        type(self).steps += 1

    @rule(quantity=st.integers(1, 3))
    def restock_returned_lots(self, quantity: int) -> None:
        try:
            self.svc.stock.transfer(self.flows.loc("RETURNS"), self.stock,
                                    product_id=self.food.id, quantity=quantity)
        except InsufficientStock:
            return
        type(self).steps += 1

    # --- stock control ---------------------------------------------------------------------

    def _food_lot(self, index: int) -> str | None:
        lots = sorted(b.id for b in self.svc.batches.list(product_id=self.food.id).items)
        return lots[index % len(lots)] if lots else None

    @rule(index=st.integers(0, 50), delta=st.sampled_from([-3, -1, 1, 2]))
    def adjust(self, index: int, delta: int) -> None:
        batch_id = self._food_lot(index)
        if batch_id is None:
            return
        try:
            self.svc.stock.adjust(batch_id=batch_id, quantity_delta=delta, reason="count")
        except InsufficientStock:
            return
        self.on_hand[self.food.id] += delta
        type(self).steps += 1

    @rule(index=st.integers(0, 50), quantity=st.integers(1, 4), outward=st.booleans())
    def transfer_food(self, index: int, quantity: int, outward: bool) -> None:
        batch_id = self._food_lot(index)
        if batch_id is None:
            return
        source, target = (self.stock, self.shelf) if outward else (self.shelf, self.stock)
        try:
            self.svc.stock.transfer(source, target, batch_id=batch_id, quantity=quantity)
        except InsufficientStock:
            return
        type(self).steps += 1

    @rule(index=st.integers(0, 50))
    def transfer_serial(self, index: int) -> None:
        in_stock = self.svc.serials.search(product_id=self.device.id, status="IN_STOCK",
                                           limit=200).items
        if not in_stock:
            return
        serial = in_stock[index % len(in_stock)]
        target = self.stock if serial.location_id == self.shelf else self.shelf
        self.svc.stock.transfer(str(serial.location_id), target,
                                serial_numbers=[serial.serial_number])
        type(self).steps += 1

    @rule(index=st.integers(0, 50))
    def toggle_hold(self, index: int) -> None:
        batch_id = self._food_lot(index)
        if batch_id is None:
            return
        if self.svc.batches.get(batch_id).hold is None:
            self.svc.batches.hold(batch_id, "qa sample")
        else:
            self.svc.batches.release(batch_id)
        type(self).steps += 1

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def ledger_verifies(self) -> None:
        report = self.svc.ledger.verify()
        assert report.ok, report.problems

    @invariant()
    def balances_never_negative_and_on_hand_matches(self) -> None:
        b, lots = t.lot_balances.c, t.batches.c
        with self.svc.engine.connect() as conn:
            rows = list(conn.execute(
                select(lots.product_id, b.balance_quantity, b.allocated_quantity)
                .join(t.batches, lots.id == b.batch_id).where(b.org_id == self.svc.org_id)))
            custody = conn.execute(select(func.count()).where(
                t.serials.c.org_id == self.svc.org_id,
                t.serials.c.status.in_([s.value for s in CUSTODY_STATUSES]))).scalar_one()
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for product_id, balance, allocated in rows:
            assert balance >= 0 and 0 <= allocated <= balance
            totals[product_id] += balance
        for product in (self.food, self.device):
            assert totals[product.id] == self.on_hand[product.id]
        assert custody == self.on_hand[self.device.id]

    @invariant()
    def every_serial_in_one_status_and_place(self) -> None:
        serials = self.svc.serials.search(product_id=self.device.id, limit=500).items
        counts = self.svc.serials.counts(self.device.id)
        assert counts["ALL"] == len(serials)
        by_status: dict[str, int] = defaultdict(int)
        for serial in serials:
            by_status[serial.status.value] += 1
            assert (serial.location_id is not None) == (serial.status in CUSTODY_STATUSES)
            if serial.status in (S.ALLOCATED, S.PICKED):
                assert serial.order_id is not None
            if serial.status is S.IN_STOCK:
                assert serial.order_id is None
        assert {k: v for k, v in counts.items() if k != "ALL" and v} == dict(by_status)

    @invariant()
    def shipped_is_what_was_allocated_then_shipped(self) -> None:
        for order_id in self.orders:
            view = self.svc.orders.view(order_id)
            shipped = sum((line.shipped_quantity for line in view.lines), Decimal(0))
            assert shipped == self.shipped[order_id]
            for line in view.lines:
                assert line.shipped_quantity <= line.allocated_quantity <= line.quantity


def test_warehouse_flows_keep_ledger_and_projections_consistent(database: Any) -> None:
    machine = type("Flows" + database.backend.title(), (WarehouseFlows,),
                   {"database": database, "examples": 0, "steps": 0})
    started = time.perf_counter()
    run_state_machine_as_test(machine, settings=settings(
        max_examples=MAX_EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    elapsed = time.perf_counter() - started
    print(f"\n{database.backend}: {machine.examples} examples, {machine.steps} successful "
          f"steps in {elapsed:.1f} s")
    assert machine.examples >= MAX_EXAMPLES
