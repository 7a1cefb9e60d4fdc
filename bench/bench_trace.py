"""Trace and recall at scale, against hand-written SQL on the same database (issue 6).

One lot of a serial-tracked product whose 100,000 serials were shipped to 40,000 orders of
10,000 customers (2 or 3 units an order), built fast: the serials through the library's bulk
registration (one movement), customers and orders with bulk inserts, and the shipments as
ledger movements of kind `shipment` with their order (as shipping writes them: one a unit,
hash-chained through the library's `Ledger`), then the serial projection set in bulk.

trace_forward: `svc.trace.forward(lot)` — the lot, every order and customer it reached with
quantities and serial numbers, on hand, and the genealogy below it — vs. one hand-written
join (movements ⋈ orders ⋈ customers ⋈ serials) fetched whole.

recall: `svc.recalls.create(batch_ids=[lot], hold=True)` — the report stored with the recall,
the lots put on hold, in one transaction — vs. the same hand-written join plus the UPDATE that
holds the lot, in one transaction.

Each side runs ROUNDS times, alternating which goes first, and its best time is reported
(noise only ever slows a run down): `name: ours X ms, raw Y ms, ratio R`, R = ours / raw,
target R <= 3. Then a backward trace through a 10-level genealogy (one lot made from the one
before, ten times), in milliseconds."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, insert, update

from lotline.adapters import tables as t
from lotline.adapters.types import sqlite_timestamp
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork as UnitOfWork
from lotline.domain.ids import new_id
from lotline.domain.statuses import MovementKind, SerialStatus
from support import Bench, postgres_bench, serial_numbers, sqlite_bench

SERIALS = 100_000
ORDERS = 40_000
CUSTOMERS = 10_000
ROUNDS = 5
LEVELS = 10
TARGET_RATIO = 3.0

RAW_TRACE = """
SELECT o.reference, c.id, c.name, s.serial_number, m.quantity, m.occurred_at
FROM movements m
JOIN orders o ON o.id = m.order_id
JOIN customers c ON c.id = o.customer_id
JOIN serials s ON s.id = m.serial_id
WHERE m.org_id = {p} AND m.batch_id = {p} AND m.kind = 'shipment'
ORDER BY c.name, o.reference, s.serial_number
"""
RAW_HOLD = ("UPDATE batches SET hold_reason = {p}, hold_kind = 'recall', hold_since = {p} "
            "WHERE org_id = {p} AND id = {p}")


@dataclass(frozen=True)
class Timing:
    name: str
    ours_ms: float
    raw_ms: float

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.raw_ms

    def line(self) -> str:
        verdict = "" if self.ratio <= TARGET_RATIO else f" (target <= {TARGET_RATIO:g})"
        return (f"{self.name}: ours {self.ours_ms:.0f} ms, raw {self.raw_ms:.0f} ms, "
                f"ratio {self.ratio:.2f}{verdict}")


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def best_times(ours: Callable[[], object], raw: Callable[[], object]) -> tuple[float, float]:
    ours_times: list[float] = []
    raw_times: list[float] = []
    for round_no in range(ROUNDS):
        sides = ((ours, ours_times), (raw, raw_times))
        for run, times in sides if round_no % 2 == 0 else reversed(sides):
            times.append(seconds(run))
    return min(ours_times) * 1000, min(raw_times) * 1000


# --- the data ----------------------------------------------------------------------------------


def shipped_lot(bench: Bench) -> str:
    """The lot of SERIALS units shipped to ORDERS orders; its id."""
    svc = bench.svc
    product = svc.products.create_product(sku="RECALL-UNIT", name="Recalled unit",
                                          tracking="lot_serial")
    lot = svc.batches.create(product_id=product.id, batch_number="RECALL-LOT",
                             quantity=SERIALS, unit_cost="4.5")
    svc.serials.register_many(serial_numbers("RC", SERIALS), batch_id=lot.id)
    now = dt.datetime.now(dt.UTC)
    org = svc.org_id
    customer_ids = [new_id() for _ in range(CUSTOMERS)]
    order_ids = [new_id() for _ in range(ORDERS)]
    serials = svc.serials.search(batch_id=lot.id, limit=1).items[0]
    stock_id = serials.location_id
    with svc.engine.begin() as conn:
        conn.execute(insert(t.customers), [
            {"id": cid, "org_id": org, "name": f"Customer {i:05d}", "city": "Lisbon",
             "created_at": now, "updated_at": now} for i, cid in enumerate(customer_ids)])
        conn.execute(insert(t.orders), [
            {"id": oid, "org_id": org, "reference": f"SO-{i:06d}",
             "customer_id": customer_ids[i % CUSTOMERS], "status": "shipped",
             "created_at": now, "updated_at": now} for i, oid in enumerate(order_ids)])
        conn.execute(insert(t.order_lines), [
            {"id": new_id(), "org_id": org, "order_id": oid, "line_no": 1,
             "product_id": product.id, "quantity": Decimal(3 if i < SERIALS - 2 * ORDERS
                                                           else 2)}
            for i, oid in enumerate(order_ids)])
    s = t.serials.c
    with UnitOfWork(svc.engine, svc.actor) as uow:
        ids = list(uow.conn.execute(t.serials.select().with_only_columns(s.id)
                                    .where(s.batch_id == lot.id).order_by(s.serial_number))
                   .scalars())
        for index, serial_id in enumerate(ids):
            uow.ledger.record(MovementKind.SHIPMENT, product_id=product.id, batch_id=lot.id,
                              serial_id=serial_id, quantity=Decimal(1),
                              from_location_id=stock_id, from_status=SerialStatus.IN_STOCK,
                              to_status=SerialStatus.SHIPPED,
                              order_id=order_ids[index % ORDERS], unit_cost=Decimal("4.5"),
                              occurred_at=now)  # one moment a shipment, as shipping writes
        uow.conn.execute(
            update(t.serials).where(s.id == bindparam("sid")).values(
                status="SHIPPED", location_id=None, warehouse_id=None,
                order_id=bindparam("oid")),
            [{"sid": serial_id, "oid": order_ids[index % ORDERS]}
             for index, serial_id in enumerate(ids)])
        lb, sc = t.lot_balances.c, t.serial_status_counts.c
        uow.conn.execute(update(t.lot_balances).where(lb.batch_id == lot.id)
                         .values(balance_quantity=0))
        # Every unit shipped: the product's counts (over all their slots) become one row.
        uow.conn.execute(delete(t.serial_status_counts).where(
            sc.org_id == org, sc.product_id == product.id))
        uow.conn.execute(insert(t.serial_status_counts).values(
            org_id=org, product_id=product.id, status="SHIPPED", slot=0, count=SERIALS))
    return lot.id


def genealogy_chain(bench: Bench) -> str:
    """LEVELS transformations, each lot made from the one before: the last lot's id."""
    svc = bench.svc
    product = svc.products.create_product(sku="CHAIN", name="Chain", tracking="lot")
    lot = svc.batches.create(product_id=product.id, batch_number="CHAIN-0", quantity=1000)
    batch_id = lot.id
    for level in range(1, LEVELS + 1):
        made = svc.transformations.transform(
            inputs=[{"batch_id": batch_id, "quantity": 10}],
            outputs=[{"product_id": product.id, "batch_number": f"CHAIN-{level}",
                      "quantity": 500}])
        batch_id = made.outputs[0].batch_id or ""
    return batch_id


# --- measurements ------------------------------------------------------------------------------


def check_same(forward: Any, raw_rows: list[Any]) -> None:
    orders = {d.order_reference for d in forward.deliveries}
    assert len(orders) == ORDERS == len({row[0] for row in raw_rows}), len(orders)
    assert sum(len(d.serial_numbers) for d in forward.deliveries) == SERIALS == len(raw_rows)


def measure(bench: Bench, raw_query: Callable[[str], list[Any]],
            raw_recall: Callable[[str], object]) -> list[Timing]:
    lot_id = shipped_lot(bench)
    svc = bench.svc
    check_same(svc.trace.forward(lot_id), raw_query(lot_id))  # and warm both sides up
    ours, raw = best_times(lambda: svc.trace.forward(lot_id), lambda: raw_query(lot_id))
    results = [Timing(f"trace_forward ({bench.backend})", ours, raw)]
    recall = svc.recalls.create(reason="bench", batch_ids=[lot_id], hold=True)
    assert recall.shipped_quantity == SERIALS, recall.shipped_quantity
    ours, raw = best_times(
        lambda: svc.recalls.create(reason="bench", batch_ids=[lot_id], hold=True),
        lambda: raw_recall(lot_id))
    results.append(Timing(f"recall ({bench.backend})", ours, raw))
    for result in results:
        print(result.line(), flush=True)
    top = genealogy_chain(bench)
    tree = svc.trace.backward(top)
    depth = 0
    while tree.inputs:
        tree, depth = tree.inputs[0], depth + 1
    assert depth == LEVELS, depth
    best = min(seconds(lambda: svc.trace.backward(top)) for _ in range(5)) * 1000
    print(f"trace_backward_{LEVELS}_levels ({bench.backend}): {best:.1f} ms", flush=True)
    return results


def sqlite_side() -> list[Timing]:
    with sqlite_bench() as bench:
        conn = bench.sqlite_connect()
        org = bench.svc.org_id

        def query(lot_id: str) -> list[Any]:
            return conn.execute(RAW_TRACE.format(p="?"), (org, lot_id)).fetchall()

        def recall(lot_id: str) -> None:
            conn.execute("BEGIN IMMEDIATE")
            query(lot_id)
            conn.execute(RAW_HOLD.format(p="?"),
                         ("bench", sqlite_timestamp(dt.datetime.now(dt.UTC)),
                                                  org, lot_id))
            conn.execute("COMMIT")

        try:
            return measure(bench, query, recall)
        finally:
            conn.close()


def postgres_side(url: str) -> list[Timing]:
    with postgres_bench(url) as bench, bench.postgres_connect() as conn:
        org = bench.svc.org_id

        def query(lot_id: str) -> list[Any]:
            with conn.transaction():
                return conn.execute(RAW_TRACE.format(p="%s"), (org, lot_id)).fetchall()

        def recall(lot_id: str) -> None:
            with conn.transaction():
                conn.execute(RAW_TRACE.format(p="%s"), (org, lot_id)).fetchall()
                conn.execute(RAW_HOLD.format(p="%s"), ("bench", dt.datetime.now(dt.UTC), org,
                                                       lot_id))

        return measure(bench, query, recall)


def main(postgres_url: str | None = None) -> list[Timing]:
    results = sqlite_side()
    if postgres_url:
        results += postgres_side(postgres_url)
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOTLINE_TEST_POSTGRES_URL"))
