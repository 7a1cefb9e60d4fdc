"""Trace queries (Core, set-based): genealogy walked with recursive CTEs, deliveries summed per
lot and order in the database, so a recall of a lot shipped to tens of thousands of orders is a
handful of queries, not one per order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)

from lotline.adapters import tables as t
from lotline.adapters.repositories import drill_deliveries
from lotline.adapters.repositories.assemblies import (
    carried_deliveries,
    installed_units,
    top_assemblies,
)
from lotline.adapters.repositories.drill_deliveries import CONTACT_COLUMNS, customer
from lotline.adapters.types import Amount
from lotline.domain.statuses import MovementKind
from lotline.domain.trace import Customer, Delivery, LotRef, ReceiptRef, TransformationRef
from lotline.service_layer.base import bulk_objects
from lotline.service_layer.ports import InstalledUnit

MAX_DEPTH = 64  # guards the recursion even though genealogy is acyclic by construction
SEPARATOR = "\x1f"  # ASCII unit separator: never inside a serial number


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
        """Per lot and order: what shipped (reversed shipments excluded), when, which serials,
        and what came back."""
        rows, _customers = self.delivery_rows(batch_ids, contacts=False)
        with bulk_objects():
            return [Delivery(*row) for row in rows]

    def delivery_rows(self, batch_ids: Sequence[str], *, contacts: bool = True,
                      as_of: dt.datetime | None = None,
                      installed: Sequence[InstalledUnit] | None = None,
                      movements: Sequence[Any] | None = None
                      ) -> tuple[list[tuple[Any, ...]], dict[str, Customer]]:
        """`deliveries` as plain tuples in Delivery's field order (a recall builds its own
        report from them: tens of thousands of frozen dataclasses cost more than the query),
        and (with `contacts`) every customer they went to; with `as_of`, as the ledger stood
        then (it is append-only: rows recorded later are left out). One grouped query: the
        database sums the quantities and joins the serial numbers of each order, so a lot
        shipped to 40,000 orders is 40,000 rows, and no list of ids goes back to it.
        `installed` (the lots' units in assemblies) is read here unless the caller has it.
        `movements`: the lots' movements a recall drill read already (`drill_rows`, its
        shipments and returns among them), grouped instead of the query on SQLite
        (`drill_deliveries` says why not on PostgreSQL)."""
        if movements is not None and contacts and as_of is None and \
                self.conn.dialect.name == "sqlite":
            with bulk_objects():
                found, customers = drill_deliveries.delivery_rows(self.conn, movements,
                                                                  batch_ids)
        else:
            found, customers = self._queried_rows(batch_ids, contacts, as_of)
        units = installed_units(self.conn, self.org_id, batch_ids) if installed is None \
            else installed
        carried = self._carried_rows(units, customers if contacts else None, as_of)
        if carried:
            found = sorted(found + carried, key=_delivery_order)
        return found, customers

    def _queried_rows(self, batch_ids: Sequence[str], contacts: bool,
                      as_of: dt.datetime | None
                      ) -> tuple[list[tuple[Any, ...]], dict[str, Customer]]:
        """`delivery_rows`' rows (before units carried in assemblies) and customers."""
        o, c = t.orders.c, t.customers.c
        shipped = self._shipped_and_returned(batch_ids, as_of)
        contact = CONTACT_COLUMNS if contacts else ()
        statement = (select(shipped, o.reference, o.customer_id, c.name, *contact)
                     .outerjoin(t.orders, o.id == shipped.c.order_id)
                     .outerjoin(t.customers, c.id == o.customer_id)
                     .order_by(c.name.nulls_last(), o.reference.nulls_last(),
                               shipped.c.batch_id))
        none = Decimal(0)
        found: list[tuple[Any, ...]] = []
        customers: dict[str, Customer] = {}
        append = found.append
        with bulk_objects():
            # All rows in one fetch, not one driver call per row (40,000 rows in a recall).
            for row in self.conn.execute(statement).all():
                batch_id, order_id, quantity, returned, first, last, serials, reference, \
                    customer_id, name = row[:10]
                append((order_id, reference, customer_id, name, batch_id, quantity,
                        returned if returned is not None else none,
                        sorted(serials.split(SEPARATOR)) if serials else [],
                        _utc(first), _utc(last), []))
                if contacts and customer_id is not None and customer_id not in customers:
                    customers[customer_id] = customer(customer_id, name, row[10:])
        return found, customers

    def _shipped_and_returned(self, batch_ids: Sequence[str],
                              as_of: dt.datetime | None) -> Any:
        """Per lot and order that shipped: the quantity shipped and returned, the first and
        last shipment, the serial numbers shipped. One pass over the lots' movements (returns
        and shipments together): the lots' ledger is read once, not once per kind."""
        m, s = t.movements.c, t.serials.c
        shipment = m.kind == MovementKind.SHIPMENT.value

        def of_shipments(column: Any) -> Any:
            return case((shipment, column))

        # The times come back as the database gives them (`_utc` reads them): SQLAlchemy's
        # own conversion costs more than the query on SQLite.
        return (select(m.batch_id, m.order_id,
                       type_coerce(func.sum(of_shipments(m.quantity)), Amount).label("quantity"),
                       type_coerce(func.sum(case((m.kind == MovementKind.RETURN.value,
                                                  m.quantity))), Amount).label("returned"),
                       type_coerce(func.min(of_shipments(m.occurred_at)), String).label("first"),
                       type_coerce(func.max(of_shipments(m.occurred_at)), String).label("last"),
                       self._joined(of_shipments(s.serial_number)).label("serials"))
                .outerjoin(t.serials, s.id == m.serial_id)
                .where(*self._of_lots(batch_ids, (MovementKind.SHIPMENT, MovementKind.RETURN),
                                      as_of))
                .group_by(m.batch_id, m.order_id)
                .having(func.count(of_shipments(m.id)) > 0).subquery())

    def _carried_rows(self, units: Sequence[InstalledUnit],
                      customers: dict[str, Customer] | None,
                      as_of: dt.datetime | None) -> list[tuple[Any, ...]]:
        """Delivery rows of the lots' units that left installed in shipped assemblies."""
        rows = carried_deliveries(self.conn, self.org_id, units, as_of) if units else []
        if not rows:
            return []
        o, c = t.orders.c, t.customers.c
        orders = {row.id: row for row in self.conn.execute(
            select(o.id, o.reference, o.customer_id, c.name, *CONTACT_COLUMNS)
            .outerjoin(t.customers, c.id == o.customer_id)
            .where(o.id.in_({row[1] for row in rows if row[1]})))}
        found = []
        for batch_id, order_id, quantity, returned, serials, assemblies, first, last in rows:
            order = orders.get(order_id)
            reference, customer_id, name = (order.reference, order.customer_id, order.name) \
                if order is not None else (None, None, None)
            found.append((order_id, reference, customer_id, name, batch_id, quantity, returned,
                          serials, first, last, assemblies))
            if customers is not None and customer_id is not None and order is not None:
                customers.setdefault(customer_id, customer(customer_id, order.name, order[4:]))
        return found

    def _joined(self, column: Any) -> Any:
        """The group's values as one text (serial numbers hold no control characters)."""
        if self.conn.dialect.name == "postgresql":
            return func.string_agg(column, literal(SEPARATOR))
        return func.group_concat(column, SEPARATOR)

    def _of_lots(self, batch_ids: Sequence[str], kind: MovementKind | tuple[MovementKind, ...],
                 as_of: dt.datetime | None = None) -> list[Any]:
        """Movements of a kind out of the given lots, reversed ones excluded (as of a moment,
        if given). The lots were read through this organization already, so the lot index
        alone finds the rows (an org_id condition would lead SQLite's planner to scan the
        organization's ledger)."""
        m = t.movements.c
        kinds = m.kind.in_([k.value for k in kind]) if isinstance(kind, tuple) else (
            m.kind == kind.value)
        conditions = [m.batch_id.in_(list(batch_ids)), kinds,
                      not_reversed(m, self.org_id, batch_ids, as_of)]
        return conditions if as_of is None else [*conditions, m.recorded_at <= as_of]

    def component_numbers(self, serial_id: str) -> list[str]:
        """Serial numbers of the units installed directly in this one."""
        return list(self.conn.execute(select(t.serials.c.serial_number).where(
            t.serials.c.org_id == self.org_id,
            t.serials.c.parent_serial_id == serial_id)).scalars())

    def transformations_making(self, serial_id: str) -> list[str]:
        return list(self.conn.execute(select(t.genealogy.c.transformation_id).distinct().where(
            t.genealogy.c.org_id == self.org_id,
            t.genealogy.c.output_serial_id == serial_id)).scalars())

    def inputs_of_unit(self, serial_id: str) -> list[tuple[str | None, str | None]]:
        """(input lot, input unit) of each genealogy edge that made this unit."""
        g = t.genealogy.c
        return [(row[0], row[1]) for row in self.conn.execute(
            select(g.input_batch_id, g.input_serial_id).where(
                g.org_id == self.org_id, g.output_serial_id == serial_id))]

    def installed_units(self, batch_ids: Sequence[str]) -> list[InstalledUnit]:
        return installed_units(self.conn, self.org_id, batch_ids)

    def top_assemblies(self, units: Sequence[InstalledUnit]) -> dict[str, Any]:
        return top_assemblies(self.conn, units)

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


def _delivery_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The order of `delivery_rows`' query: customer name, order reference (NULLs last), lot."""
    _order_id, reference, _customer_id, name, batch_id = row[:5]
    return (name is None, name or "", reference is None, reference or "", batch_id,
            bool(row[10]))


def event_movements(m: Any, org_id: str, kinds: Sequence[str], *, by_ids: bool = False
                    ) -> tuple[Any, ...]:
    """The terms of the organization's movements of `kinds` no later movement reverses (what
    EPCIS events and a recall drill are made of). `by_ids`: the read finds its rows by their
    ids (lot_events.whole), so the organization's term is kept out of the indexes (`|| ''`):
    SQLite, with no statistics, would rather read the organization's whole ledger through
    its (org_id, recorded_at) index for it."""
    org = m.org_id.concat(literal_column("''")) if by_ids else m.org_id
    return org == org_id, m.kind.in_(list(kinds)), not_reversed(m, org_id)


def not_reversed(m: Any, org_id: str, batch_ids: Sequence[str] | None = None,
                 as_of: dt.datetime | None = None) -> Any:
    """Movements no later movement reverses. The reversed ids are read once (a set the
    database hashes), not looked up per row: `reverses_id` has no index, and a correlated
    NOT EXISTS scanned the whole ledger once per shipped unit on SQLite. A reversal is in
    its original's lot, so for given lots only their movements are read."""
    rev = t.movements.alias("rev").c
    scope = [rev.batch_id.in_(list(batch_ids)) if batch_ids is not None else
             rev.org_id == org_id, rev.reverses_id.isnot(None)]
    if as_of is not None:
        scope.append(rev.recorded_at <= as_of)
    return m.id.not_in(select(rev.reverses_id).where(*scope))


def _utc(value: Any) -> Any:
    """Aggregated timestamps may come back as naive UTC text on SQLite."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value + "+00:00")
        except ValueError:
            value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value
