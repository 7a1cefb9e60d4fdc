"""The audit log: written by every master-data edit in the edit's own transaction, read by
admins (DESIGN §9) page by page or exported whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lotline.domain.audit import (
    AUDIT_COLUMNS,
    AUDIT_LIMIT_MAX,
    AuditFilter,
    changed_fields,
    parse_audit_filter,
)
from lotline.domain.model import AuditEntry, Page
from lotline.domain.reports import Report
from lotline.domain.statuses import Role
from lotline.service_layer.base import Service
from lotline.service_layer.unit_of_work import UnitOfWork


def record_change(uow: UnitOfWork, entity: str, entity_id: str, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None,
                  reason: str | None = None) -> bool:
    """One audit row. An edit (both snapshots given) keeps only the fields it changed, on
    both sides; an edit that changed nothing writes no row (answers False). A creation has
    no `before`, a deletion no `after`: they keep the whole record."""
    if before is not None and after is not None:
        before, after = changed_fields(before, after)
        if not after:
            return False
    uow.audit.record(actor=uow.actor.name, entity=entity, entity_id=entity_id, action=action,
                     before=before, after=after, moment=uow.actor.now(), reason=reason)
    return True


def entry_row(entry: AuditEntry) -> dict[str, Any]:
    """An entry as a report row: before and after as compact JSON text (sorted keys)."""
    return {"id": entry.id, "occurred_at": entry.occurred_at, "actor": entry.actor,
            "entity": entry.entity, "entity_id": entry.entity_id, "action": entry.action,
            "reason": entry.reason, "before": _json(entry.before), "after": _json(entry.after)}


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class AuditService(Service):
    """Admins read who changed which master data or setting, before and after, and why."""

    def list(self, *, entity: Any = None, entity_id: Any = None, actor: Any = None,
             action: Any = None, since: Any = None, until: Any = None, limit: int = 50,
             cursor: str | None = None) -> Page[AuditEntry]:
        """One page, newest first; `next_cursor` continues it. Bad filters are a
        ValidationError naming each one."""
        self.actor.require(Role.ADMIN, "reading the audit log")
        where = parse_audit_filter(entity=entity, entity_id=entity_id, actor=actor,
                                   action=action, since=since, until=until)
        with self.reading(may_lag=True) as uow:
            return uow.audit.page(where, limit, cursor)

    def export(self, *, entity: Any = None, entity_id: Any = None, actor: Any = None,
               action: Any = None, since: Any = None, until: Any = None,
               cursor: str | None = None) -> Report:
        """Every entry the filters select (from `cursor` on), newest first, as a report for
        the CSV, XLSX and JSON writers."""
        self.actor.require(Role.ADMIN, "exporting the audit log")
        where = parse_audit_filter(entity=entity, entity_id=entity_id, actor=actor,
                                   action=action, since=since, until=until)
        rows = [entry_row(entry) for entry in self._entries(where, cursor)]
        parameters = {"entity": where.entity, "entity_id": where.entity_id,
                      "actor": where.actor, "action": where.action, "since": where.since,
                      "until": where.until}
        return Report("audit", AUDIT_COLUMNS, rows, parameters)

    def _entries(self, where: AuditFilter, cursor: str | None) -> Iterator[AuditEntry]:
        with self.reading(may_lag=True) as uow:  # one snapshot: the pages see the same log
            while True:
                page = uow.audit.page(where, AUDIT_LIMIT_MAX, cursor)
                yield from page.items
                if page.next_cursor is None:
                    return
                cursor = page.next_cursor
