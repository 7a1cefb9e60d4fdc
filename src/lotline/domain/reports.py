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

# A location description (21 CFR 1.1310): business name, phone, street address, city, state
# (region), postal code and country; one group of columns per place a row names.
DESCRIPTION = ("name", "phone", "street", "city", "region", "postal_code", "country")


def described(place: str) -> tuple[str, ...]:
    return tuple(f"{place}_{part}" for part in DESCRIPTION)


# FDA FSMA 204 key data elements (21 CFR 1.1340 shipping, 1.1345 receiving, 1.1350
# transformation) as the sortable spreadsheet's columns. A receiving row's ship-to is where
# the food was received; a transformation output's TLC source is where it was transformed.
FSMA204_COLUMNS = (
    "event_type", "event_date", "traceability_lot_code", "product_sku", "product_description",
    "quantity", "unit_of_measure", *described("tlc_source"), *described("ship_from"),
    *described("ship_to"), "location", "reference_document_type", "reference_document_number",
)
_TLC_SOURCE = described("tlc_source")
# Each key data element of the rule, by paragraph, and the columns that hold it.
FSMA204_KDES: dict[str, dict[str, tuple[str, ...]]] = {
    "shipping": {
        "1.1340(a)(1) traceability lot code": ("traceability_lot_code",),
        "1.1340(a)(2) quantity and unit of measure": ("quantity", "unit_of_measure"),
        "1.1340(a)(3) product description": ("product_description",),
        "1.1340(a)(4) immediate subsequent recipient": described("ship_to"),
        "1.1340(a)(5) location shipped from": described("ship_from"),
        "1.1340(a)(6) date shipped": ("event_date",),
        "1.1340(a)(7) traceability lot code source": _TLC_SOURCE,
        "1.1340(a)(8) reference document type and number": ("reference_document_type",
                                                             "reference_document_number"),
    },
    "receiving": {
        "1.1345(a)(1) traceability lot code": ("traceability_lot_code",),
        "1.1345(a)(2) quantity and unit of measure": ("quantity", "unit_of_measure"),
        "1.1345(a)(3) product description": ("product_description",),
        "1.1345(a)(4) immediate previous source": described("ship_from"),
        "1.1345(a)(5) location where received": described("ship_to"),
        "1.1345(a)(6) date received": ("event_date",),
        "1.1345(a)(7) traceability lot code source": _TLC_SOURCE,
        "1.1345(a)(8) reference document type and number": ("reference_document_type",
                                                             "reference_document_number"),
    },
    "transformation_input": {
        "1.1350(a)(1)(i) traceability lot code": ("traceability_lot_code",),
        "1.1350(a)(1)(ii) product description": ("product_description",),
        "1.1350(a)(1)(iii) quantity and unit of measure used": ("quantity", "unit_of_measure"),
    },
    "transformation_output": {
        "1.1350(a)(2)(i) new traceability lot code": ("traceability_lot_code",),
        "1.1350(a)(2)(ii) location where transformed (traceability lot code source)":
            _TLC_SOURCE,
        "1.1350(a)(2)(iii) date transformation completed": ("event_date",),
        "1.1350(a)(2)(iv) product description": ("product_description",),
        "1.1350(a)(2)(v) quantity and unit of measure": ("quantity", "unit_of_measure"),
        "1.1350(a)(2)(vi) reference document type and number": ("reference_document_type",
                                                                "reference_document_number"),
    },
}


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    parameters: dict[str, Any] = field(default_factory=dict)
    paged: bool = False  # rows are one page; next_cursor reads the next (None: the last)
    next_cursor: str | None = None
