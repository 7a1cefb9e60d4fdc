"""Transformations and the genealogy edges they write (one per input × output unit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from lotline.adapters import tables as t


class TransformationRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def add(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.transformations).values(org_id=self.org_id, **values))

    def add_edges(self, rows: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(t.genealogy), rows)

    def get_row(self, transformation_id: str) -> Any | None:
        tr = t.transformations.c
        return self.conn.execute(select(t.transformations).where(
            tr.org_id == self.org_id, tr.id == transformation_id)).first()

    def edges(self, transformation_id: str) -> list[Any]:
        g = t.genealogy.c
        return list(self.conn.execute(select(t.genealogy).where(
            g.org_id == self.org_id, g.transformation_id == transformation_id).order_by(g.id)))

    def ids(self, limit: int, cursor: str | None) -> list[str]:
        """Newest first; `cursor` is the last id of the previous page."""
        tr = t.transformations.c
        statement = select(tr.id).where(tr.org_id == self.org_id)
        if cursor is not None:
            statement = statement.where(tr.id < cursor)
        return list(self.conn.execute(statement.order_by(tr.id.desc()).limit(limit)).scalars())
