"""`lotline receipts`: inbound receiving orders (ASNs) — create, receive lots and serials,
put away, reverse."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import RenderableType

from lotline.bootstrap import Services
from lotline.domain.flows import Receipt, ReceiptLine
from lotline.domain.model import Product
from lotline.domain.values import decimal_text
from lotline.entrypoints.cli.flow_args import (
    FileOption,
    SerialArguments,
    numbers_given,
    parse_line,
    resolve_location,
    resolve_receipt,
)
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    detail_table,
    emit,
    field_names,
    more_caption,
    table,
)
from lotline.entrypoints.cli.state import Names, resolve_product, resolve_supplier, services
from lotline.service_layer.receipt_requests import (
    LOT_COLUMNS,
    LotEntries,
    entry_quantity,
    line_for_product,
    lot_entry,
    lots_from_rows,
    receive_request,
)

app = typer.Typer(help="Receipts (ASNs): create, receive lots and serials, put away, reverse.",
                  no_args_is_help=True)

ReceiptArgument = Annotated[str, typer.Argument(metavar="RECEIPT",
                                                help="The receipt's reference or id.")]


def receipt_detail(receipt: Receipt, svc: Services) -> list[RenderableType]:
    names = Names(svc)
    warehouse = svc.warehouses.get(receipt.warehouse_id)
    details = detail_table(f"Receipt {receipt.reference}", [
        ("Reference", receipt.reference), ("Supplier", names.supplier(receipt.supplier_id)),
        ("Warehouse", warehouse.code), ("Status", receipt.status), ("ID", receipt.id)])
    rows = [(line.line_no, names.product(line.product_id), line.expected_quantity,
             line.received_quantity, line.unit_cost, len(line.expected_serials), line.reason)
            for line in receipt.lines]
    lines = table("Lines", ("Line", "Product", "Expected", "Received", "Unit cost",
                            "Serials", "Reason"), rows)
    return [details, lines]


def receipts_table(receipts: list[Receipt], svc: Services, caption: str | None) -> Any:
    names = Names(svc)
    rows = [(r.reference, names.supplier(r.supplier_id), r.status, len(r.lines),
             sum((line.expected_quantity for line in r.lines), Decimal(0)),
             sum((line.received_quantity for line in r.lines), Decimal(0)), r.id)
            for r in receipts]
    return table("Receipts", ("Reference", "Supplier", "Status", "Lines", "Expected",
                              "Received", "ID"), rows, caption=caption)


@app.command("create")
def create(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(metavar="REFERENCE",
                                             help="Your receipt (ASN) number.")],
    supplier: Annotated[str, typer.Option(help="Supplier id, code or name.")],
    line: Annotated[list[str], typer.Option(
        "--line", metavar="SKU=QTY[@COST]",
        help="An expected line: product SKU, quantity and optionally the unit cost. "
             "Repeat for more lines.")],
    expect: Annotated[list[str] | None, typer.Option(
        "--expect", metavar="SKU=SN,SN,...",
        help="Serial numbers announced for the line of a product (registered as EXPECTED).")]
    = None,
    warehouse: Annotated[str | None, typer.Option(
        help="Warehouse code or id (default: the default warehouse).")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create a receipt (ASN) of expected lines."""
    svc = services(ctx)
    specs = [parse_line(value, "--line") for value in line]
    announced: dict[str, list[str]] = defaultdict(list)
    for value in expect or []:
        sku, sep, numbers = value.partition("=")
        if not sep or not sku.strip():
            raise typer.BadParameter(f"{value!r} is not SKU=SN,SN,...", param_hint="'--expect'")
        announced[resolve_product(svc, sku).id].extend(
            n.strip() for n in numbers.split(",") if n.strip())
    lines: list[dict[str, Any]] = []
    for spec in specs:
        product = resolve_product(svc, spec.product)
        fields: dict[str, Any] = {"product_id": product.id, "expected_quantity": spec.quantity}
        if spec.price is not None:
            fields["unit_cost"] = spec.price
        if announced.get(product.id):
            fields["expected_serials"] = announced.pop(product.id)
        lines.append(fields)
    if announced:
        raise typer.BadParameter("--expect names a product with no --line",
                                 param_hint="'--expect'")
    warehouse_id = None
    if warehouse is not None:
        warehouse_id = next((w.id for w in svc.warehouses.list(limit=500).items
                             if warehouse.strip() in (w.id, w.code)), warehouse.strip())
    receipt = svc.receipts.create_receipt(reference, resolve_supplier(svc, supplier).id, lines,
                                          warehouse_id=warehouse_id)
    emit(fmt, receipt, columns=field_names(Receipt),
         render=lambda: receipt_detail(receipt, svc))


@app.command("list")
def list_receipts(
    ctx: typer.Context,
    supplier: Annotated[str | None, typer.Option(help="Supplier id, code or name.")] = None,
    status: Annotated[str | None, typer.Option(
        help="open, partially_received, received or cancelled.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-500).")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List receipts, oldest first."""
    svc = services(ctx)
    supplier_id = resolve_supplier(svc, supplier).id if supplier else None
    page = svc.receipts.list(supplier_id=supplier_id, status=status, limit=limit)
    emit(fmt, page.items, columns=field_names(Receipt),
         render=lambda: receipts_table(page.items, svc,
                                       more_caption(page.next_cursor, len(page.items))))


@app.command("show")
def show(ctx: typer.Context, receipt: ReceiptArgument,
         fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show a receipt with its lines."""
    svc = services(ctx)
    found = resolve_receipt(svc, receipt)
    emit(fmt, found, columns=field_names(Receipt), render=lambda: receipt_detail(found, svc))


def _line_for(receipt: Receipt, product: Product | None, svc: Services) -> ReceiptLine:
    if product is None:
        if len(receipt.lines) > 1:
            skus = ", ".join(str(Names(svc).product(line.product_id)) for line in receipt.lines)
            raise typer.BadParameter(f"receipt {receipt.reference} has several lines ({skus}); "
                                     "name the product", param_hint="'--product'")
        return receipt.lines[0]
    return line_for_product(receipt, product.id, product.sku)


def _lots_from_file(path: Path, receipt: Receipt, svc: Services) -> LotEntries:
    """The lots of each line from a CSV of LOT_COLUMNS (product may be left out for a
    one-line receipt)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    products: dict[str, Product] = {}

    def line_of(sku: str) -> ReceiptLine:
        if sku and sku not in products:
            products[sku] = resolve_product(svc, sku)
        return _line_for(receipt, products.get(sku), svc)

    return lots_from_rows(rows, line_of)


@app.command("receive")
def receive(
    ctx: typer.Context,
    receipt: ReceiptArgument,
    numbers: SerialArguments = None,
    product: Annotated[str | None, typer.Option(
        help="The line's product SKU (needed when the receipt has several lines).")] = None,
    lot: Annotated[str | None, typer.Option(help="The lot (batch) number.")] = None,
    expiry_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    manufacturing_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    manufacturer_lot: Annotated[str | None, typer.Option(
        help="The manufacturer's own lot number.")] = None,
    quantity: Annotated[str | None, typer.Option(
        help="Units received (default: the number of serials given).")] = None,
    file: FileOption = None,
    lots_file: Annotated[Path | None, typer.Option(
        "--lots-file", exists=True, dir_okay=False, readable=True,
        help=f"A CSV of several lots: columns {', '.join(LOT_COLUMNS)} (one row per serial, "
             "or per lot with its quantity).")] = None,
    reason: Annotated[str | None, typer.Option(
        help="Why the received quantity differs from the expected one.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Receive a lot (its serials as arguments or --file), or several (--lots-file), into
    RECEIVING. A line's lots must add up to what it expects unless --reason says why."""
    serials = numbers_given(numbers, file)
    if lots_file is not None and (serials or lot or quantity or expiry_date
                                  or manufacturing_date or manufacturer_lot):
        raise typer.BadParameter("--lots-file takes the lots from the file; give no lot "
                                 "options or serials with it", param_hint="'--lots-file'")
    if lots_file is None and not serials and quantity is None:
        raise typer.BadParameter("give the serial numbers (arguments or --file), --quantity "
                                 "or --lots-file", param_hint="'SERIAL...' / '--quantity'")
    svc = services(ctx)
    found = resolve_receipt(svc, receipt)
    if lots_file is not None:
        by_line = _lots_from_file(lots_file, found, svc)
    else:
        line = _line_for(found, resolve_product(svc, product) if product else None, svc)
        entry = lot_entry(lot or "", expiry_date or "", manufacturing_date or "",
                          manufacturer_lot or "")
        if serials:
            entry["serial_numbers"] = serials
        if quantity is not None:
            entry["quantity"] = quantity
        by_line = {line.id: [entry]}
    received = svc.receipts.receive(found.id, receive_request(found, by_line, reason))
    if fmt is OutputFormat.TABLE:
        names = Names(svc)
        for line_id, lots in by_line.items():
            line_found = next(x for x in received.lines if x.id == line_id)
            parts = [f"{entry.get('batch_number', 'no lot')} x "
                     f"{decimal_text(entry_quantity(entry))}" for entry in lots]
            typer.echo(f"received {names.product(line_found.product_id)} into RECEIVING: "
                       + ", ".join(parts))
    emit(fmt, received, columns=field_names(Receipt),
         render=lambda: receipt_detail(received, svc))


@app.command("putaway")
def putaway(
    ctx: typer.Context,
    receipt: ReceiptArgument,
    location: Annotated[str | None, typer.Option(
        help="Location code (or WAREHOUSE/CODE, or id); default STOCK.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Put everything the receipt brought into RECEIVING away (into STOCK by default)."""
    svc = services(ctx)
    found = resolve_receipt(svc, receipt)
    target = resolve_location(svc, location or "STOCK", found.warehouse_id)
    result = svc.receipts.putaway(found.id, target.id)
    if fmt is OutputFormat.TABLE:
        typer.echo(f"put away {result.reference} into {Names(svc).location(target.id)}")
    emit(fmt, result, columns=field_names(Receipt), render=lambda: receipt_detail(result, svc))


@app.command("reverse")
def reverse(
    ctx: typer.Context,
    receipt: ReceiptArgument,
    reason: Annotated[str, typer.Option(help="Why the receipt is reversed.")],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Reverse a receipt entered by mistake (new movements; nothing is edited)."""
    svc = services(ctx)
    result = svc.receipts.reverse(resolve_receipt(svc, receipt).id, reason)
    emit(fmt, result, columns=field_names(Receipt), render=lambda: receipt_detail(result, svc))
