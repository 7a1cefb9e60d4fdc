"""Customer orders and their lines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, bindparam, func, insert, literal_column, select

from lotline.adapters import tables as t
from lotline.adapters.direct import run
from lotline.adapters.repositories.base import ScopedRepository
from lotline.adapters.repositories.catalog import CustomerRepository, ProductRepository
from lotline.adapters.repositories.common import cached_statement, part
from lotline.domain.flows import OrderFacts
from lotline.domain.model import Order, OrderLine, Page
from lotline.domain.statuses import SerialStatus


class OrderRepository(ScopedRepository[Order]):
    table = t.orders
    entity_name = "order"

    def to_entity(self, row: Row[Any]) -> Order:
        return self._with_lines([row])[0]

    def _with_lines(self, rows: list[Row[Any]]) -> list[Order]:
        ids = [row.id for row in rows]
        lines: dict[str, list[OrderLine]] = {order_id: [] for order_id in ids}
        if ids:
            ol = t.order_lines
            statement = cached_statement(("order_lines", "of orders"), lambda: select(ol).where(
                ol.c.order_id.in_(bindparam("order_ids", expanding=True))).order_by(
                ol.c.order_id, ol.c.line_no))
            for line in run(self.conn, statement, {"order_ids": ids}):
                lines[line.order_id].append(OrderLine(
                    id=line.id, line_no=line.line_no, product_id=line.product_id,
                    quantity=line.quantity, unit_price=line.unit_price))
        return [Order(id=row.id, reference=row.reference, customer_id=row.customer_id,
                      status=row.status, lines=lines[row.id], created_at=row.created_at,
                      updated_at=row.updated_at) for row in rows]

    def facts(self, order_id: str, *, for_update: bool = False) -> OrderFacts | None:
        """The order, its lines, its shipments' ids (in id order), its customer and its
        lines' products in ONE statement: allocating, picking and shipping each start here."""
        dialect = self.conn.dialect.name
        statement = cached_statement(("orders", "facts", for_update, dialect),
                                     lambda: _facts_statement(for_update, dialect))
        rows = run(self.conn, statement, {"org_id": self.org_id, "order_id": order_id}).all()
        if not rows:
            return None
        first = rows[0]
        lines = [OrderLine(id=row.line_id, line_no=row.line_no, product_id=row.product_id,
                           quantity=row.quantity, unit_price=row.unit_price)
                 for row in rows if row.line_id is not None]
        order = Order(id=first.id, reference=first.reference, customer_id=first.customer_id,
                      status=first.status, lines=lines, created_at=first.created_at,
                      updated_at=first.updated_at)
        products = ProductRepository(self.conn, self.org_id)
        return OrderFacts(
            order=order,
            shipment_ids=sorted(first.shipment_ids.split(",")) if first.shipment_ids else [],
            customer=CustomerRepository(self.conn, self.org_id).to_entity(
                part(first, t.customers, _CUSTOMER_AT)),
            products={row.product_id: products.to_entity(part(row, t.products, _PRODUCT_AT))
                      for row in rows if row.line_id is not None})

    def by_reference(self, reference: str) -> Order | None:
        row = self.conn.execute(self.select().where(self.table.c.reference == reference)).first()
        return None if row is None else self.to_entity(row)

    def add_lines(self, lines: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(t.order_lines), [{"org_id": self.org_id, **line}
                                                  for line in lines])

    def list_page(self, customer_id: str | None, status: str | None, limit: int,
                  cursor: str | None) -> Page[Order]:
        statement = self.select()
        if customer_id is not None:
            statement = statement.where(self.table.c.customer_id == customer_id)
        if status is not None:
            statement = statement.where(self.table.c.status == status)
        rows = self.page_rows(statement, limit, cursor)
        return Page(self._with_lines(rows.items), rows.next_cursor)

    def units_assigned(self, order_id: str, product_id: str) -> int:
        """Serials of `product_id` held for or sent on this order."""
        s = t.serials.c
        statement = select(func.count()).where(
            s.org_id == self.org_id, s.order_id == order_id, s.product_id == product_id,
            s.status.in_([SerialStatus.ALLOCATED.value, SerialStatus.PICKED.value,
                          SerialStatus.SHIPPED.value]))
        return int(self.conn.execute(statement).scalar_one())


# Where the customer's and the product's columns start in a row of `_facts_statement`.
_CUSTOMER_AT = 12
_PRODUCT_AT = _CUSTOMER_AT + len(t.customers.c)


def _facts_statement(for_update: bool, dialect: str) -> Select[Any]:
    o, ol, sh, c, p = t.orders, t.order_lines, t.shipments, t.customers, t.products
    # The separator as SQL text, not a bound literal (which would keep the statement from
    # being compiled once for good, see direct.py); ids never contain a comma.
    joined = (func.group_concat(sh.c.id) if dialect == "sqlite"
              else func.string_agg(sh.c.id, literal_column("','")))
    shipment_ids = select(joined).where(sh.c.order_id == o.c.id).scalar_subquery()
    statement = (select(o.c.id, o.c.reference, o.c.customer_id, o.c.status, o.c.created_at,
                        o.c.updated_at, ol.c.id.label("line_id"), ol.c.line_no,
                        ol.c.product_id, ol.c.quantity, ol.c.unit_price,
                        shipment_ids.label("shipment_ids"),
                        *(column.label(f"customer__{column.key}") for column in c.c),
                        *(column.label(f"product__{column.key}") for column in p.c))
                 .join(c, c.c.id == o.c.customer_id)
                 .outerjoin(ol, ol.c.order_id == o.c.id)
                 .outerjoin(p, p.c.id == ol.c.product_id)
                 .where(o.c.org_id == bindparam("org_id"), o.c.id == bindparam("order_id"))
                 .order_by(ol.c.line_no))
    # FOR NO KEY UPDATE OF orders: the order row only (the lines are on the outer join's
    # nullable side, which PostgreSQL cannot lock); see ScopedRepository._get_statement.
    return statement.with_for_update(key_share=True, of=o) if for_update else statement
