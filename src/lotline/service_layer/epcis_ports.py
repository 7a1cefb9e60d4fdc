"""The port of the EPCIS repository (DESIGN §9): capture jobs and captured events, stored
verbatim with their index (domain/epcis_index), read back by the standard query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from lotline.domain.epcis_query import EpcisQuery

# Where a page ends: (eventTime in UTC, event key); the next page starts after it.
PagePosition = tuple[dt.datetime, str]


@dataclass(frozen=True, slots=True)
class CaptureJob:
    id: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    running: bool
    success: bool
    error_behaviour: str
    event_count: int
    captured_count: int
    errors: list[dict[str, Any]]
    receipt_ids: list[str]
    # What the ASNs' LGTINs announce: {receipt_id, product_id, lot, quantity}.
    expected_lots: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    key: str
    event_time: dt.datetime
    event: dict[str, Any]
    namespaces: dict[str, Any]


class EpcisRepository(Protocol):
    def add_capture(self, values: dict[str, Any]) -> None: ...
    def update_capture(self, capture_id: str, values: dict[str, Any]) -> None: ...
    def capture(self, capture_id: str) -> CaptureJob | None: ...
    def known_keys(self, keys: Sequence[str]) -> set[str]: ...
    def add_events(self, rows: Sequence[dict[str, Any]],
                   refs: Sequence[dict[str, Any]]) -> None: ...
    def refresh_statistics(self) -> None:
        """After a capture: the query planner's statistics of the stored events brought up to
        date where the database does not keep them itself."""
    def page(self, query: EpcisQuery, after: PagePosition | None,
             limit: int) -> list[StoredEvent]:
        """Up to `limit` captured events the query selects, after `after` in the query's
        order (eventTime then event key, ascending or descending)."""
        ...
    def count(self, query: EpcisQuery, at_most: int) -> int:
        """How many captured events the query selects, counting no further than `at_most`."""
        ...
    def has_units_numbered(self, serial_numbers: Sequence[str]) -> bool:
        """Whether the organization has a unit (serial) numbered one of `serial_numbers`."""
        ...
    def our_glns(self) -> dict[str, str]:
        """GLN -> warehouse id, of the organization's warehouses."""
        ...
    def supplier_by_gln(self) -> dict[str, str]:
        """GLN -> supplier id."""
        ...
