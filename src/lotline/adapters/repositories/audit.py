"""The append-only audit log of master-data edits (DESIGN §5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select

from lotline.adapters import tables as t
from lotline.domain.ids import new_id
from lotline.domain.model import AuditEntry


class AuditRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def record(self, *, actor: str, entity: str, entity_id: str, action: str,
               before: dict[str, Any] | None, after: dict[str, Any] | None,
               moment: dt.datetime) -> None:
        self.conn.execute(insert(t.audit_log).values(
            id=new_id(), org_id=self.org_id, occurred_at=moment, actor=actor, entity=entity,
            entity_id=entity_id, action=action, before=before, after=after))

    def for_entity(self, entity: str, entity_id: str) -> list[AuditEntry]:
        a = t.audit_log.c
        statement = (select(t.audit_log)
                     .where(a.org_id == self.org_id, a.entity == entity, a.entity_id == entity_id)
                     .order_by(a.id))
        return [AuditEntry(id=row.id, occurred_at=row.occurred_at, actor=row.actor,
                           entity=row.entity, entity_id=row.entity_id, action=row.action,
                           before=row.before, after=row.after)
                for row in self.conn.execute(statement)]
