"""`lotline scan DATA`: what a barcode (or a typed serial or lot number) is here."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType

from lotline.bootstrap import Services
from lotline.domain import gs1
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, detail_table, emit, table
from lotline.entrypoints.cli.state import Names, services
from lotline.service_layer.scan import ScanResult

app = typer.Typer()

BARCODE_FIELDS = ("gtin", "lot", "serial", "expiry_date", "best_before", "production_date",
                  "quantity", "count", "sscc", "content_gtin")


# A shell cannot pass ASCII 29 easily; the substitutes every door reads (DESIGN §6) can.
FNC1_HELP = ("What the scanner sent. Write FNC1 (ASCII 29) as "
             + ", ".join(gs1.FNC1_SUBSTITUTES) + ".")


def scan_tables(result: ScanResult, svc: Services) -> list[RenderableType]:
    names = Names(svc)
    rows: list[tuple[str, object]] = [("Read as", f"{result.source} ({result.form})"
                                       + (f", symbology {result.symbology}"
                                          if result.symbology else ""))]
    rows += [(name.replace("_", " ").capitalize(), getattr(result, name))
             for name in BARCODE_FIELDS if getattr(result, name) is not None]
    rows.append(("Product", f"{result.product.sku} ({result.product.name})"
                 if result.product else None))
    if result.batch is not None:
        rows += [("Lot", result.batch.batch_number), ("Lot expiry", result.batch.expiry_date),
                 ("Lot on hand", result.batch.balance_quantity)]
    if result.serial_record is not None:
        serial = result.serial_record
        rows += [("Serial", serial.serial_number), ("Status", serial.status),
                 ("Location", names.location(serial.location_id)),
                 ("Order", names.order(serial.order_id))]
    shown: list[RenderableType] = [detail_table("Scan", rows)]
    if result.warnings:
        shown.append(table("Warnings", ("Code", "Message"),
                           [(w.code, w.message) for w in result.warnings]))
    return shown


@app.command("scan")
def scan(ctx: typer.Context,
         data: Annotated[str, typer.Argument(help=FNC1_HELP)],
         fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Read a GS1 barcode, Digital Link, GTIN, serial or lot number and show what it is."""
    svc = services(ctx)
    result = svc.scan.parse(data)
    emit(fmt, result, columns=[*BARCODE_FIELDS, "source", "form", "warnings"],
         render=lambda: scan_tables(result, svc))
