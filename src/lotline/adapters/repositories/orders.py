"""Customer orders and their lines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, func, insert, select

from lotline.adapters import tables as t
from lotline.adapters.direct import run
from lotline.adapters.repositories.base import ScopedRepository
from lotline.adapters.repositories.common import cached_statement
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
