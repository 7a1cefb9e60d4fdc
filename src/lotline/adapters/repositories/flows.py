"""Receipts, order allocations, shipments and per-organization counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from lotline.adapters import tables as t
from lotline.adapters.direct import run
from lotline.adapters.repositories.common import (
    cached_statement,
    check_limit,
    decode_cursor,
    encode_cursor,
    upsert_add,
)
from lotline.domain.flows import Allocation, ExpectedLot, Receipt, ReceiptLine
from lotline.domain.model import Page
from lotline.domain.statuses import SerialStatus


class FlowRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def next_number(self, name: str) -> int:
        """The next value of a per-organization counter (row-locked by the upsert)."""
        upsert_add(self.conn, t.counters, {"org_id": self.org_id, "name": name}, {"value": 1})
        return int(self.conn.execute(select(t.counters.c.value).where(
            t.counters.c.org_id == self.org_id, t.counters.c.name == name)).scalar_one())

    def reserve_numbers(self, name: str, count: int) -> int:
        keys = {"org_id": self.org_id, "name": name}
        upsert_add(self.conn, t.counters, keys, {"value": count})
        value = self.conn.execute(select(t.counters.c.value).where(
            t.counters.c.org_id == keys["org_id"], t.counters.c.name == name)).scalar_one()
        return int(value) - count + 1

    def clear_receipt_lines(self, receipt_id: str, reason: str) -> None:
        self.conn.execute(t.receipt_lines.update().where(
            t.receipt_lines.c.receipt_id == receipt_id)
            .values(received_quantity=Decimal(0), reason=reason))

    def still_expected(self, receipt_id: str) -> list[str]:
        """Ids of the serials a receipt announced that are still EXPECTED."""
        res, rl, s = t.receipt_expected_serials.c, t.receipt_lines.c, t.serials.c
        return list(self.conn.execute(
            select(s.id).join(t.receipt_expected_serials, res.serial_id == s.id)
            .join(t.receipt_lines, rl.id == res.receipt_line_id)
            .where(rl.receipt_id == receipt_id,
                   s.status == SerialStatus.EXPECTED.value)).scalars())

    def mark_shipment_reversed(self, shipment_id: str, moment: dt.datetime) -> None:
        self.conn.execute(t.shipments.update().where(t.shipments.c.id == shipment_id)
                          .values(reversed_at=moment))

    # --- receipts ------------------------------------------------------------------------

    def add_receipt(self, values: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(t.receipts).values(org_id=self.org_id, **values))
        self.conn.execute(insert(t.receipt_lines), [{"org_id": self.org_id, **line}
                                                    for line in lines])

    def link_expected(self, line_id: str, serial_ids: Sequence[str]) -> None:
        if serial_ids:
            self.conn.execute(insert(t.receipt_expected_serials), [
                {"receipt_line_id": line_id, "serial_id": sid, "org_id": self.org_id}
                for sid in serial_ids])

    def receipt_row(self, receipt_id: str, *, for_update: bool = False) -> Row[Any] | None:
        statement = select(t.receipts).where(t.receipts.c.org_id == self.org_id,
                                             t.receipts.c.id == receipt_id)
        if for_update:
            statement = statement.with_for_update(key_share=True)
        return self.conn.execute(statement).first()

    def receipt_by_reference(self, reference: str) -> Row[Any] | None:
        return self.conn.execute(select(t.receipts).where(
            t.receipts.c.org_id == self.org_id, t.receipts.c.reference == reference)).first()

    def receipt(self, receipt_id: str) -> Receipt | None:
        row = self.receipt_row(receipt_id)
        if row is None:
            return None
        rl, res, s = t.receipt_lines.c, t.receipt_expected_serials.c, t.serials.c
        expected: dict[str, list[str]] = {}
        for line_id, number in self.conn.execute(
                select(res.receipt_line_id, s.serial_number)
                .join_from(t.receipt_expected_serials, t.serials, s.id == res.serial_id)
                .join(t.receipt_lines, rl.id == res.receipt_line_id)
                .where(rl.receipt_id == receipt_id).order_by(s.serial_number)):
            expected.setdefault(line_id, []).append(number)
        lines = [ReceiptLine(id=line.id, line_no=line.line_no, product_id=line.product_id,
                             expected_quantity=line.expected_quantity,
                             received_quantity=line.received_quantity, unit_cost=line.unit_cost,
                             expected_serials=expected.get(line.id, []), reason=line.reason,
                             expected_lots=expected_lots(line.expected_lots))
                 for line in self.conn.execute(select(t.receipt_lines).where(
                     rl.receipt_id == receipt_id).order_by(rl.line_no))]
        return Receipt(id=row.id, reference=row.reference, supplier_id=row.supplier_id,
                       warehouse_id=row.warehouse_id, status=row.status, lines=lines,
                       created_at=row.created_at, updated_at=row.updated_at)

    def receipt_page(self, supplier_id: str | None, status: str | None, limit: int,
                     cursor: str | None) -> Page[Receipt]:
        """Receipts in creation order (keyset on the time-ordered id)."""
        r = t.receipts.c
        statement = select(r.id).where(r.org_id == self.org_id)
        if supplier_id is not None:
            statement = statement.where(r.supplier_id == supplier_id)
        if status is not None:
            statement = statement.where(r.status == status)
        limit = check_limit(limit)
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(r.id > str(after[0]))
        ids = list(self.conn.execute(statement.order_by(r.id).limit(limit + 1)).scalars())
        next_cursor = encode_cursor([ids[limit - 1]]) if len(ids) > limit else None
        receipts = [self.receipt(receipt_id) for receipt_id in ids[:limit]]
        return Page([receipt for receipt in receipts if receipt is not None], next_cursor)

    def expected_serial_ids(self, line_id: str) -> dict[str, str]:
        """number -> serial id of the serials an ASN line announced."""
        res, s = t.receipt_expected_serials.c, t.serials.c
        rows = self.conn.execute(select(s.serial_number, s.id).join_from(
            t.receipt_expected_serials, t.serials, s.id == res.serial_id).where(
            res.receipt_line_id == line_id))
        return {row[0]: row[1] for row in rows}

    def update_receipt_line(self, line_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.receipt_lines).where(t.receipt_lines.c.id == line_id)
                          .values(**values))

    def update_receipt(self, receipt_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.receipts).where(t.receipts.c.id == receipt_id)
                          .values(**values))

    # --- allocations ----------------------------------------------------------------------

    def add_allocation(self, values: dict[str, Any]) -> None:
        statement = cached_statement(("order_allocations", "insert"),
                                     lambda: insert(t.order_allocations))
        run(self.conn, statement, {"org_id": self.org_id, **values})

    def allocations(self, order_id: str, statuses: Sequence[str] | None = None
                    ) -> list[Allocation]:
        statement = cached_statement(("order_allocations", "of order", statuses is None),
                                     lambda: _allocations_statement(statuses is None))
        params: dict[str, Any] = {"org_id": self.org_id, "order_id": order_id}
        if statuses is not None:
            params["statuses"] = list(statuses)
        return [_allocation(row) for row in run(self.conn, statement, params)]

    def allocation(self, allocation_id: str) -> Allocation | None:
        a, s = t.order_allocations.c, t.serials.c
        row = self.conn.execute(select(t.order_allocations, s.serial_number)
                                .outerjoin(t.serials, s.id == a.serial_id)
                                .where(a.org_id == self.org_id, a.id == allocation_id)).first()
        return None if row is None else _allocation(row)

    def update_allocation(self, allocation_id: str, values: dict[str, Any]) -> None:
        names = tuple(sorted(values))
        statement = cached_statement(("order_allocations", "update", names),
                                     partial(_update_by_id, t.order_allocations, names))
        run(self.conn, statement, {"row_id": allocation_id,
                                      **{f"set_{k}": v for k, v in values.items()}})

    def allocated_by_line(self, order_id: str) -> dict[str, Decimal]:
        a = t.order_allocations.c
        statement = cached_statement(("order_allocations", "by line"), lambda: select(
            a.order_line_id, func.sum(a.quantity)).where(
            a.org_id == bindparam("org_id"), a.order_id == bindparam("order_id"),
            a.status != "released").group_by(a.order_line_id))
        rows = run(self.conn, statement, {"org_id": self.org_id, "order_id": order_id})
        return {row[0]: row[1] for row in rows}

    def open_allocation_for_serial(self, serial_id: str) -> Allocation | None:
        a, s = t.order_allocations.c, t.serials.c
        row = self.conn.execute(select(t.order_allocations, s.serial_number)
                                .outerjoin(t.serials, s.id == a.serial_id)
                                .where(a.serial_id == serial_id,
                                       and_(a.status.in_(["allocated", "picked"])))).first()
        return None if row is None else _allocation(row)

    # --- shipments ------------------------------------------------------------------------

    def add_shipment(self, values: dict[str, Any]) -> None:
        statement = cached_statement(("shipments", "insert"), lambda: insert(t.shipments))
        run(self.conn, statement, {"org_id": self.org_id, **values})

    def shipment_row(self, shipment_id: str) -> Row[Any] | None:
        return self.conn.execute(select(t.shipments).where(
            t.shipments.c.org_id == self.org_id, t.shipments.c.id == shipment_id)).first()

    def shipment_ids(self, order_id: str) -> list[str]:
        sh = t.shipments.c
        statement = cached_statement(("shipments", "of order"), lambda: select(sh.id).where(
            sh.org_id == bindparam("org_id"), sh.order_id == bindparam("order_id"))
            .order_by(sh.id))
        return list(run(self.conn, statement, {"org_id": self.org_id,
                                                  "order_id": order_id}).scalars())

    def shipment_allocations(self, shipment_id: str) -> list[Allocation]:
        a, s = t.order_allocations.c, t.serials.c
        statement = (select(t.order_allocations, s.serial_number)
                     .outerjoin(t.serials, s.id == a.serial_id)
                     .where(a.org_id == self.org_id, a.shipment_id == shipment_id)
                     .order_by(a.id))
        return [_allocation(row) for row in self.conn.execute(statement)]


def _allocations_statement(every_status: bool) -> Select[Any]:
    a, s = t.order_allocations.c, t.serials.c
    statement = (select(t.order_allocations, s.serial_number)
                 .outerjoin(t.serials, s.id == a.serial_id)
                 .where(a.org_id == bindparam("org_id"), a.order_id == bindparam("order_id")))
    if not every_status:
        statement = statement.where(a.status.in_(bindparam("statuses", expanding=True)))
    return statement.order_by(a.id)


def _update_by_id(table: Table, names: tuple[str, ...]) -> Update:
    return update(table).where(table.c.id == bindparam("row_id")).values(
        {name: bindparam(f"set_{name}", type_=table.c[name].type) for name in names})


def _allocation(row: Row[Any]) -> Allocation:
    return Allocation(
        id=row.id, order_line_id=row.order_line_id, product_id=row.product_id,
        batch_id=row.batch_id, serial_id=row.serial_id, serial_number=row.serial_number,
        location_id=row.location_id, quantity=row.quantity, picked_quantity=row.picked_quantity,
        returned_quantity=row.returned_quantity, unit_cost=row.unit_cost, status=row.status,
        shipment_id=row.shipment_id)


def expected_lots(stored: Any) -> list[ExpectedLot]:
    """The announced lots of a line as stored (JSON with dates and quantities as text)."""
    return [ExpectedLot(batch_number=str(item["batch_number"]),
                        expiry_date=dt.date.fromisoformat(item["expiry_date"])
                        if item.get("expiry_date") else None,
                        quantity=Decimal(item["quantity"]) if item.get("quantity") else None)
            for item in stored or []]
