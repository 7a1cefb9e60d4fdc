"""`lotline reports serial-number-location|lot-movement-history`: seed 002's row-per-record
reports. A table shows the first page; `--format json|csv|xlsx` streams the whole report to
the file (or standard output) a thousand rows at a time, however many serials there are."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from lotline.bootstrap import Services
from lotline.domain.errors import NotFound
from lotline.domain.model import Warehouse
from lotline.entrypoints.cli.flow_args import resolve_location
from lotline.entrypoints.cli.output import OutputFormat, counted, emit
from lotline.entrypoints.cli.state import looks_like_id
from lotline.entrypoints.report_files import write_report

OPTIONS = {"serial-number-location": {"product_id", "batch_id", "status", "warehouse_id",
                                      "location_id", "limit"},
           "lot-movement-history": {"product_id", "batch_id", "kind", "location_id", "start",
                                    "end", "limit"}}


TABLE_COLUMNS = {
    "serial-number-location": ("serial_number", "product_sku", "product_name", "batch_number",
                               "status", "warehouse", "location"),
    "lot-movement-history": ("occurred_at", "kind", "product_sku", "batch_number",
                             "serial_number", "quantity", "from_location", "to_location",
                             "to_status", "order_reference", "reason")}


def resolve_warehouse(svc: Services, ref: str) -> Warehouse:
    """A warehouse by id, else by code (case-insensitive)."""
    ref = ref.strip()
    if looks_like_id(ref):
        return svc.warehouses.get(ref)
    for warehouse in svc.warehouses.list(limit=500).items:
        if warehouse.code.casefold() == ref.casefold():
            return warehouse
    raise NotFound("warehouse", ref, "code")


def record_filters(svc: Services, name: str, given: dict[str, Any],
                   warehouse: str | None, location: str | None) -> dict[str, Any]:
    """The report's filters from the command line; an option it does not take is misuse."""
    found = {**given}
    if warehouse is not None:
        found["warehouse_id"] = resolve_warehouse(svc, warehouse).id
    if location is not None:
        warehouse_id = found.get("warehouse_id")
        found["location_id"] = resolve_location(svc, location, warehouse_id).id
    unused = sorted(key for key, value in found.items()
                    if value is not None and key not in OPTIONS[name])
    if unused:
        raise typer.BadParameter(f"report {name} takes no {', '.join(unused)}")
    return {key: value for key, value in found.items() if key in OPTIONS[name]}


def run_record_report(svc: Services, name: str, filters: dict[str, Any], file_format: str,
                      output: Path | None, render: Any) -> None:
    limit = filters.pop("limit", None) or 100
    if file_format == "table" and output is None:
        report = svc.reports.page(name, limit=limit, **filters)
        # The table shows what people read; ids and the rest are in the files.
        shown = replace(report, columns=TABLE_COLUMNS[name])
        emit(OutputFormat.TABLE, report.rows, columns=report.columns,
             render=lambda: render(shown))
        return
    chosen = "json" if file_format == "table" else file_format
    if output is None:
        count = _write(svc, name, filters, chosen, sys.stdout.buffer)
        sys.stdout.flush()
        return
    with output.open("wb") as handle:
        count = _write(svc, name, filters, chosen, handle)
    typer.echo(f"wrote report {name} ({counted(count, 'row')}) to {output}")


def _write(svc: Services, name: str, filters: dict[str, Any], file_format: str,
           target: Any) -> int:
    with svc.reports.streamed(name, **filters) as (header, rows):
        return write_report(target, header, rows, file_format)
