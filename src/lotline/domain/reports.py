"""Reports as tables: a name, its columns in order, and rows keyed by column, so every door
renders them the same way (table, JSON, CSV, XLSX)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPORT_NAMES = ("expiring", "expired", "lot-inventory", "serial-inventory", "serial-history",
                "lot-history", "supplier-performance", "valuation", "fsma204")

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
