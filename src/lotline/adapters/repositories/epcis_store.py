"""Captured EPCIS events and capture jobs (DESIGN §9): events stored verbatim, their query
fields as columns and their identifiers as rows of epcis_event_refs, so every standard query
parameter is an indexed condition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from lotline.adapters import tables as t
from lotline.domain.epcis import with_record_time
from lotline.domain.epcis_conditions import Condition, FieldMatch, TimeBound, TypeIn
from lotline.domain.epcis_patterns import Glob, IdSelection, Wild
from lotline.domain.epcis_query import EpcisQuery
from lotline.service_layer.epcis_ports import CaptureJob, PagePosition, StoredEvent

# EventIndex field -> epcis_events column, where the names differ.
_COLUMNS = {"key": "event_key"}
KEYS_PER_QUERY = 500


def _like(glob: Glob) -> str:
    return "".join("%" if part is Wild.ANY else "_" if part is Wild.ONE else
                   part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                   for part in glob)


def _sqlite_glob(glob: Glob) -> str:
    special = str.maketrans({"*": "[*]", "?": "[?]", "[": "[[]"})
    return "".join("*" if part is Wild.ANY else "?" if part is Wild.ONE else
                   part.translate(special) for part in glob)


class EpcisStore:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def add_capture(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.epcis_captures).values(org_id=self.org_id, **values))

    def update_capture(self, capture_id: str, values: dict[str, Any]) -> None:
        c = t.epcis_captures.c
        self.conn.execute(update(t.epcis_captures).where(
            c.org_id == self.org_id, c.id == capture_id).values(**values))

    def capture(self, capture_id: str) -> CaptureJob | None:
        c = t.epcis_captures.c
        row = self.conn.execute(select(t.epcis_captures).where(
            c.org_id == self.org_id, c.id == capture_id)).first()
        if row is None:
            return None
        return CaptureJob(id=row.id, created_at=row.created_at, finished_at=row.finished_at,
                          running=row.running, success=row.success,
                          error_behaviour=row.error_behaviour, event_count=row.event_count,
                          captured_count=row.captured_count, errors=list(row.errors),
                          receipt_ids=list(row.receipt_ids),
                          expected_lots=list(row.expected_lots))

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        e = t.epcis_events.c
        found: set[str] = set()
        unique = sorted(set(keys))
        for start in range(0, len(unique), KEYS_PER_QUERY):
            found.update(self.conn.scalars(select(e.event_key).where(
                e.org_id == self.org_id,
                e.event_key.in_(unique[start:start + KEYS_PER_QUERY]))))
        return found

    def add_events(self, rows: Sequence[dict[str, Any]],
                   refs: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(t.epcis_events),
                              [{"org_id": self.org_id, **row} for row in rows])
        if refs:
            self.conn.execute(insert(t.epcis_event_refs),
                              [{"org_id": self.org_id, **ref} for ref in refs])

    def refresh_statistics(self) -> None:
        # SQLite keeps no statistics unless told: without them a query by EPC walks every
        # event of the organization in time order (over 1 s at 100,000 events) instead of
        # looking the EPC up (0.2 ms). analysis_limit bounds the cost whatever the size.
        # PostgreSQL's autovacuum analyzes by itself.
        if self.conn.dialect.name == "sqlite":
            self.conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            self.conn.exec_driver_sql("ANALYZE epcis_events")
            self.conn.exec_driver_sql("ANALYZE epcis_event_refs")

    def page(self, query: EpcisQuery, after: PagePosition | None,
             limit: int) -> list[StoredEvent]:
        e = t.epcis_events.c
        statement = self._selected(query, select(e.event_key, e.event_time, e.record_time,
                                                 e.event, e.namespaces))
        order = getattr(e, query.order_by)
        if after is not None:
            moment, key = after
            statement = statement.where(
                or_(order < moment, and_(order == moment, e.event_key < key))
                if query.descending else
                or_(order > moment, and_(order == moment, e.event_key > key)))
        ordering = (order.desc(), e.event_key.desc()) if query.descending else \
            (order, e.event_key)
        rows = self.conn.execute(statement.order_by(*ordering).limit(limit))
        return [StoredEvent(row.event_key, row.event_time,
                            with_record_time(row.event, row.record_time), row.namespaces)
                for row in rows]

    def count(self, query: EpcisQuery, at_most: int) -> int:
        e = t.epcis_events.c
        selected = self._selected(query, select(e.id)).limit(at_most).subquery()
        return int(self.conn.scalar(select(func.count()).select_from(selected)) or 0)

    def _selected(self, query: EpcisQuery, statement: Select[Any]) -> Select[Any]:
        e = t.epcis_events.c
        statement = statement.where(e.org_id == self.org_id)
        for condition in query.conditions:
            statement = statement.where(self._condition(condition))
        return statement

    def _condition(self, condition: Condition) -> ColumnElement[bool]:
        e, r = t.epcis_events.c, t.epcis_event_refs.c
        if isinstance(condition, TypeIn):
            return e.event_type.in_(sorted(condition.types))
        if isinstance(condition, TimeBound):
            moment: ColumnElement[Any] = getattr(e, _COLUMNS.get(condition.field,
                                                                  condition.field))
            return moment >= condition.moment if condition.at_or_after \
                else moment < condition.moment
        if isinstance(condition, FieldMatch):
            column: Any = getattr(e, _COLUMNS.get(condition.field, condition.field))
            return self._selects(column, condition.selection)
        # IN (not a correlated EXISTS): the identifiers' events are looked up once by the
        # (org_id, value) index, not once per event of the organization.
        return e.id.in_(select(r.event_id).where(
            r.org_id == self.org_id, r.role.in_(condition.roles),
            self._selects(r.value, condition.selection)))

    def _selects(self, column: Any, selection: IdSelection) -> ColumnElement[bool]:
        alternatives = [column.in_(sorted(selection.exact))] if selection.exact else []
        for glob in selection.globs:
            if self.conn.dialect.name == "sqlite":  # its LIKE ignores case; GLOB does not
                alternatives.append(column.op("GLOB")(_sqlite_glob(glob)))
            else:
                alternatives.append(column.like(_like(glob), escape="\\"))
        return or_(*alternatives) if alternatives else false()

    def our_glns(self) -> dict[str, str]:
        w = t.warehouses.c
        return {row.gln: row.id for row in self.conn.execute(
            select(w.gln, w.id).where(w.org_id == self.org_id, w.gln.is_not(None)))}

    def supplier_by_gln(self) -> dict[str, str]:
        s = t.suppliers.c
        return {row.gln: row.id for row in self.conn.execute(
            select(s.gln, s.id).where(s.org_id == self.org_id, s.gln.is_not(None)))}
