"""A Core repository scoped to one organization: every query it builds filters on `org_id`,
so no caller can forget tenancy."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.sql import ClauseElement, ColumnElement

from lotline.adapters.direct import run
from lotline.adapters.repositories.common import (
    cached_statement,
    check_limit,
    decode_cursor,
    encode_cursor,
)
from lotline.domain.errors import NotFound
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

    def visible(self) -> tuple[ColumnElement[bool], ...]:
        """Conditions besides the organization that every read applies (none by default)."""
        return ()

    def select(self) -> Select[Any]:
        return select(self.table).where(self.scoped(), *self.visible())

    def get(self, entity_id: str, *, for_update: bool = False) -> E | None:
        row = self.get_row(entity_id, for_update=for_update)
        return None if row is None else self.to_entity(row)

    def need(self, entity_id: str, field: str = "id") -> E:
        """The entity, or NotFound naming the field it was asked for by."""
        entity = self.get(str(entity_id))
        if entity is None:
            raise NotFound(self.entity_name, entity_id, field)
        return entity

    def get_row(self, entity_id: str, *, for_update: bool = False) -> Row[Any] | None:
        statement = cached_statement((type(self), "get", for_update),
                                     lambda: self._get_statement(for_update))
        row: Row[Any] | None = run(self.conn, statement, {"scope_org_id": self.org_id,
                                                          "entity_id": entity_id}).first()
        return row

    def _get_statement(self, for_update: bool) -> Select[Any]:
        c = self.table.c
        statement = select(self.table).where(c.org_id == bindparam("scope_org_id"),
                                             c.id == bindparam("entity_id"), *self.visible())
        # FOR NO KEY UPDATE: the lock an UPDATE of non-key columns takes; unlike FOR UPDATE it
        # lets other transactions insert rows that reference this one (their foreign key
        # check's KEY SHARE), which otherwise deadlocked with a later lock on the same row.
        return statement.with_for_update(key_share=True) if for_update else statement

    def get_many(self, ids: Sequence[str]) -> dict[str, E]:
        if not ids:
            return {}
        statement = cached_statement((type(self), "get many"), self._get_many_statement)
        rows = run(self.conn, statement, {"scope_org_id": self.org_id, "entity_ids": list(ids)})
        return {row.id: self.to_entity(row) for row in rows}

    def _get_many_statement(self) -> Select[Any]:
        c = self.table.c
        return select(self.table).where(c.org_id == bindparam("scope_org_id"),
                                        c.id.in_(bindparam("entity_ids", expanding=True)),
                                        *self.visible())

    def insert(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(self.table).values(org_id=self.org_id, **values))

    def update(self, entity_id: str, values: dict[str, Any]) -> int:
        if any(isinstance(value, ClauseElement) for value in values.values()):
            statement = (update(self.table).where(self.scoped(), self.table.c.id == entity_id)
                         .values(**values))
            return self.conn.execute(statement).rowcount
        names = tuple(sorted(values))
        cached = cached_statement((self.table.name, "update", names),
                                  lambda: self._update_statement(names))
        params = {f"set_{name}": value for name, value in values.items()}
        params.update(scope_org_id=self.org_id, entity_id=entity_id)
        return int(run(self.conn, cached, params).rowcount)

    def _update_statement(self, names: tuple[str, ...]) -> Update:
        c = self.table.c
        return (update(self.table)
                .where(c.org_id == bindparam("scope_org_id"), c.id == bindparam("entity_id"))
                .values({name: bindparam(f"set_{name}", type_=c[name].type) for name in names}))

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
