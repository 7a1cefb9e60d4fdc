"""A recall drill's deliveries (`TraceRepository.delivery_rows` given the drill's movements):
the rows `delivery_rows`' grouped query answers, grouped here from the movements the drill has
read already (`drill_rows`: each with its serial number, order reference and customer), so
the lots' ledger is read once for the customers and the two documents, not twice. Only the
customers' names and contacts are read, once each, by id.

The query sorts by customer name and order reference; SQLite compares texts by their bytes
(BINARY), which is how Python compares them, so the sort here gives the query's order there.
A PostgreSQL database may sort by a locale's collation: there `delivery_rows` runs its query."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.common import in_chunks
from lotline.domain.statuses import MovementKind
from lotline.domain.trace import Customer
from lotline.domain.values import normalize

SHIPMENT = MovementKind.SHIPMENT.value
RETURN = MovementKind.RETURN.value
# Positions in a `drill_rows` row (its FIELDS; by position, as 100,000 rows cost by name):
# kind, occurred_at, quantity, order_id, serial_number, batch_id.
KIND, OCCURRED_AT, QUANTITY, ORDER_ID, SERIAL_NUMBER, BATCH_ID = 1, 2, 4, 7, 14, 26


class Group:
    """One lot's shipments to one order (and what came back of them), as the query sums."""

    __slots__ = ("first", "last", "quantity", "returned", "row", "serials")

    def __init__(self, row: Any) -> None:
        self.row = row  # a movement of the group: its order, reference and customer
        self.quantity = Decimal(0)
        self.returned: Decimal | None = None
        self.first = self.last = None
        self.serials: list[str] = []


def grouped(movements: Iterable[Any], batch_ids: Sequence[str]) -> list[Group]:
    """Per lot and order, the shipments of `batch_ids` (with what came back), in the order
    of their first movement; groups with returns only are left out (the query's HAVING)."""
    lots = set(batch_ids)
    groups: dict[tuple[str, Any], Group] = {}
    for row in movements:
        kind, batch_id = row[KIND], row[BATCH_ID]
        if batch_id not in lots or (kind != SHIPMENT and kind != RETURN):
            continue
        key = (batch_id, row[ORDER_ID])
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(row)
        if kind == RETURN:
            group.returned = row[QUANTITY] + (group.returned or 0)
            continue
        occurred = row[OCCURRED_AT]
        if group.first is None or occurred < group.first:
            group.first = occurred
        if group.last is None or occurred > group.last:
            group.last = occurred
        group.quantity += row[QUANTITY]
        if row[SERIAL_NUMBER] is not None:
            group.serials.append(row[SERIAL_NUMBER])
    return [group for group in groups.values() if group.first is not None]


def delivery_rows(conn: Connection, movements: Iterable[Any], batch_ids: Sequence[str]
                  ) -> tuple[list[tuple[Any, ...]], dict[str, Customer]]:
    """`delivery_rows`' rows and customers, from the lots' movements (shipments and returns,
    not reversed, each with `drill_rows`' fields)."""
    groups = grouped(movements, batch_ids)
    customers = contacts(conn, {group.row.customer_id for group in groups})
    none = Decimal(0)
    rows: list[tuple[Any, ...]] = []
    for group in groups:
        row = group.row
        customer = customers.get(row.customer_id)
        rows.append((row.order_id, row.order_reference, row.customer_id,
                     customer.name if customer is not None else None, row.batch_id,
                     normalize(group.quantity),
                     normalize(group.returned) if group.returned is not None else none,
                     sorted(group.serials), group.first, group.last, []))
    rows.sort(key=_query_order)
    # As the query's reading adds them: in the rows' order.
    return rows, {row[2]: customers[row[2]] for row in rows if row[2] is not None}


def _query_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """ORDER BY customer name, order reference (NULLs last for both), lot."""
    _order_id, reference, _customer_id, name, batch_id = row[:5]
    return (name is None, name or "", reference is None, reference or "", batch_id)


def contacts(conn: Connection, ids: set[Any]) -> dict[str, Customer]:
    """The customers of `ids` with their contacts, by id."""
    c = t.customers.c
    wanted = sorted(i for i in ids if i is not None)
    statement = select(c.id, c.name, *CONTACT_COLUMNS)
    return {row[0]: customer(row[0], row[1], row[2:]) for condition in in_chunks(c.id, wanted)
            for row in conn.execute(statement.where(condition)).all()}


CONTACT_COLUMNS = (t.customers.c.code, t.customers.c.email, t.customers.c.phone,
                   t.customers.c.street, t.customers.c.city, t.customers.c.postal_code,
                   t.customers.c.country)


def customer(customer_id: str, name: str, contact: Sequence[Any]) -> Customer:
    code, email, phone, street, city, postal_code, country = contact
    return Customer(id=customer_id, name=name, code=code, email=email, phone=phone,
                    address={"street": street, "city": city, "postal_code": postal_code,
                             "country": country})
