"""The append-only ledger: inserts and reads, never UPDATE or DELETE."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Table,
    Update,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from lotline.adapters import tables as t
from lotline.adapters.direct import run, run_many
from lotline.adapters.repositories.common import cached_statement
from lotline.domain.model import Movement
from lotline.domain.statuses import MovementKind, SerialStatus


def movement_from_row(row: Row[Any], serial_numbers: Sequence[str] = ()) -> Movement:
    return Movement(
        id=row.id, org_id=row.org_id, stream_id=row.stream_id, seq=row.seq,
        occurred_at=row.occurred_at, recorded_at=row.recorded_at, actor=row.actor,
        kind=MovementKind(row.kind), product_id=row.product_id, batch_id=row.batch_id,
        serial_id=row.serial_id, quantity=row.quantity,
        from_location_id=row.from_location_id, to_location_id=row.to_location_id,
        from_status=SerialStatus(row.from_status) if row.from_status else None,
        to_status=SerialStatus(row.to_status) if row.to_status else None,
        order_id=row.order_id, receipt_id=row.receipt_id,
        transformation_id=row.transformation_id, reverses_id=row.reverses_id,
        unit_cost=row.unit_cost, reason=row.reason, prev_hash=row.prev_hash, hash=row.hash,
        serial_numbers=tuple(sorted(serial_numbers)))


def _head_statement(table: Table, lock: bool) -> Select[Any]:
    statement = select(table.c.chain_seq, table.c.chain_head).where(
        table.c.id == bindparam("stream_id"), table.c.org_id == bindparam("org_id"))
    # FOR NO KEY UPDATE: the head moves by a no-key update, and a writer holding it must not
    # wait for (nor block) the KEY SHARE locks that inserts referencing the lot or product row
    # take — with plain FOR UPDATE, two registrations of one product deadlocked over it.
    return statement.with_for_update(key_share=True) if lock else statement


def _move_statement(table: Table) -> Update:
    return (update(table).where(table.c.id == bindparam("stream_id"),
                                table.c.chain_seq == bindparam("expected_seq"))
            .values(chain_seq=bindparam("new_seq"), chain_head=bindparam("new_head")))


_STORED_AS_IS = (
    "id", "org_id", "stream_id", "seq", "occurred_at", "recorded_at", "actor",
    "product_id", "batch_id", "serial_id", "quantity", "from_location_id",
    "to_location_id", "order_id", "receipt_id", "transformation_id", "reverses_id",
    "unit_cost", "reason", "prev_hash", "hash")
# One C call for the twenty-one attributes (every ledger row written passes here).
_stored_as_is = attrgetter(*_STORED_AS_IS)


def movement_values(movement: Movement) -> dict[str, Any]:
    values = dict(zip(_STORED_AS_IS, _stored_as_is(movement), strict=True))
    values["kind"] = movement.kind.value
    values["from_status"] = movement.from_status.value if movement.from_status else None
    values["to_status"] = movement.to_status.value if movement.to_status else None
    return values


class MovementRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def insert_many(self, movements: Sequence[Movement]) -> None:
        if movements:
            run_many(self.conn, cached_statement(("movements", "insert"),
                                                 lambda: insert(t.movements)),
                     [movement_values(m) for m in movements])

    def stream_head(self, stream_id: str, *, lock: bool) -> tuple[int, str]:
        """(seq, hash) at the head of a stream: kept on its lot or product row."""
        for table in (t.batches, t.products):
            statement = cached_statement((table.name, "stream head", lock),
                                         partial(_head_statement, table, lock))
            row = run(self.conn, statement, {"stream_id": stream_id,
                                                "org_id": self.org_id}).first()
            if row is not None:
                return int(row.chain_seq), str(row.chain_head)
        raise LookupError(f"no hash-chain stream {stream_id}")

    def move_stream_head(self, stream_id: str, expected_seq: int, seq: int, head: str) -> bool:
        for table in (t.batches, t.products):
            statement = cached_statement((table.name, "move head"),
                                         partial(_move_statement, table))
            params = {"stream_id": stream_id, "expected_seq": expected_seq, "new_seq": seq,
                      "new_head": head}
            if run(self.conn, statement, params).rowcount == 1:
                return True
        return False

    def get(self, movement_id: str) -> Row[Any] | None:
        return self.conn.execute(select(t.movements).where(
            t.movements.c.org_id == self.org_id, t.movements.c.id == movement_id)).first()

    def for_serial(self, serial_id: str, entry_movement_id: str | None) -> list[Row[Any]]:
        m = t.movements.c
        condition = m.serial_id == serial_id
        if entry_movement_id is not None:
            condition = or_(condition, m.id == entry_movement_id)
        statement = (select(t.movements).where(m.org_id == self.org_id, condition)
                     .order_by(m.recorded_at, m.stream_id, m.seq))
        return list(self.conn.execute(statement))

    def for_batch(self, batch_id: str) -> list[Row[Any]]:
        m = t.movements.c
        statement = (select(t.movements).where(m.org_id == self.org_id, m.batch_id == batch_id)
                     .order_by(m.seq))
        return list(self.conn.execute(statement))

    def matching(self, **match: str) -> list[Row[Any]]:
        """Movements whose columns hold the given values, in the order they were recorded."""
        m = t.movements
        statement = select(m).where(m.c.org_id == self.org_id,
                                    *(m.c[name] == value for name, value in match.items()))
        return list(self.conn.execute(statement.order_by(m.c.recorded_at, m.c.id)))

    def history_of_serial(self, serial_id: str, entry_movement_id: str | None
                          ) -> list[Movement]:
        return [movement_from_row(row) for row in self.for_serial(serial_id, entry_movement_id)]

    def history_of_batch(self, batch_id: str) -> list[Movement]:
        return [movement_from_row(row) for row in self.for_batch(batch_id)]

    def lot_receipt_moves(self, receipt_id: str) -> list[tuple[str, str, str, Decimal]]:
        """(lot, product, kind, quantity) of a receipt's RECEIPT and PUTAWAY movements of
        lots (not serials, not status changes)."""
        m = t.movements.c
        rows = self.conn.execute(select(m.batch_id, m.product_id, m.kind, m.quantity).where(
            m.org_id == self.org_id, m.receipt_id == receipt_id, m.serial_id.is_(None),
            m.batch_id.isnot(None), m.kind.in_([MovementKind.RECEIPT.value,
                                                MovementKind.PUTAWAY.value]),
            m.to_status.is_(None)))
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def received_by_lot(self, receipt_id: str) -> list[tuple[str, str, Decimal]]:
        m, b = t.movements.c, t.batches.c
        rows = self.conn.execute(
            select(m.product_id, b.batch_number, func.sum(m.quantity))
            .join(t.batches, b.id == m.batch_id)
            .where(m.org_id == self.org_id, m.receipt_id == receipt_id,
                   m.kind == MovementKind.RECEIPT.value)
            .group_by(m.product_id, b.batch_number))
        return [(row[0], row[1], Decimal(row[2])) for row in rows]

    def quantity_sum(self, batch_id: str) -> Decimal:
        rows = self.for_batch(batch_id)
        return sum((row.quantity for row in rows), Decimal(0))
