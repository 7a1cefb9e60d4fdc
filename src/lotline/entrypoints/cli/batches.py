"""`lotline batches`: lots, their expiry and where their stock is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import RenderableType
from rich.table import Table

from lotline.bootstrap import Services
from lotline.domain.model import Batch
from lotline.entrypoints.cli.batch_actions import actions_app
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    custom_field_rows,
    detail_table,
    emit,
    field_names,
    more_caption,
    table,
)
from lotline.entrypoints.cli.state import (
    Names,
    ProductOption,
    SupplierOption,
    resolve_batch,
    resolve_product,
    resolve_supplier,
    services,
)

app = typer.Typer(help="Lots (batches): create, list, show balances, update, delete, "
                  "active/inactive, hold and release.", no_args_is_help=True)
app.add_typer(actions_app)


def lot_state(batch: Batch) -> str:
    """One word for what blocks a lot, if anything: hold, expired, inactive, else active."""
    if batch.hold is not None:
        return f"on {batch.hold.kind.value} hold"
    if batch.is_expired:
        return "expired"
    return batch.status.value


def batches_table(batches: Sequence[Batch], names: Names, caption: str | None = None) -> Table:
    rows = [(b.batch_number, names.product(b.product_id), names.supplier(b.supplier_id),
             b.expiry_date, b.quantity, b.balance_quantity, b.available_quantity, lot_state(b),
             b.id) for b in batches]
    return table("Lots", ("Lot", "Product", "Supplier", "Expiry", "Qty", "On hand",
                          "Available", "State", "ID"), rows, caption=caption)


def batch_detail(batch: Batch, svc: Services) -> list[RenderableType]:
    names = Names(svc)
    hold = (None if batch.hold is None else
            f"{batch.hold.kind.value} since {batch.hold.since:%Y-%m-%d}: {batch.hold.reason}")
    details = detail_table(f"Lot {batch.batch_number}", [
        ("Lot", batch.batch_number), ("Product", names.product(batch.product_id)),
        ("Supplier", names.supplier(batch.supplier_id)),
        ("Manufacturer lot", batch.manufacturer_batch_number),
        ("Manufactured", batch.manufacturing_date), ("Expiry", batch.expiry_date),
        ("Expired", batch.is_expired), ("State", lot_state(batch)), ("Hold", hold),
        ("Quantity", batch.quantity), ("On hand", batch.balance_quantity),
        ("Available", batch.available_quantity), ("Unit cost", batch.unit_cost),
        ("Purchase date", batch.purchase_date), ("Received at", batch.received_at),
        *custom_field_rows(batch.custom_fields), ("ID", batch.id)])
    rows = []
    for balance in batch.associated_locations:
        location = svc.warehouses.get_location(balance.location_id)
        rows.append((names.location(location.id), location.kind, balance.in_quantity,
                     balance.balance_quantity))
    balances = table("Balances per location", ("Location", "Kind", "In", "On hand"), rows,
                     caption=None if rows else "no stock received yet")
    return [details, balances]


@app.command("create")
def create(
    ctx: typer.Context,
    product: Annotated[str, typer.Option("--product", help="The product's SKU or id.")],
    number: Annotated[str, typer.Option("--number", help="The lot (batch) number.")],
    quantity: Annotated[str | None, typer.Option(
        help="Units received into STOCK; for serial-tracked products the lot size (a cap).")]
    = None,
    supplier: Annotated[str | None, typer.Option(help="Supplier id, code or name.")] = None,
    manufacturing_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    expiry_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    unit_cost: Annotated[str | None, typer.Option(help="Cost per unit (exact decimal).")]
    = None,
    purchase_date: Annotated[str | None, typer.Option(
        help="YYYY-MM-DD, when the stock was bought (for stock entered after the fact).")]
    = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create a lot; for products not tracked by serial, its quantity goes into STOCK."""
    svc = services(ctx)
    fields = {"manufacturing_date": manufacturing_date, "expiry_date": expiry_date,
              "quantity": quantity, "unit_cost": unit_cost, "purchase_date": purchase_date}
    batch = svc.batches.create(
        product_id=resolve_product(svc, product).id, batch_number=number,
        supplier_id=resolve_supplier(svc, supplier).id if supplier else None,
        **{key: value for key, value in fields.items() if value is not None})
    emit(fmt, batch, columns=field_names(Batch), render=lambda: batch_detail(batch, svc))


@app.command("list")
def list_batches(
    ctx: typer.Context,
    product: ProductOption = None,
    expiring_before: Annotated[str | None, typer.Option(
        help="Only lots expiring before this date (YYYY-MM-DD).")] = None,
    has_stock: Annotated[bool | None, typer.Option(
        "--has-stock/--no-stock", help="Only lots with stock on hand, or only without.")]
    = None,
    q: Annotated[str | None, typer.Option("--q", help="Part of the lot number.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-500).")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List lots, oldest first."""
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    page = svc.batches.list(product_id=product_id, expiring_before=expiring_before,
                            has_stock=has_stock, q=q, limit=limit)
    caption = more_caption(page.next_cursor, len(page.items))
    emit(fmt, page.items, columns=field_names(Batch),
         render=lambda: batches_table(page.items, Names(svc), caption))


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="ID_OR_NUMBER", help="Lot id or lot number.")],
    product: ProductOption = None,
    supplier: SupplierOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Show one lot with its balance per location."""
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    batch = resolve_batch(svc, ref, product_id, supplier)
    emit(fmt, batch, columns=field_names(Batch), render=lambda: batch_detail(batch, svc))
