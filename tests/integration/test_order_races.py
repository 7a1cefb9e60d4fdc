"""Fulfilment steps racing on one order (issue 17, finding 1): clients sending the same step at
once must act once. Each racer has its own Services object (its own connections and units of
work) on the same engine; a barrier lines them up. On PostgreSQL the order row is locked
(`SELECT ... FOR UPDATE`) before anything about it is decided; SQLite's BEGIN IMMEDIATE
serialises the writers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from flow_support import Flows
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.flows import OrderView
from lotline.domain.ids import new_id
from lotline.errors import Conflict, ValidationError
from support import Kit

RACERS = 8


def race(flows: Flows, step: Callable[[Services], Any], racers: int = RACERS) -> list[Any]:
    """Run `step` in `racers` threads released at once; each result or exception."""
    barrier = threading.Barrier(racers)
    services = [Services(flows.svc.engine, flows.svc.actor) for _ in range(racers)]

    def run(racer: Services) -> Any:
        barrier.wait(timeout=30)
        return step(racer)

    with ThreadPoolExecutor(max_workers=racers) as pool:
        futures = [pool.submit(run, racer) for racer in services]
        return [f.exception(timeout=120) or f.result() for f in futures]


def line_totals(flows: Flows, order_id: str) -> tuple[Decimal, Decimal, Decimal]:
    line = flows.svc.orders.view(order_id).lines[0]
    return line.allocated_quantity, line.picked_quantity, line.shipped_quantity


def ledger_total(flows: Flows, order_id: str, kind: str) -> Decimal:
    return sum((m.quantity for m in flows.movements(order_id=order_id) if m.kind.value == kind),
               Decimal(0))


@pytest.mark.parametrize("racers", [2, RACERS])
def test_clients_allocating_one_lot_order_at_once_allocate_it_once(flows: Flows,
                                                                    racers: int) -> None:
    food = flows.product("lot")
    lot = flows.stock_lot(food, "PLENTY", 100)
    order = flows.order(food, quantity=3)
    results = race(flows, lambda s: s.orders.allocate(order.id), racers)
    assert all(isinstance(r, OrderView) for r in results), results
    assert line_totals(flows, order.id) == (3, 0, 0)
    assert ledger_total(flows, order.id, "allocation") == 3
    batch = flows.svc.batches.get(lot.id)
    assert (batch.balance_quantity, batch.available_quantity) == (100, 97)
    flows.verified()


def test_clients_shipping_one_order_at_once_ship_it_once(flows: Flows) -> None:
    food = flows.product("lot")
    lot = flows.stock_lot(food, "SHIP", 100)
    other = flows.order(food, quantity=50)  # allocated stock of another order in the same lot
    flows.svc.orders.allocate(other.id)
    order = flows.order(food, quantity=3)
    flows.svc.orders.allocate(order.id)
    results = race(flows, lambda s: s.orders.ship(order.id))
    shipped = [r for r in results if isinstance(r, OrderView)]
    assert len(shipped) == 1, results
    assert all(isinstance(r, Conflict) for r in results if r not in shipped), results
    assert line_totals(flows, order.id) == (3, 0, 3)
    assert ledger_total(flows, order.id, "shipment") == 3
    batch = flows.svc.batches.get(lot.id)
    assert (batch.balance_quantity, batch.available_quantity) == (97, 47)
    flows.verified()


def test_clients_picking_one_order_at_once_pick_each_unit_once(flows: Flows) -> None:
    food = flows.product("lot")
    lot = flows.stock_lot(food, "PICK", 100)
    order = flows.order(food, quantity=3)
    flows.svc.orders.allocate(order.id)
    scan = {"batch_id": lot.id, "quantity": 1}
    results = race(flows, lambda s: s.orders.pick(order.id, [scan]))
    picked = [r for r in results if isinstance(r, OrderView)]
    assert len(picked) == 3, results
    assert all(isinstance(r, Conflict) for r in results if r not in picked), results
    assert line_totals(flows, order.id) == (3, 3, 0)
    assert ledger_total(flows, order.id, "pick") == 3
    flows.verified()


def test_clients_cancelling_one_order_at_once_release_it_once(flows: Flows) -> None:
    food = flows.product("lot")
    lot = flows.stock_lot(food, "CANCEL", 10)
    order = flows.order(food, quantity=3)
    flows.svc.orders.allocate(order.id)
    results = race(flows, lambda s: s.orders.cancel(order.id, "duplicate"))
    assert sum(isinstance(r, OrderView) for r in results) == 1, results
    assert ledger_total(flows, order.id, "deallocation") == 3
    batch = flows.svc.batches.get(lot.id)
    assert (batch.balance_quantity, batch.available_quantity) == (10, 10)
    flows.verified()


def test_serials_assigned_directly_to_one_order_at_once_never_overfill_it(flows: Flows) -> None:
    device = flows.product("serial")
    numbers = [f"DIRECT-{n}" for n in range(RACERS)]
    flows.stock_serials(device, numbers)
    order = flows.order(device, quantity=1)
    serial_ids = [flows.svc.serials.lookup(n).id for n in numbers]
    chosen = iter(serial_ids)
    lock = threading.Lock()

    def assign(racer: Services) -> Any:
        with lock:
            serial_id = next(chosen)
        return racer.serials.change_status(serial_id, "ALLOCATED", order_id=order.id)

    results = race(flows, assign)
    assert sum(not isinstance(r, BaseException) for r in results) == 1, results
    for error in (r for r in results if isinstance(r, BaseException)):
        assert isinstance(error, Conflict) and "all are assigned already" in error.message, error
    assert flows.svc.serials.counts(device.id)["ALLOCATED"] == 1
    assert line_totals(flows, order.id)[0] == 1
    flows.verified()


# --- the database's own guard, and `ledger verify` when the guard is gone ----------------------

GUARD = pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)


def extra_allocation(flows: Flows, order_id: str, batch_id: str, quantity: int) -> None:
    """One more allocation row for the order's first line, written behind the service's back."""
    view = flows.svc.orders.view(order_id)
    line = view.lines[0]
    location = flows.svc.batches.get(batch_id).associated_locations[0].location_id
    now = flows.svc.actor.now()
    with flows.svc.engine.begin() as conn:
        conn.execute(insert(t.order_allocations).values(
            id=new_id(), org_id=flows.svc.org_id, order_id=order_id, order_line_id=line.id,
            product_id=line.product_id, batch_id=batch_id, location_id=location,
            quantity=Decimal(quantity), picked_quantity=Decimal(0),
            returned_quantity=Decimal(0), unit_cost=Decimal(1), status="allocated",
            created_at=now, updated_at=now))


def drop_line_guard(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER order_allocations_within_line_insert"))
            conn.execute(text("DROP TRIGGER order_allocations_within_line_update"))
        else:
            conn.execute(text("DROP TRIGGER order_allocations_within_line ON order_allocations"))


@GUARD
def test_the_database_refuses_a_lot_allocation_past_its_line(fresh_database: Any) -> None:
    flows = Flows(Kit(fresh_database.services()))
    food = flows.product("lot")
    lot = flows.stock_lot(food, "GUARD", 10)
    order = flows.order(food, quantity=3)
    flows.svc.orders.allocate(order.id, lines=[{"line_id": flows.svc.orders.get(
        order.id).lines[0].id, "quantity": 2}])
    extra_allocation(flows, order.id, lot.id, 1)  # 3 of 3: allowed
    with pytest.raises(IntegrityError) as caught:
        extra_allocation(flows, order.id, lot.id, 1)
    assert "order line over-allocated" in str(caught.value)
    assert flows.svc.orders.view(order.id).lines[0].allocated_quantity == 3


@GUARD
def test_ledger_verify_reports_a_line_holding_more_than_it_orders(fresh_database: Any) -> None:
    flows = Flows(Kit(fresh_database.services()))
    food = flows.product("lot")
    lot = flows.stock_lot(food, "OVER", 10)
    order = flows.order(food, quantity=3)
    flows.svc.orders.allocate(order.id)
    assert flows.svc.ledger.verify().ok
    drop_line_guard(flows.svc.engine)  # as an attacker (or a bug before this check) would
    extra_allocation(flows, order.id, lot.id, 2)
    problems = [(p.kind, p.stream_id, p.movement_id, p.detail)
                for p in flows.svc.ledger.verify().problems]
    assert problems == [("over_allocated", None, None,
                         f"order {order.reference!r} line 1 orders 3 but holds 5 (allocated, "
                         "picked or shipped; 0 picked)")]


def test_clients_receiving_one_receipt_at_once_receive_it_once(flows: Flows) -> None:
    food = flows.product("lot")
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 5,
                                           "unit_cost": "2"})
    body = [{"line_id": receipt.lines[0].id, "lots": [{"batch_number": "ONCE", "quantity": 5}]}]
    results = race(flows, lambda s: s.receipts.receive(receipt.id, body))
    received = [r for r in results if not isinstance(r, BaseException)]
    assert len(received) == 1, results
    for error in (r for r in results if isinstance(r, BaseException)):
        assert isinstance(error, ValidationError), error
        assert [e.field for e in error.errors] == ["lines.0.lots"], error
    assert flows.svc.receipts.get(receipt.id).lines[0].received_quantity == 5
    assert flows.lot(food, "ONCE").balance_quantity == 5
    flows.verified()
