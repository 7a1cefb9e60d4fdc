"""The EPCIS port (service_layer/epcis_ports.py) in memory, for the fake unit of work: capture
jobs and captured events kept as rows of the unit of work's tables (so they commit and roll
back with it), each event with the refs its index names; the standard query matched by the
domain's own `matches`, in the store's order. Also the report reads EPCIS export makes, for a
fake organization without movements or notices (with any, they fail loudly)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lotline.domain.epcis_index import EventIndex
from lotline.domain.epcis_query import EpcisQuery, matches
from lotline.service_layer.epcis_ports import CaptureJob, PagePosition, StoredEvent

if TYPE_CHECKING:
    from fake_uow import FakeUnitOfWork

JOB_FIELDS = [field.name for field in dataclasses.fields(CaptureJob)]


class FakeEpcis:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.captures = uow.data["epcis_captures"]
        self.events = uow.data["epcis_events"]

    def add_capture(self, values: dict[str, Any]) -> None:
        self.captures[values["id"]] = {"finished_at": None, **values}

    def update_capture(self, capture_id: str, values: dict[str, Any]) -> None:
        self.captures[capture_id].update(values)

    def capture(self, capture_id: str) -> CaptureJob | None:
        row = self.captures.get(capture_id)
        return None if row is None else CaptureJob(**{name: row[name] for name in JOB_FIELDS})

    def known_keys(self, keys: Sequence[str]) -> set[str]:
        return {row["event_key"] for row in self.events.values()} & set(keys)

    def refresh_statistics(self) -> None:
        """Nothing to do: a dict needs no planner statistics."""

    def add_events(self, rows: Sequence[dict[str, Any]],
                   refs: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            if row["event_key"] in self.known_keys([row["event_key"]]):
                raise AssertionError(f"event {row['event_key']} stored twice (a unique key)")
            self.events[row["id"]] = {**row, "refs": set()}
        for ref in refs:
            self.events[ref["event_id"]]["refs"].add((ref["role"], ref["value"]))

    def _selected(self, query: EpcisQuery) -> list[tuple[EventIndex, dict[str, Any]]]:
        found = []
        for row in self.events.values():
            index = EventIndex(
                key=row["event_key"], event_type=row["event_type"],
                event_time=row["event_time"], action=row["action"], biz_step=row["biz_step"],
                disposition=row["disposition"], read_point=row["read_point"],
                biz_location=row["biz_location"], refs=frozenset(row["refs"]))
            if matches(index, query):
                found.append((index, row))
        return found

    def page(self, query: EpcisQuery, after: PagePosition | None,
             limit: int) -> list[StoredEvent]:
        ordered = sorted(self._selected(query), key=lambda item: (
            getattr(item[0], query.order_by), item[0].key), reverse=query.descending)
        if after is not None:
            ordered = [(index, row) for index, row in ordered
                       if ((index.event_time, index.key) < after if query.descending
                           else (index.event_time, index.key) > after)]
        return [StoredEvent(index.key, index.event_time, row["event"], row["namespaces"])
                for index, row in ordered[:limit]]

    def count(self, query: EpcisQuery, at_most: int) -> int:
        return min(len(self._selected(query)), at_most)

    def has_units_numbered(self, serial_numbers: Sequence[str]) -> bool:
        return False  # the fake holds lots, not serials

    def our_glns(self) -> dict[str, str]:
        return {row["gln"]: row["id"] for row in self.uow.data["warehouses"].values()
                if row.get("gln")}

    def supplier_by_gln(self) -> dict[str, str]:
        return {row["gln"]: row["id"] for row in self.uow.data["suppliers"].values()
                if row.get("gln")}


class FakeEpcisReports:
    """What the EPCIS export reads of the reports port. The fake builds no exported events:
    asked for movements or notices it holds, it says so rather than answer nothing."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def epcis_movements(self, kinds: Sequence[str], start: Any, end: Any, batch_id: Any,
                        limit: int | None) -> list[Any]:
        if any(m.kind.value in kinds for m in self.uow.ledger_rows):
            raise NotImplementedError("the fake unit of work exports no movements")
        return []

    def epcis_notices(self, types: Sequence[str], start: Any, end: Any,
                      limit: int) -> list[Any]:
        if any(row["type"] in types for row in self.uow.event_rows):
            raise NotImplementedError("the fake unit of work exports no notices")
        return []

    def epcis_sites(self) -> dict[str, Any]:
        raise NotImplementedError("the fake unit of work exports no notices")
