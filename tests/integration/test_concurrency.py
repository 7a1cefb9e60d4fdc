"""Allocation under concurrency (DESIGN §4): orders racing for the last units of a lot, or the
last serial — exactly as many win as there are units, every loser gets InsufficientStock (409),
no balance ever goes negative, and the ledger verifies. Each racer has its own Services object
on the same engine; a barrier lines them up. On SQLite (a file database) BEGIN IMMEDIATE
serialises the writers; on PostgreSQL compare-and-set updates and row locks decide."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from flow_support import Flows
from sqlalchemy import select

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.flows import OrderView
from lotline.errors import InsufficientStock

ROUNDS = 3


def race(flows: Flows, orders: list[str]) -> list[OrderView | BaseException]:
    """Allocate each order in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(orders))
    racers = [Services(flows.svc.engine, flows.svc.actor) for _ in orders]

    def allocate(racer: Services, order_id: str) -> Callable[[], OrderView]:
        def run() -> OrderView:
            barrier.wait(timeout=30)
            return racer.orders.allocate(order_id)
        return run

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        futures = [pool.submit(allocate(r, o)) for r, o in zip(racers, orders, strict=True)]
        results: list[OrderView | BaseException] = []
        for future in futures:
            error = future.exception(timeout=120)
            results.append(error if error is not None else future.result())
    return results


def outcome(results: list[OrderView | BaseException]) -> tuple[int, list[BaseException]]:
    won = [r for r in results if isinstance(r, OrderView)]
    lost = [r for r in results if not isinstance(r, OrderView)]
    return len(won), lost


def no_negative_balances(flows: Flows) -> None:
    b = t.lot_balances.c
    with flows.svc.engine.connect() as conn:
        rows = list(conn.execute(select(b.balance_quantity, b.allocated_quantity)
                                 .where(b.org_id == flows.svc.org_id)))
    assert rows
    assert all(balance >= 0 and 0 <= allocated <= balance for balance, allocated in rows)


@pytest.mark.parametrize("racers", [2, 4])
def test_orders_racing_for_the_last_units_of_a_lot(flows: Flows, racers: int) -> None:
    units = racers // 2
    for round_no in range(ROUNDS):
        food = flows.product("lot")
        lot = flows.stock_lot(food, f"LAST-{round_no}", units)
        orders = [flows.order(food).id for _ in range(racers)]
        won, lost = outcome(race(flows, orders))
        assert won == units, lost
        assert len(lost) == racers - units
        for error in lost:
            assert isinstance(error, InsufficientStock), repr(error)
            assert error.http_status == 409
            assert f"{food.sku} short by 1" in error.message
        batch = flows.svc.batches.get(lot.id)
        assert (batch.balance_quantity, batch.available_quantity) == (units, 0)
        statuses = sorted(flows.svc.orders.view(o).status for o in orders)
        assert statuses == sorted(["allocated"] * units + ["open"] * (racers - units))
        allocations = [m for m in flows.movements(batch_id=lot.id)
                       if m.kind.value == "allocation"]
        assert sum((m.quantity for m in allocations), Decimal(0)) == units
    no_negative_balances(flows)
    flows.verified()


@pytest.mark.parametrize("racers", [2, 4])
def test_orders_racing_for_the_last_serials(flows: Flows, racers: int) -> None:
    units = racers // 2
    for round_no in range(ROUNDS):
        device = flows.product("lot_serial")
        numbers = [f"LAST-{round_no}-{i}" for i in range(units)]
        lot = flows.stock_serials(device, numbers, number=f"L-{round_no}")
        assert lot is not None
        orders = [flows.order(device).id for _ in range(racers)]
        results = race(flows, orders)
        won, lost = outcome(results)
        assert won == units, lost
        for error in lost:
            assert isinstance(error, InsufficientStock), repr(error)
            assert error.http_status == 409
        winners = {r.id for r in results if isinstance(r, OrderView)}
        holders = [flows.serial(n) for n in numbers]
        assert all(status == "ALLOCATED" and location == "STOCK" for status, location, _ in
                   holders)
        assert {order for _, _, order in holders} == winners  # one serial per winning order
        assert flows.svc.serials.counts(device.id)["ALLOCATED"] == units
        assert flows.svc.batches.get(lot.id).available_quantity == 0
    no_negative_balances(flows)
    flows.verified()
