"""A Core repository scoped to one organization: every query it builds filters on `org_id`,
so no caller can forget tenancy."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Row, Select, Table, delete, func, insert, select, update
from sqlalchemy.sql import ColumnElement

from lotline.adapters.repositories.common import check_limit, decode_cursor, encode_cursor
from lotline.domain.model import Page

E = TypeVar("E")


class ScopedRepository(ABC, Generic[E]):
    table: Table
    entity_name: str

    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    @abstractmethod
    def to_entity(self, row: Row[Any]) -> E:
        """Map one row of `table` to the entity the service layer returns."""

    def scoped(self) -> ColumnElement[bool]:
        return self.table.c.org_id == self.org_id

    def select(self) -> Select[Any]:
        return select(self.table).where(self.scoped())

    def get(self, entity_id: str, *, for_update: bool = False) -> E | None:
        row = self.get_row(entity_id, for_update=for_update)
        return None if row is None else self.to_entity(row)

    def get_row(self, entity_id: str, *, for_update: bool = False) -> Row[Any] | None:
        statement = self.select().where(self.table.c.id == entity_id)
        if for_update:
            statement = statement.with_for_update()
        return self.conn.execute(statement).first()

    def get_many(self, ids: Sequence[str]) -> dict[str, E]:
        if not ids:
            return {}
        rows = self.conn.execute(self.select().where(self.table.c.id.in_(list(ids))))
        return {row.id: self.to_entity(row) for row in rows}

    def insert(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(self.table).values(org_id=self.org_id, **values))

    def update(self, entity_id: str, values: dict[str, Any]) -> int:
        statement = (update(self.table).where(self.scoped(), self.table.c.id == entity_id)
                     .values(**values))
        return self.conn.execute(statement).rowcount

    def delete(self, entity_id: str) -> int:
        statement = delete(self.table).where(self.scoped(), self.table.c.id == entity_id)
        return self.conn.execute(statement).rowcount

    def count(self, *conditions: ColumnElement[bool]) -> int:
        statement = select(func.count()).select_from(self.table).where(self.scoped(), *conditions)
        return int(self.conn.execute(statement).scalar_one())

    def page(self, statement: Select[Any], limit: int, cursor: str | None) -> Page[E]:
        rows = self.page_rows(statement, limit, cursor)
        return Page([self.to_entity(row) for row in rows.items], rows.next_cursor)

    def page_rows(self, statement: Select[Any], limit: int,
                  cursor: str | None) -> Page[Row[Any]]:
        """Keyset pagination in id order (ids are time-ordered, so this is creation order)."""
        limit = check_limit(limit)
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(self.table.c.id > str(after[0]))
        rows = self.conn.execute(statement.order_by(self.table.c.id).limit(limit + 1)).all()
        next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
        return Page(list(rows[:limit]), next_cursor)
