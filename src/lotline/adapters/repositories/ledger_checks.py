"""The reads `ledger verify` makes: every hash chain's rows, and the projections recomputed
from the ledger (summed in the database) beside the stored ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select, union_all

from lotline.adapters import tables as t
from lotline.adapters.repositories.movements import movement_from_row
from lotline.adapters.repositories.serials import SerialRepository
from lotline.domain.ledger import GENESIS_HASH
from lotline.domain.model import Movement


class LedgerChecks:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def streams(self) -> Iterator[tuple[str, int, str]]:
        """(stream id, head seq, head hash) of every chain, orphan streams last."""
        org = self.org_id
        for table in (t.batches, t.products):
            statement = (select(table.c.id, table.c.chain_seq, table.c.chain_head)
                         .where(table.c.org_id == org).order_by(table.c.id))
            for row in self.conn.execute(statement):
                yield row.id, int(row.chain_seq), str(row.chain_head)
        # Movements whose stream has no head row at all (its lot or product row is gone).
        known = union_all(select(t.batches.c.id).where(t.batches.c.org_id == org),
                          select(t.products.c.id).where(t.products.c.org_id == org)).subquery()
        orphans = (select(t.movements.c.stream_id).distinct()
                   .where(t.movements.c.org_id == org, t.movements.c.stream_id.not_in(
                       select(known.c.id))))
        for stream_id in self.conn.execute(orphans).scalars():
            yield stream_id, 0, GENESIS_HASH

    def stream_movements(self, stream_id: str) -> list[Movement]:
        m = t.movements.c
        rows = list(self.conn.execute(select(t.movements).where(
            m.org_id == self.org_id, m.stream_id == stream_id).order_by(m.seq)))
        bulk = [row.id for row in rows if row.serial_id is None]
        numbers = SerialRepository(self.conn, self.org_id).numbers_for_entry(bulk) \
            if bulk else {}
        return [movement_from_row(row, numbers.get(row.id, ()) if row.serial_id is None
                                  else ()) for row in rows]

    def ledger_balances(self) -> dict[tuple[str, str], Decimal]:
        """Per lot and location: what came in minus what went out, summed in the database."""
        m = t.movements.c
        totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for location, sign in ((m.to_location_id, 1), (m.from_location_id, -1)):
            statement = (select(m.batch_id, location, func.sum(m.quantity))
                         .where(m.org_id == self.org_id, m.batch_id.isnot(None),
                                location.isnot(None))
                         .group_by(m.batch_id, location))
            for batch_id, location_id, quantity in self.conn.execute(statement):
                totals[(batch_id, location_id)] += sign * quantity
        return totals

    def stored_balances(self) -> dict[tuple[str, str], Decimal]:
        b = t.lot_balances.c
        return {(row.batch_id, row.location_id): row.balance_quantity
                for row in self.conn.execute(select(b.batch_id, b.location_id,
                                                    b.balance_quantity)
                                             .where(b.org_id == self.org_id))}

    def serial_states(self) -> list[Any]:
        """Each serial's stored status and location beside its latest movement's and its
        entry movement's (`last_status`, `last_loc`, `entry_status`, `entry_loc`)."""
        s, m = t.serials.c, t.movements.c
        # A serial's movements can span streams (announced without a lot, received into one),
        # so its latest movement is the last recorded, not the highest seq of one stream.
        ranked = (select(m.serial_id, m.to_status, m.to_location_id,
                         func.row_number().over(partition_by=m.serial_id,
                                                order_by=(m.recorded_at.desc(), m.id.desc()))
                         .label("rank"))
                  .where(m.org_id == self.org_id, m.serial_id.isnot(None)).subquery())
        last = select(ranked).where(ranked.c.rank == 1).subquery()
        entry = t.movements.alias("entry")
        statement = (
            select(s.id, s.serial_number, s.status, s.location_id,
                   last.c.to_status.label("last_status"),
                   last.c.to_location_id.label("last_loc"),
                   entry.c.to_status.label("entry_status"),
                   entry.c.to_location_id.label("entry_loc"))
            .select_from(t.serials)
            .outerjoin(last, last.c.serial_id == s.id)
            .outerjoin(entry, entry.c.id == s.entry_movement_id)
            .where(s.org_id == self.org_id))
        return list(self.conn.execute(statement))

    def serial_counts(self) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        """Serials per product and status: counted, and as the count projection stores them."""
        s, sc = t.serials.c, t.serial_status_counts.c
        org = self.org_id
        actual = {(row[0], row[1]): int(row[2]) for row in self.conn.execute(
            select(s.product_id, s.status, func.count()).where(s.org_id == org)
            .group_by(s.product_id, s.status))}
        stored = {(row[0], row[1]): int(row[2]) for row in self.conn.execute(
            select(sc.product_id, sc.status, func.sum(sc.count)).where(sc.org_id == org)
            .group_by(sc.product_id, sc.status))}
        return actual, stored

    def over_allocated_lines(self) -> list[Any]:
        """Order lines holding more units (allocations not released) than they order: the
        order's id and reference, the line's number and quantity, `held` and `picked`."""
        a, ol, o = t.order_allocations.c, t.order_lines.c, t.orders.c
        held = (select(a.order_line_id, func.sum(a.quantity).label("held"),
                       func.sum(a.picked_quantity).label("picked"))
                .where(a.org_id == self.org_id, a.status != "released")
                .group_by(a.order_line_id).subquery())
        statement = (select(o.id, o.reference, ol.line_no, ol.quantity, held.c.held, held.c.picked)
                     .select_from(t.order_lines)
                     .join(held, held.c.order_line_id == ol.id).join(t.orders, o.id == ol.order_id)
                     .where(ol.org_id == self.org_id, held.c.held > ol.quantity)
                     .order_by(o.reference, ol.line_no))
        return list(self.conn.execute(statement))
