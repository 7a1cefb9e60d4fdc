"""Seed 002's row-per-record reports: "serial number location" (each serial with product,
lot, status, warehouse and location) and "lot movement history" (every movement of every lot,
filtered by product, lot, date range, kind and location). A door reads them a page at a time
(`page`), or streams the whole report into a file (`streamed`) without holding it in memory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lotline.domain.errors import NotFound, ValidationError
from lotline.domain.reports import (
    LOT_MOVEMENT_COLUMNS,
    PAGED_REPORTS,
    SERIAL_LOCATION_COLUMNS,
    Report,
)
from lotline.domain.statuses import MovementKind, SerialStatus, parse_enum
from lotline.domain.values import optional_date
from lotline.service_layer.base import Service

COLUMNS = {"serial-number-location": SERIAL_LOCATION_COLUMNS,
           "lot-movement-history": LOT_MOVEMENT_COLUMNS}
FILTERS = {"serial-number-location": ("product_id", "batch_id", "status", "warehouse_id",
                                      "location_id"),
           "lot-movement-history": ("product_id", "batch_id", "kind", "location_id", "start",
                                    "end")}
DEFAULT_PAGE = 100


def report_filters(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The report's filters, checked: statuses and kinds by name or alias, dates as days."""
    if name not in PAGED_REPORTS:
        raise NotFound("report", name, "name")
    unknown = sorted(key for key, value in given.items()
                     if value is not None and key not in FILTERS[name])
    if unknown:
        raise ValidationError.single(unknown[0], f"is not a filter of report {name} "
                                     f"(filters: {', '.join(FILTERS[name])})")
    filters: dict[str, Any] = {key: None if given.get(key) is None else str(given[key])
                               for key in FILTERS[name]}
    if filters.get("status") is not None:
        filters["status"] = parse_enum(SerialStatus, filters["status"], "status").value
    if filters.get("kind") is not None:
        filters["kind"] = parse_enum(MovementKind, filters["kind"], "kind").value
    if name == "lot-movement-history":
        first = optional_date(given.get("start"), "start")
        last = optional_date(given.get("end"), "end")
        if first and last and last < first:
            raise ValidationError.single("end", f"{last} is before start {first}", str(last))
        filters.update(start=first, end=last)
    return filters


def _parameters(filters: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in filters.items()}


class RecordReports(Service):
    def page(self, name: str, *, limit: int = DEFAULT_PAGE, cursor: str | None = None,
             **given: Any) -> Report:
        """One page of the report (`limit` rows at most, 500 the most); `next_cursor` reads
        the next page."""
        filters = report_filters(name, given)
        with self.reading(may_lag=True) as uow:
            found = uow.reports.rows_page(name, filters, limit, cursor)
        return Report(name, COLUMNS[name], found.items, _parameters(filters), paged=True,
                      next_cursor=found.next_cursor)

    @contextmanager
    def streamed(self, name: str, **given: Any) -> Iterator[tuple[Report, Iterator[dict[str,
                                                                                       Any]]]]:
        """The report's header (no rows) and every row, read while the block runs."""
        filters = report_filters(name, given)
        with self.uows(self.actor, write=False, may_lag=True) as uow:
            yield (Report(name, COLUMNS[name], [], _parameters(filters)),
                   uow.reports.rows_stream(name, filters))
