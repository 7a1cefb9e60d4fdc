"""Reports as tables: a name, its columns in order, and rows keyed by column, so every door
renders them the same way (table, JSON, CSV, XLSX)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPORT_NAMES = ("expiring", "expired", "lot-inventory", "serial-inventory", "serial-history",
                "lot-history", "supplier-performance", "valuation", "fsma204",
                "serial-number-location", "lot-movement-history")
# Seed 002's row-per-record reports: read a page at a time, or streamed whole into a file.
PAGED_REPORTS = ("serial-number-location", "lot-movement-history")
SERIAL_LOCATION_COLUMNS = (
    "serial_number", "product_sku", "product_name", "batch_number", "status", "warehouse",
    "location", "serial_id", "product_id", "batch_id", "warehouse_id", "location_id")
LOT_MOVEMENT_COLUMNS = (
    "occurred_at", "recorded_at", "kind", "product_sku", "batch_number", "serial_number",
    "quantity", "from_location", "to_location", "from_status", "to_status", "order_reference",
    "unit_cost", "reason", "actor", "movement_id", "product_id", "batch_id",
    "from_location_id", "to_location_id")

# FDA FSMA 204 key data elements (21 CFR 1.1340 shipping, 1.1345 receiving, 1.1350
# transformation) as the sortable spreadsheet's columns.
FSMA204_COLUMNS = (
    "event_type", "event_date", "traceability_lot_code", "traceability_lot_code_source",
    "product_sku", "product_description", "quantity", "unit_of_measure", "ship_from",
    "ship_to", "location", "reference_document_type", "reference_document_number",
)


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    parameters: dict[str, Any] = field(default_factory=dict)
    paged: bool = False  # rows are one page; next_cursor reads the next (None: the last)
    next_cursor: str | None = None
