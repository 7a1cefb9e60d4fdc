"""Scans, import reports and label requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.domain.gs1 import FNC1_SUBSTITUTES
from lotline.entrypoints.api.schemas.batches import Batch
from lotline.entrypoints.api.schemas.catalog import Product
from lotline.entrypoints.api.schemas.common import Input, Output
from lotline.entrypoints.api.schemas.serials import Serial


class ScanIn(Input):
    scan_fields = frozenset({"data"})
    data: Annotated[str, Field(min_length=1, max_length=4096, description=(
        "what the scanner sent: a GS1 element string (FNC1 as ASCII 29 or as "
        + ", ".join(FNC1_SUBSTITUTES) + "; with or without a symbology identifier such as "
        "]d2), the (01)...(10)... form, a GS1 Digital Link URI, a GTIN, a serial number or a "
        "lot number"))]


class ScanWarning(Output):
    code: str
    message: str


class ScanOut(Output):
    gtin: str | None
    lot: str | None
    serial: str | None
    expiry_date: dt.date | None
    best_before: dt.date | None
    production_date: dt.date | None
    quantity: int | None = Field(description="AI 30, variable count of items")
    count: int | None = Field(description="AI 37, count of trade items in a logistic unit")
    sscc: str | None
    content_gtin: str | None = Field(description="AI 02, the GTIN of contained items")
    product: Product | None
    batch: Batch | None
    serial_record: Serial | None
    warnings: list[ScanWarning]
    source: str = Field(description="gs1, serial_number or lot_number")
    form: str | None
    symbology: str | None


class RowError(Output):
    row: int = Field(description="file line (CSV) or sheet row (XLSX); 0 for the whole file")
    column: str | None
    value: str | None
    reason: str


class ImportReport(Output):
    entity: str
    file_format: str
    dry_run: bool
    rows: int
    written: int
    movements: int
    error_count: int
    errors: list[RowError]
    ignored_columns: list[str]
