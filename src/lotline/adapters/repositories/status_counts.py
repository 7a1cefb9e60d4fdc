"""The per-status serial counts (DESIGN §7: a maintained projection, not a scan), kept so that
writers of different lots do not queue on one row (DESIGN §9).

A count is striped over COUNT_SLOTS rows of `serial_status_counts`; a change is counted in the
slot of the serial's ledger stream (its lot, or its product), so two writers of different lots
share a count row only when their lots fall in the same slot. Changes are summed in memory
and written when the unit of work ends, net per row and in key order: the rows stay locked
only from there to the commit, and two writers that do meet on rows take them in the same
order (no deadlock — with one row per status, a change IN_STOCK → DEFECTIVE and one
DEFECTIVE → IN_STOCK took the two rows in opposite orders and deadlocked)."""

from __future__ import annotations

import zlib
from collections import defaultdict

from sqlalchemy import Connection, func, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.common import upsert_add
from lotline.domain.statuses import SerialStatus

COUNT_SLOTS = 16


def slot_of(stream_id: str) -> int:
    """The count slot of a ledger stream: the same on every process and database."""
    return zlib.crc32(stream_id.encode("ascii")) % COUNT_SLOTS


class StatusCounts:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id
        self._pending: defaultdict[tuple[str, str, int], int] = defaultdict(int)

    def bump(self, product_id: str, status: SerialStatus, delta: int,
             batch_id: str | None) -> None:
        slot = slot_of(batch_id or product_id)
        self._pending[(product_id, status.value, slot)] += delta

    def flush(self) -> None:
        """Write the pending changes: one upsert per row whose count moved."""
        pending, self._pending = self._pending, defaultdict(int)
        for (product_id, status, slot), delta in sorted(pending.items()):
            if delta:
                keys = {"org_id": self.org_id, "product_id": product_id, "status": status,
                        "slot": slot}
                upsert_add(self.conn, t.serial_status_counts, keys, {"count": delta})

    def forget(self) -> None:
        """Drop the pending changes (the unit of work rolled back)."""
        self._pending.clear()

    def read(self, product_id: str | None = None) -> dict[str, int]:
        self.flush()  # a read in the writing transaction sees its own changes
        sc = t.serial_status_counts
        statement = select(sc.c.status, func.sum(sc.c.count)).where(sc.c.org_id == self.org_id)
        if product_id is not None:
            statement = statement.where(sc.c.product_id == product_id)
        rows = self.conn.execute(statement.group_by(sc.c.status)).all()
        by_status = {row[0]: int(row[1] or 0) for row in rows}
        result = {"ALL": sum(by_status.values())}
        for status in SerialStatus:
            result[status.value] = by_status.get(status.value, 0)
        return result
