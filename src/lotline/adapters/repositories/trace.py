"""Trace queries (Core, set-based): genealogy walked with recursive CTEs, deliveries summed per
lot and order in the database, so a recall of a lot shipped to tens of thousands of orders is a
handful of queries, not one per order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, literal, or_, select

from lotline.adapters import tables as t
from lotline.domain.statuses import MovementKind
from lotline.domain.trace import Customer, Delivery, LotRef, ReceiptRef, TransformationRef

MAX_DEPTH = 64  # guards the recursion even though genealogy is acyclic by construction


class TraceRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def _walk(self, start: Sequence[str], downward: bool) -> list[Any]:
        """Genealogy edges reachable from `start` lots (descendants or ancestors)."""
        g = t.genealogy.c
        near, far = (g.input_batch_id, g.output_batch_id) if downward else \
            (g.output_batch_id, g.input_batch_id)
        seed = select(far.label("batch_id"), literal(1).label("depth")).where(
            g.org_id == self.org_id, near.in_(list(start)), far.isnot(None))
        reach = seed.cte("reach", recursive=True)
        step = (select(far, reach.c.depth + 1).join(reach, near == reach.c.batch_id)
                .where(g.org_id == self.org_id, far.isnot(None), reach.c.depth < MAX_DEPTH))
        reach = reach.union(step)
        statement = select(t.genealogy).where(
            g.org_id == self.org_id,
            or_(near.in_(list(start)), near.in_(select(reach.c.batch_id))))
        return list(self.conn.execute(statement))

    def ancestor_edges(self, start: Sequence[str]) -> list[Any]:
        return self._walk(start, downward=False)

    def descendant_edges(self, start: Sequence[str]) -> list[Any]:
        return self._walk(start, downward=True)

    def lot_refs(self, ids: Sequence[str]) -> dict[str, LotRef]:
        b, p, s = t.batches.c, t.products.c, t.suppliers.c
        statement = (select(b.id, b.batch_number, b.product_id, p.sku, p.name, b.supplier_id,
                            s.name.label("supplier_name"), b.manufacturer_batch_number,
                            b.manufacturing_date, b.expiry_date, b.quantity)
                     .join(t.products, p.id == b.product_id)
                     .outerjoin(t.suppliers, s.id == b.supplier_id)
                     .where(b.org_id == self.org_id, b.id.in_(list(ids))))
        return {row.id: LotRef(
            batch_id=row.id, batch_number=row.batch_number, product_id=row.product_id,
            product_sku=row.sku, product_name=row.name, supplier_id=row.supplier_id,
            supplier_name=row.supplier_name,
            manufacturer_batch_number=row.manufacturer_batch_number,
            manufacturing_date=row.manufacturing_date, expiry_date=row.expiry_date,
            quantity=row.quantity) for row in self.conn.execute(statement)}

    def receipts(self, *, batch_ids: Sequence[str] = (),
                 serial_ids: Sequence[str] = ()) -> dict[str, list[ReceiptRef]]:
        """Receipts into each lot (or of each lotless serial), by batch or serial id."""
        m, r = t.movements.c, t.receipts.c
        key = m.batch_id if batch_ids else m.serial_id
        statement = (select(key.label("key"), m.receipt_id, r.reference,
                            func.min(m.recorded_at), func.sum(m.quantity))
                     .outerjoin(t.receipts, r.id == m.receipt_id)
                     .where(m.org_id == self.org_id, m.kind == MovementKind.RECEIPT.value,
                            key.in_(list(batch_ids or serial_ids)))
                     .group_by(key, m.receipt_id, r.reference))
        result: dict[str, list[ReceiptRef]] = defaultdict(list)
        for row in self.conn.execute(statement):
            result[row[0]].append(ReceiptRef(receipt_id=row[1], reference=row[2],
                                             received_at=_utc(row[3]), quantity=row[4]))
        return result

    def transformations(self, ids: Sequence[str]) -> dict[str, TransformationRef]:
        tr = t.transformations.c
        rows = self.conn.execute(select(t.transformations).where(
            tr.org_id == self.org_id, tr.id.in_(list(ids))))
        return {row.id: TransformationRef(id=row.id, reference=row.reference, kind=row.kind,
                                          occurred_at=row.occurred_at) for row in rows}

    def serial_numbers(self, ids: Sequence[str]) -> dict[str, str]:
        s = t.serials.c
        rows = self.conn.execute(select(s.id, s.serial_number).where(
            s.org_id == self.org_id, s.id.in_(list(ids))))
        return {row[0]: row[1] for row in rows}

    def deliveries(self, batch_ids: Sequence[str]) -> list[Delivery]:
        """Per lot and order: what shipped (reversed shipments excluded) and came back."""
        shipped = self._moved(batch_ids, MovementKind.SHIPMENT)
        returned = {(row.batch_id, row.order_id): row.quantity
                    for row in self.conn.execute(self._summed(batch_ids, MovementKind.RETURN))}
        numbers = self._shipped_serials(batch_ids)
        return [Delivery(order_id=row.order_id, order_reference=row.reference,
                         customer_id=row.customer_id, customer_name=row.name,
                         batch_id=row.batch_id, quantity=row.quantity,
                         returned_quantity=returned.get((row.batch_id, row.order_id),
                                                        Decimal(0)),
                         serial_numbers=sorted(numbers.get((row.batch_id, row.order_id), [])),
                         first_shipped_at=_utc(row.first), last_shipped_at=_utc(row.last))
                for row in self.conn.execute(shipped)]

    def _not_reversed(self) -> Any:
        m, rev = t.movements.c, t.movements.alias("rev")
        return ~exists().where(rev.c.reverses_id == m.id)

    def _summed(self, batch_ids: Sequence[str], kind: MovementKind) -> Select[Any]:
        m = t.movements.c
        return (select(m.batch_id, m.order_id, func.sum(m.quantity).label("quantity"))
                .where(m.org_id == self.org_id, m.kind == kind.value,
                       m.batch_id.in_(list(batch_ids)), self._not_reversed())
                .group_by(m.batch_id, m.order_id))

    def _moved(self, batch_ids: Sequence[str], kind: MovementKind) -> Select[Any]:
        m, o, c = t.movements.c, t.orders.c, t.customers.c
        return (select(m.batch_id, m.order_id, o.reference, o.customer_id, c.name,
                       func.sum(m.quantity).label("quantity"),
                       func.min(m.occurred_at).label("first"),
                       func.max(m.occurred_at).label("last"))
                .outerjoin(t.orders, o.id == m.order_id)
                .outerjoin(t.customers, c.id == o.customer_id)
                .where(m.org_id == self.org_id, m.kind == kind.value,
                       m.batch_id.in_(list(batch_ids)), self._not_reversed())
                .group_by(m.batch_id, m.order_id, o.reference, o.customer_id, c.name)
                .order_by(c.name, o.reference))

    def _shipped_serials(self, batch_ids: Sequence[str]) -> dict[tuple[str, str], list[str]]:
        m, s = t.movements.c, t.serials.c
        statement = (select(m.batch_id, m.order_id, s.serial_number)
                     .join(t.serials, s.id == m.serial_id)
                     .where(m.org_id == self.org_id, m.kind == MovementKind.SHIPMENT.value,
                            m.batch_id.in_(list(batch_ids)), self._not_reversed()))
        result: dict[tuple[str, str], list[str]] = defaultdict(list)
        for batch_id, order_id, number in self.conn.execute(statement):
            result[(batch_id, order_id)].append(number)
        return result

    def customers(self, ids: Sequence[str]) -> dict[str, Customer]:
        c = t.customers.c
        rows = self.conn.execute(select(t.customers).where(c.org_id == self.org_id,
                                                            c.id.in_(list(ids))))
        return {row.id: Customer(id=row.id, name=row.name, code=row.code, email=row.email,
                                 phone=row.phone,
                                 address={"street": row.street, "city": row.city,
                                          "postal_code": row.postal_code,
                                          "country": row.country}) for row in rows}

    def on_hand(self, batch_ids: Sequence[str]) -> list[Any]:
        b, loc = t.lot_balances.c, t.locations.c
        statement = (select(b.batch_id, b.location_id, loc.code, b.balance_quantity,
                            b.allocated_quantity)
                     .join(t.locations, loc.id == b.location_id)
                     .where(b.org_id == self.org_id, b.batch_id.in_(list(batch_ids)),
                            b.balance_quantity > 0)
                     .order_by(b.batch_id, loc.code))
        return list(self.conn.execute(statement))

    def pending(self, batch_ids: Sequence[str]) -> list[Any]:
        """Allocated or picked, not yet shipped: per lot, order and status."""
        a, o, s = t.order_allocations.c, t.orders.c, t.serials.c
        statement = (select(a.batch_id, a.order_id, o.reference, o.customer_id, a.status,
                            func.sum(a.quantity).label("quantity"),
                            func.count(a.serial_id).label("serials"))
                     .join(t.orders, o.id == a.order_id)
                     .where(a.org_id == self.org_id, a.batch_id.in_(list(batch_ids)),
                            a.status.in_(["allocated", "picked"]))
                     .group_by(a.batch_id, a.order_id, o.reference, o.customer_id, a.status))
        rows = list(self.conn.execute(statement))
        serial_rows = self.conn.execute(
            select(a.batch_id, a.order_id, s.serial_number).join(t.serials, s.id == a.serial_id)
            .where(a.org_id == self.org_id, a.batch_id.in_(list(batch_ids)),
                   and_(a.status.in_(["allocated", "picked"]))))
        numbers: dict[tuple[str, str], list[str]] = defaultdict(list)
        for batch_id, order_id, number in serial_rows:
            numbers[(batch_id, order_id)].append(number)
        return [(row, sorted(numbers.get((row.batch_id, row.order_id), []))) for row in rows]


def _utc(value: Any) -> Any:
    """Aggregated timestamps may come back as naive text on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value
