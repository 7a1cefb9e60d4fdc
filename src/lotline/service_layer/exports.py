"""`svc.exports`: products, lots and serials as CSV or XLSX, in the columns the imports read,
so an export imports back unchanged (into another organization, or after a reset).

Serials in ALLOCATED, PICKED, INSTALLED or CANCELLED state export as they are, but an import
registers units only in the statuses it can create without an order or a parent unit."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from lotline.domain.errors import ValidationError
from lotline.domain.exchange import (
    CUSTOMERS,
    LOTS,
    PRODUCTS,
    SERIALS,
    SUPPLIERS,
    WAREHOUSES,
    Layout,
)
from lotline.files.sheets import write_csv, write_xlsx
from lotline.service_layer.base import Service
from lotline.service_layer.query_ports import ExportRows

FORMATS = ("csv", "xlsx")
Target = str | Path | IO[bytes]
RowSource = Callable[[ExportRows], Iterator[list[str]]]


class ExportService(Service):
    def products(self, target: Target, file_format: str = "csv") -> int:
        """Write every product; answers the number of rows."""
        return self._export(PRODUCTS, lambda rows: rows.products(), target, file_format)

    def batches(self, target: Target, file_format: str = "csv") -> int:
        return self._export(LOTS, lambda rows: rows.lots(), target, file_format)

    lots = batches

    def suppliers(self, target: Target, file_format: str = "csv") -> int:
        """Suppliers with their address, phone and GLN."""
        return self._export(SUPPLIERS, lambda rows: rows.suppliers(), target, file_format)

    def customers(self, target: Target, file_format: str = "csv") -> int:
        return self._export(CUSTOMERS, lambda rows: rows.customers(), target, file_format)

    def warehouses(self, target: Target, file_format: str = "csv") -> int:
        return self._export(WAREHOUSES, lambda rows: rows.warehouses(), target, file_format)

    def serials(self, target: Target, file_format: str = "csv", *,
                product_id: str | None = None, batch_id: str | None = None) -> int:
        return self._export(SERIALS, lambda rows: rows.serials(product_id, batch_id), target,
                            file_format)

    def to_bytes(self, entity: str, file_format: str = "csv", **options: Any) -> bytes:
        """The whole export in memory (for small exports and tests)."""
        buffer = io.BytesIO()
        getattr(self, entity)(buffer, file_format, **options)
        return buffer.getvalue()

    def _export(self, layout: Layout, source: RowSource, target: Target,
                file_format: str) -> int:
        chosen = _format(file_format)
        with self.uows(self.actor, write=False, may_lag=True) as uow:
            records = source(uow.exports)
            if chosen == "xlsx":
                return write_xlsx(target, layout.names, records, layout.entity)
            return _write_csv(target, layout.names, records)


def _format(file_format: str) -> str:
    chosen = (file_format or "csv").lower()
    if chosen not in FORMATS:
        raise ValidationError.single("format", "must be csv or xlsx", file_format)
    return chosen


def _write_csv(target: Target, header: list[str], records: Iterator[list[str]]) -> int:
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_csv(handle, header, records)
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    try:
        return write_csv(text, header, records)
    finally:
        text.flush()
        text.detach()
