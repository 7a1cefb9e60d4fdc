"""Recalls: their stored rows, the lots they cover, and the units recovered for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lotline.adapters import tables as t


class RecallRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def add(self, row: dict[str, Any], depths: Mapping[str, int]) -> None:
        """The recall's row (with its `org_id`) and its lots with their depths."""
        self.conn.execute(insert(t.recalls).values(row))
        self.conn.execute(insert(t.recall_lots), [
            {"recall_id": row["id"], "batch_id": b, "org_id": self.org_id, "depth": d}
            for b, d in depths.items()])

    def ids(self, status: str | None, limit: int | None, cursor: str | None) -> list[str]:
        """Newest first; `cursor` is the last id of the previous page."""
        r = t.recalls.c
        statement = select(r.id).where(r.org_id == self.org_id)
        if status is not None:
            statement = statement.where(r.status == status)
        if cursor is not None:
            statement = statement.where(r.id < cursor)
        if limit is not None:
            statement = statement.limit(limit)
        return list(self.conn.execute(statement.order_by(r.id.desc())).scalars())

    def supplier_lots(self, supplier_id: str, received_from: dt.date | None,
                      received_to: dt.date | None) -> list[str]:
        """Ids of the supplier's live lots purchased in the date range (bounds included)."""
        b = t.batches.c
        statement = select(b.id).where(b.org_id == self.org_id, b.deleted_at.is_(None),
                                       b.supplier_id == supplier_id)
        if received_from:
            statement = statement.where(b.purchase_date >= received_from)
        if received_to:
            statement = statement.where(b.purchase_date <= received_to)
        return list(self.conn.execute(statement.order_by(b.id)).scalars())

    def open_for_lot(self, batch_id: str) -> list[str]:
        r, rl = t.recalls.c, t.recall_lots.c
        return list(self.conn.execute(select(r.id).join(
            t.recall_lots, rl.recall_id == r.id).where(
            r.org_id == self.org_id, r.status == "open", rl.batch_id == batch_id)).scalars())

    def add_recovery(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.recall_recoveries).values(org_id=self.org_id, **values))

    def update(self, recall_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.recalls).where(t.recalls.c.id == recall_id).values(values))

    def get_row(self, recall_id: str) -> Any | None:
        r = t.recalls.c
        return self.conn.execute(select(t.recalls).where(r.org_id == self.org_id,
                                                         r.id == recall_id)).first()

    def recovered(self, recall_id: str) -> Decimal:
        rr = t.recall_recoveries.c
        quantities = self.conn.execute(select(rr.quantity).where(
            rr.recall_id == recall_id)).scalars()
        return sum(quantities, Decimal(0))
