"""Helpers for the integration tests (imported by their conftest and modules): a `Kit` that
makes master data with few words, reads the ledger behind the services' back, and checks every
hash chain of an organization."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, Row, func, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.movements import movement_from_row
from lotline.bootstrap import Services
from lotline.domain.ledger import GENESIS_HASH, recompute_hash
from lotline.domain.model import Batch, Customer, Movement, Order, Product, Supplier
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor

FIXED_NOW = dt.datetime(2026, 4, 10, 9, 30, 0, 250000, tzinfo=dt.UTC)


def fixed_clock(moment: dt.datetime = FIXED_NOW) -> Callable[[], dt.datetime]:
    return lambda: moment


def read_movements(engine: Engine, org_id: str, **where: Any) -> list[Movement]:
    """The organization's movements (optionally filtered by column), by stream then seq, with
    the serial numbers a bulk movement covers."""
    m = t.movements.c
    statement = select(t.movements).where(m.org_id == org_id,
                                          *(m[k] == v for k, v in where.items()))
    with engine.connect() as conn:
        rows = list(conn.execute(statement.order_by(m.stream_id, m.seq)))
        numbers = _bulk_numbers(conn, org_id, rows)
    return [movement_from_row(row, numbers.get(row.id, ())) for row in rows]


def _bulk_numbers(conn: Any, org_id: str, rows: list[Row[Any]]) -> dict[str, list[str]]:
    bulk = [row.id for row in rows if row.serial_id is None]
    if not bulk:
        return {}
    s = t.serials.c
    result: dict[str, list[str]] = defaultdict(list)
    for movement_id, number in conn.execute(select(s.entry_movement_id, s.serial_number).where(
            s.org_id == org_id, s.entry_movement_id.in_(bulk))):
        result[movement_id].append(number)
    return result


def chain_problems(engine: Engine, org_id: str) -> list[str]:
    """Every break in the organization's hash chains, recomputed from scratch: seq gaps, wrong
    prev_hash links, rows whose hash does not match their content, heads that disagree."""
    problems: list[str] = []
    streams: dict[str, list[Movement]] = defaultdict(list)
    for movement in read_movements(engine, org_id):
        streams[movement.stream_id].append(movement)
    heads: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in (t.batches, t.products):
            for row in conn.execute(select(table.c.id, table.c.chain_seq, table.c.chain_head)
                                    .where(table.c.org_id == org_id)):
                heads[row.id] = (int(row.chain_seq), row.chain_head)
    for stream_id, movements in streams.items():
        previous = GENESIS_HASH
        for expected_seq, movement in enumerate(movements, start=1):
            if movement.seq != expected_seq:
                problems.append(f"{stream_id}: seq {movement.seq} where {expected_seq} expected")
            if movement.prev_hash != previous:
                problems.append(f"{stream_id}#{movement.seq}: prev_hash does not link")
            if recompute_hash(movement) != movement.hash:
                problems.append(f"{stream_id}#{movement.seq}: hash does not match the row")
            previous = movement.hash
        last = movements[-1]
        if heads.get(stream_id) != (last.seq, last.hash):
            problems.append(f"{stream_id}: head {heads.get(stream_id)} is not the last row "
                            f"({last.seq})")
    for stream_id, (seq, _head) in heads.items():
        if seq > 0 and stream_id not in streams:
            problems.append(f"{stream_id}: head at {seq} but the stream has no rows")
    return problems


def count_rows(engine: Engine, table: t.Table, org_id: str, **where: Any) -> int:
    statement = select(func.count()).select_from(table).where(
        table.c.org_id == org_id, *(table.c[k] == v for k, v in where.items()))
    with engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


class Kit:
    """Master data with few words for one organization's services."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._numbers = itertools.count(1)

    def _next(self) -> int:
        return next(self._numbers)

    def product(self, tracking: str = "lot", **fields: Any) -> Product:
        n = self._next()
        values = {"sku": f"SKU-{n}", "name": f"Product {n}", "tracking": tracking, **fields}
        return self.svc.products.create_product(**values)

    def supplier(self, name: str | None = None, **fields: Any) -> Supplier:
        return self.svc.suppliers.create_supplier(name=name or f"Supplier {self._next()}",
                                                  **fields)

    def customer(self, name: str | None = None, **fields: Any) -> Customer:
        return self.svc.customers.create_customer(name=name or f"Customer {self._next()}",
                                                  **fields)

    def order(self, *products: Product, quantity: int = 1,
              customer: Customer | None = None) -> Order:
        customer = customer or self.customer()
        return self.svc.orders.create_order(
            reference=f"SO-{self._next()}", customer_id=customer.id,
            lines=[{"product_id": p.id, "quantity": quantity} for p in products])

    def lot(self, product: Product, number: str | None = None, **fields: Any) -> Batch:
        return self.svc.batches.create(product_id=product.id,
                                       batch_number=number or f"LOT-{self._next()}", **fields)

    def serial_lot(self, quantity: int = 10, **fields: Any) -> tuple[Product, Batch]:
        product = self.product("lot_serial")
        return product, self.lot(product, quantity=quantity, **fields)

    def movements(self, **where: Any) -> list[Movement]:
        return read_movements(self.svc.engine, self.svc.org_id, **where)

    def count(self, table: t.Table, **where: Any) -> int:
        return count_rows(self.svc.engine, table, self.svc.org_id, **where)

    def chain_problems(self) -> list[str]:
        return chain_problems(self.svc.engine, self.svc.org_id)

    def as_role(self, role: Role) -> Services:
        """The same organization's services, acting with another role."""
        return self.svc.acting_as(Actor(org_id=self.svc.org_id, name=f"a-{role.value}",
                                        role=role))

    def stock_location_id(self) -> str:
        return self.svc.warehouses.location_by_code("STOCK").id

    def location_id(self, code: str) -> str:
        return self.svc.warehouses.location_by_code(code).id
