"""The outbox of the change feed (DESIGN §9): one row per event, in the change's transaction.

Reading in commit order without skipping: on SQLite writers are serialised, so `id` order is
commit order. On PostgreSQL ids are taken before commit and can become visible out of order,
so each row stores its transaction's id (`pg_current_xact_id()`) and the feed hands out only
rows whose transaction is older than every transaction still running
(`pg_snapshot_xmin(pg_current_snapshot())`): those are all committed or gone for good, and
no row can later appear before the last one handed out. The feed's order is (txid, id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Insert,
    Text,
    bindparam,
    cast,
    insert,
    literal_column,
    select,
    tuple_,
)

from lotline.adapters import tables as t
from lotline.adapters.direct import run
from lotline.adapters.repositories.common import cached_statement
from lotline.domain.events import Event

Position = tuple[int, int]  # (txid, id)

PG_TXID = "pg_current_xact_id()::text::bigint"
PG_HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def _insert_statement(postgres: bool) -> Insert:
    e = t.events.c
    values: dict[str, Any] = {name: bindparam(name, type_=e[name].type)
                              for name in ("org_id", "type", "occurred_at", "actor")}
    # The data comes as its JSON text already (event_document): stored as it is.
    document = bindparam("data", type_=Text())
    values["data"] = cast(document, JSON) if postgres else document
    if postgres:
        values["txid"] = literal_column(PG_TXID)
    return insert(t.events).values(values)


class EventRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id
        self.postgres = conn.dialect.name == "postgresql"

    def add(self, type_: str, document: str, *, actor: str,
            moment: dt.datetime) -> None:
        statement = cached_statement(("events", "insert", self.postgres),
                                     lambda: _insert_statement(self.postgres))
        run(self.conn, statement, {"org_id": self.org_id, "type": type_, "occurred_at": moment,
                                   "actor": actor, "data": document})

    def position_of(self, event_id: int) -> Position | None:
        """The feed position of this organization's event `event_id`, None if it has none."""
        e = t.events.c
        row = self.conn.execute(select(e.txid, e.id).where(
            e.org_id == self.org_id, e.id == event_id)).first()
        return None if row is None else (row.txid, row.id)

    def page(self, after: Position | None, types: Sequence[str] | None,
             limit: int) -> list[Event]:
        e = t.events.c
        statement = select(t.events).where(e.org_id == self.org_id)
        if after is not None:
            statement = statement.where(tuple_(e.txid, e.id) > tuple_(*after))
        if types:
            statement = statement.where(e.type.in_(list(types)))
        if self.postgres:
            statement = statement.where(e.txid < literal_column(PG_HORIZON))
        statement = statement.order_by(e.txid, e.id).limit(limit)
        return [Event(id=row.id, type=row.type, occurred_at=row.occurred_at,
                      organization_id=row.org_id, actor=row.actor, data=row.data)
                for row in self.conn.execute(statement)]

    def end_position(self) -> Position:
        """The position of the last event a reader can see now ((0, 0) when none)."""
        e = t.events.c
        statement = select(e.txid, e.id).where(e.org_id == self.org_id)
        if self.postgres:
            statement = statement.where(e.txid < literal_column(PG_HORIZON))
        row = self.conn.execute(statement.order_by(e.txid.desc(), e.id.desc()).limit(1)).first()
        return (0, 0) if row is None else (row.txid, row.id)

