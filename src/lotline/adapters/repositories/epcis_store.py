"""Captured EPCIS events and capture jobs (DESIGN §9): events stored verbatim, their query
fields as columns and their identifiers as rows of epcis_event_refs, so every standard query
parameter is an indexed condition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from lotline.adapters import tables as t
from lotline.adapters.repositories.epcis_sql import (
    bound_values,
    page_statement,
    query_shape,
    selected,
)
from lotline.domain.epcis import with_record_time
from lotline.domain.epcis_query import EpcisQuery
from lotline.service_layer.epcis_ports import CaptureJob, PagePosition, StoredEvent

KEYS_PER_QUERY = 500
_UNIT_NUMBERED = select(t.serials.c.id).where(
    t.serials.c.org_id == bindparam("org_id"),
    t.serials.c.serial_number.in_(bindparam("numbers", expanding=True))).limit(1)


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
        dialect = self.conn.dialect.name
        shape, values = query_shape(query, dialect)
        statement = page_statement(shape, dialect, query.order_by, query.descending,
                                   after is not None)
        params = {**bound_values(values), "org_id": self.org_id, "page_limit": limit}
        if after is not None:
            params.update(after_time=after[0], after_key=after[1])
        rows = self.conn.execute(statement, params)
        return [StoredEvent(row.event_key, row.event_time,
                            with_record_time(row.event, row.record_time), row.namespaces)
                for row in rows]

    def count(self, query: EpcisQuery, at_most: int) -> int:
        dialect = self.conn.dialect.name
        shape, values = query_shape(query, dialect)
        chosen = selected(shape, dialect, ("id",)).limit(at_most).subquery()
        return int(self.conn.scalar(select(func.count()).select_from(chosen),
                                    {**bound_values(values), "org_id": self.org_id}) or 0)

    def has_units_numbered(self, serial_numbers: Sequence[str]) -> bool:
        unique = sorted(set(serial_numbers))
        return any(self.conn.scalar(_UNIT_NUMBERED, {
            "org_id": self.org_id, "numbers": unique[start:start + KEYS_PER_QUERY]})
            is not None for start in range(0, len(unique), KEYS_PER_QUERY))

    def our_glns(self) -> dict[str, str]:
        w = t.warehouses.c
        return {row.gln: row.id for row in self.conn.execute(
            select(w.gln, w.id).where(w.org_id == self.org_id, w.gln.is_not(None)))}

    def supplier_by_gln(self) -> dict[str, str]:
        s = t.suppliers.c
        return {row.gln: row.id for row in self.conn.execute(
            select(s.gln, s.id).where(s.org_id == self.org_id, s.gln.is_not(None)))}
