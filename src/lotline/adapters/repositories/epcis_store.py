"""Captured EPCIS events and capture jobs (DESIGN §9): events stored verbatim, their query
fields as columns and their identifiers as rows of epcis_event_refs, so every standard query
parameter is an indexed condition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from lotline.adapters import tables as t
from lotline.domain.epcis import with_record_time
from lotline.domain.epcis_query import MATCH_ROLES, EpcisQuery
from lotline.service_layer.epcis_ports import CaptureJob, PagePosition, StoredEvent

_COLUMNS = {"EQ_bizStep": "biz_step", "EQ_disposition": "disposition",
            "EQ_readPoint": "read_point", "EQ_bizLocation": "biz_location",
            "EQ_action": "action", "EQ_eventID": "event_key"}
KEYS_PER_QUERY = 500


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

    def page(self, query: EpcisQuery, after: PagePosition | None,
             limit: int) -> list[StoredEvent]:
        e = t.epcis_events.c
        statement = select(e.event_key, e.event_time, e.record_time, e.event,
                           e.namespaces).where(e.org_id == self.org_id)
        if query.event_types:
            statement = statement.where(e.event_type.in_(sorted(query.event_types)))
        if query.since is not None:
            statement = statement.where(e.event_time >= query.since)
        if query.before is not None:
            statement = statement.where(e.event_time < query.before)
        if query.recorded_since is not None:
            statement = statement.where(e.record_time >= query.recorded_since)
        if query.recorded_before is not None:
            statement = statement.where(e.record_time < query.recorded_before)
        for name, wanted in query.equals.items():
            statement = statement.where(getattr(e, _COLUMNS[name]).in_(sorted(wanted)))
        r = t.epcis_event_refs.c
        for name, wanted in query.matches.items():
            # IN (not a correlated EXISTS): the identifiers' events are looked up once by
            # the (org_id, value) index, not once per event of the organization.
            statement = statement.where(e.id.in_(select(r.event_id).where(
                r.org_id == self.org_id, r.role.in_(MATCH_ROLES[name]),
                r.value.in_(sorted(wanted)))))
        if after is not None:
            moment, key = after
            statement = statement.where(or_(e.event_time > moment,
                                            and_(e.event_time == moment, e.event_key > key)))
        rows = self.conn.execute(statement.order_by(e.event_time, e.event_key).limit(limit))
        return [StoredEvent(row.event_key, row.event_time,
                            with_record_time(row.event, row.record_time), row.namespaces)
                for row in rows]

    def our_glns(self) -> dict[str, str]:
        w = t.warehouses.c
        return {row.gln: row.id for row in self.conn.execute(
            select(w.gln, w.id).where(w.org_id == self.org_id, w.gln.is_not(None)))}

    def supplier_by_gln(self) -> dict[str, str]:
        s = t.suppliers.c
        return {row.gln: row.id for row in self.conn.execute(
            select(s.gln, s.id).where(s.org_id == self.org_id, s.gln.is_not(None)))}
