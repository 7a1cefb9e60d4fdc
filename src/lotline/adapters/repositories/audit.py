"""The append-only audit log of master-data edits (DESIGN §5), read newest first (§9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.common import check_limit, decode_cursor, encode_cursor
from lotline.domain.audit import AuditFilter
from lotline.domain.errors import ValidationError
from lotline.domain.ids import new_id
from lotline.domain.model import AuditEntry, Page


class AuditRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def record(self, *, actor: str, entity: str, entity_id: str, action: str,
               before: dict[str, Any] | None, after: dict[str, Any] | None,
               moment: dt.datetime, reason: str | None = None) -> None:
        self.conn.execute(insert(t.audit_log).values(
            id=new_id(), org_id=self.org_id, occurred_at=moment, actor=actor, entity=entity,
            entity_id=entity_id, action=action, before=before, after=after, reason=reason))

    def for_entity(self, entity: str, entity_id: str) -> list[AuditEntry]:
        a = t.audit_log.c
        statement = (select(t.audit_log)
                     .where(a.org_id == self.org_id, a.entity == entity, a.entity_id == entity_id)
                     .order_by(a.id))
        return [_entry(row) for row in self.conn.execute(statement)]

    def page(self, where: AuditFilter, limit: int, cursor: str | None) -> Page[AuditEntry]:
        """Newest first (ids are time-ordered); `cursor` is the last row of the page before,
        which must be one of this organization's rows."""
        limit = check_limit(limit)
        a = t.audit_log.c
        statement = select(t.audit_log).where(a.org_id == self.org_id)
        for column, value in ((a.entity, where.entity), (a.entity_id, where.entity_id),
                              (a.actor, where.actor), (a.action, where.action)):
            if value is not None:
                statement = statement.where(column == value)
        if where.since is not None:
            statement = statement.where(a.occurred_at >= where.since)
        if where.until is not None:
            statement = statement.where(a.occurred_at < where.until)
        after = decode_cursor(cursor)
        if after is not None:
            statement = statement.where(a.id < self._known(str(after[0]), cursor))
        rows = self.conn.execute(statement.order_by(a.id.desc()).limit(limit + 1)).all()
        next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
        return Page([_entry(row) for row in rows[:limit]], next_cursor)

    def _known(self, entry_id: str, cursor: str | None) -> str:
        a = t.audit_log.c
        found = self.conn.execute(select(a.id).where(a.org_id == self.org_id,
                                                     a.id == entry_id)).scalar()
        if found is None:
            raise ValidationError.single("cursor", "is not a cursor of this organization's "
                                         "audit log", cursor)
        return str(found)


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(id=row.id, occurred_at=row.occurred_at, actor=row.actor,
                      entity=row.entity, entity_id=row.entity_id, action=row.action,
                      before=row.before, after=row.after, reason=row.reason)
