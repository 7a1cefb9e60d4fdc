"""`lotline import`, `lotline export` and `lotline labels`: files in and out."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import RenderableType
from rich.progress import Progress, TaskID

from lotline.domain.exchange import ImportFailed, ImportReport
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    counted,
    emit,
    fail,
    progress,
    table,
)
from lotline.entrypoints.cli.state import (
    SupplierOption,
    resolve_batch,
    resolve_product,
    services,
)

import_app = typer.Typer(help="Import products, lots, opening stock, serials, suppliers, "
                              "customers or warehouses from CSV or XLSX: every row or none.",
                         no_args_is_help=True)
export_app = typer.Typer(help="Export products, lots, serials, suppliers, customers or "
                              "warehouses as CSV or XLSX (the columns "
                              "the import reads), or EPCIS events.", no_args_is_help=True)
labels_app = typer.Typer(help="PDF labels with a GS1 Digital Link QR code.",
                         no_args_is_help=True)


class FileFormat(str, Enum):
    CSV = "csv"
    XLSX = "xlsx"


class Entity(str, Enum):
    PRODUCTS = "products"
    BATCHES = "batches"
    LOTS = "lots"
    STOCK = "stock"
    SERIALS = "serials"
    SUPPLIERS = "suppliers"
    CUSTOMERS = "customers"
    WAREHOUSES = "warehouses"


FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                              help="A .csv or .xlsx file.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check every row; write nothing.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the "
                                                                 "first).")]
DelimiterOption = Annotated[str | None, typer.Option(
    "--delimiter", help="CSV delimiter (default: guessed from the header).")]


def report_table(report: ImportReport) -> list[RenderableType]:
    verb = "would import" if report.dry_run else "imported"
    summary = (f"{report.entity}: {counted(report.rows, 'row')} read, "
               + (f"{verb} {report.rows if report.dry_run else report.written}"
                  if report.ok else f"{counted(report.error_count, 'problem')}, nothing imported"))
    shown: list[RenderableType] = [summary]
    if report.ignored_columns:
        shown.append("ignored columns: " + ", ".join(report.ignored_columns))
    if report.errors:
        more = report.error_count - len(report.errors)
        shown.append(table("Problems", ("Row", "Column", "Value", "Reason"),
                           [(e.row or "file", e.column, e.value, e.reason)
                            for e in report.errors],
                           caption=f"{more} more not shown" if more else None))
    return shown


class _Bar:
    """The import's progress callback drawn as a Rich bar (bytes read, then writing)."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        task = self.tasks.get(phase)
        if task is None:
            task = self.tasks[phase] = self.bar.add_task(phase, total=total or None)
        self.bar.update(task, completed=done, total=total or None)


def _run_import(ctx: typer.Context, entity: Entity, file: Path, dry_run: bool,
                fmt: OutputFormat, **options: object) -> None:
    svc = services(ctx)
    run = getattr(svc.imports, entity.value)
    try:
        with progress() as bar:
            report = run(file, dry_run=dry_run, progress=_Bar(bar), **options)
    except ImportFailed as failed:
        report = failed.report
    emit(fmt, report, columns=["entity", "rows", "written", "error_count"],
         render=lambda: report_table(report))
    if not report.ok:
        raise fail("validation_error", f"{file.name}: {counted(report.error_count, 'problem')}; "
                   "nothing was imported")


@import_app.command("serials")
def import_serials(
    ctx: typer.Context, file: FileArgument, dry_run: DryRun = False,
    sheet: SheetOption = None, delimiter: DelimiterOption = None,
    batch: Annotated[str | None, typer.Option(
        "--batch", help="The lot (id or number) of rows without a batch_number.")] = None,
    product: Annotated[str | None, typer.Option(
        "--product", help="The product (SKU or id) of rows without one.")] = None,
    supplier: SupplierOption = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="The status of rows without one (default IN_STOCK).")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Serial numbers, one a row (serial_number; product, batch_number, status, location,
    purchase_date, warranty_expiry, unit_cost as needed)."""
    svc = services(ctx)
    owner = resolve_product(svc, product) if product else None
    lot = resolve_batch(svc, batch, owner.id if owner else None, supplier) if batch else None
    _run_import(ctx, Entity.SERIALS, file, dry_run, fmt, sheet=sheet, delimiter=delimiter,
                batch_id=lot.id if lot else None, product_id=owner.id if owner else None,
                status=status)


def _records_command(entity: Entity, doc: str) -> None:
    def command(ctx: typer.Context, file: FileArgument, dry_run: DryRun = False,
                sheet: SheetOption = None, delimiter: DelimiterOption = None,
                fmt: FormatOption = OutputFormat.TABLE) -> None:
        _run_import(ctx, entity, file, dry_run, fmt, sheet=sheet, delimiter=delimiter)

    command.__doc__ = doc
    import_app.command(entity.value)(command)


_records_command(Entity.PRODUCTS, "Products (sku, name, tracking, gtin, uom, ...).")
_records_command(Entity.BATCHES, "Lots (product, batch_number, supplier, dates, quantity, "
                                 "unit_cost, location).")
_records_command(Entity.LOTS, "Lots: the same as `import batches`.")
_records_command(Entity.STOCK, "Opening stock: product, quantity, location (and lot).")
_records_command(Entity.SUPPLIERS, "Suppliers (name; code, email, phone, gln, street, city, "
                                   "region, postal_code, country).")
_records_command(Entity.CUSTOMERS, "Customers (the supplier columns and "
                                   "min_remaining_shelf_life_days).")
_records_command(Entity.WAREHOUSES, "Warehouses (code; name, phone, gln, street, city, region, "
                                    "postal_code, country).")


def _export(ctx: typer.Context, entity: str, output: Path | None, file_format: FileFormat | None,
            **options: str | None) -> None:
    chosen = file_format or (FileFormat.XLSX if output and output.suffix.lower() == ".xlsx"
                             else FileFormat.CSV)
    if output is None and chosen is FileFormat.XLSX:
        raise typer.BadParameter("an XLSX export needs --output FILE", param_hint="'--output'")
    svc = services(ctx)
    target = output if output is not None else sys.stdout.buffer
    with progress() as bar:
        bar.add_task(f"exporting {entity}", total=None)
        count = getattr(svc.exports, entity)(target, chosen.value, **options)
    if output is not None:
        typer.echo(f"exported {count} {entity} to {output}")


OutputOption = Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False,
                                                   help="File to write (default: standard "
                                                        "output, CSV only).")]
ExportFormat = Annotated[FileFormat | None, typer.Option(
    "--format", "-f", case_sensitive=False, help="csv or xlsx (default: from --output's "
                                                 "suffix, else csv).")]


@export_app.command("serials")
def export_serials(ctx: typer.Context, output: OutputOption = None,
                   file_format: ExportFormat = None,
                   product: Annotated[str | None, typer.Option("--product")] = None,
                   batch: Annotated[str | None, typer.Option("--batch")] = None,
                   supplier: SupplierOption = None) -> None:
    """Serials, oldest first."""
    svc = services(ctx)
    owner = resolve_product(svc, product) if product else None
    lot = resolve_batch(svc, batch, owner.id if owner else None, supplier) if batch else None
    _export(ctx, "serials", output, file_format, product_id=owner.id if owner else None,
            batch_id=lot.id if lot else None)


@export_app.command("batches")
def export_batches(ctx: typer.Context, output: OutputOption = None,
                   file_format: ExportFormat = None) -> None:
    """Lots, oldest first."""
    _export(ctx, "batches", output, file_format)


@export_app.command("lots")
def export_lots(ctx: typer.Context, output: OutputOption = None,
                file_format: ExportFormat = None) -> None:
    """Lots: the same as `export batches`."""
    _export(ctx, "batches", output, file_format)


@export_app.command("products")
def export_products(ctx: typer.Context, output: OutputOption = None,
                    file_format: ExportFormat = None) -> None:
    """Products, oldest first."""
    _export(ctx, "products", output, file_format)


def _places_command(entity: str, doc: str) -> None:
    def command(ctx: typer.Context, output: OutputOption = None,
                file_format: ExportFormat = None) -> None:
        _export(ctx, entity, output, file_format)

    command.__doc__ = doc
    export_app.command(entity)(command)


_places_command("suppliers", "Suppliers with address, phone and GLN, oldest first.")
_places_command("customers", "Customers with address, phone and GLN, oldest first.")
_places_command("warehouses", "Warehouses with address, phone and GLN, oldest first.")


LayoutOption = Annotated[str, typer.Option("--layout", help="single, a4-2x4, a4-3x7 or "
                                                            "a4-3x8.")]
PdfOutput = Annotated[Path, typer.Option("--output", "-o", dir_okay=False,
                                         help="The PDF file to write.")]


@labels_app.command("lots")
def lot_labels(ctx: typer.Context,
               lots: Annotated[list[str], typer.Argument(metavar="LOT", help="Lot ids or "
                                                                             "numbers.")],
               output: PdfOutput = Path("labels.pdf"), layout: LayoutOption = "a4-3x8",
               copies: Annotated[int, typer.Option(min=1, max=100)] = 1,
               supplier: SupplierOption = None) -> None:
    """One label per lot (or --copies per lot): QR Digital Link, product, lot, expiry."""
    svc = services(ctx)
    ids = [resolve_batch(svc, ref, None, supplier).id for ref in lots]
    output.write_bytes(svc.labels.lot_labels(ids, layout, copies))
    typer.echo(f"wrote {counted(len(ids) * copies, 'lot label')} to {output}")


@labels_app.command("serials")
def serial_labels(ctx: typer.Context,
                  numbers: Annotated[list[str] | None, typer.Argument(
                      metavar="SERIAL", help="Serial numbers.", show_default=False)] = None,
                  batch: Annotated[str | None, typer.Option(
                      "--batch", help="Every serial of this lot.")] = None,
                  output: PdfOutput = Path("labels.pdf"),
                  layout: LayoutOption = "a4-3x8", supplier: SupplierOption = None) -> None:
    """One label per serial: QR Digital Link, product, lot, serial, expiry."""
    svc = services(ctx)
    if batch is not None:
        pdf = svc.labels.serial_labels(batch_id=resolve_batch(svc, batch, None, supplier).id,
                                       layout=layout)
    elif numbers:
        ids = [svc.serials.lookup(number).id for number in numbers]
        pdf = svc.labels.serial_labels(ids, layout=layout)
    else:
        raise typer.BadParameter("give serial numbers or --batch", param_hint="'SERIAL...'")
    output.write_bytes(pdf)
    typer.echo(f"wrote serial labels to {output}")
