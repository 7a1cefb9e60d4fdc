"""`lotline products`: the catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table

from lotline.domain.model import Product
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
from lotline.entrypoints.cli.state import services

app = typer.Typer(help="Products (SKUs) and how they are tracked.", no_args_is_help=True)

TRACKING_HELP = "none, lot, serial or lot_serial"


def product_rows(products: Sequence[Product]) -> list[tuple[object, ...]]:
    return [(p.sku, p.name, p.tracking, p.gtin, p.uom, p.removal_strategy, p.shelf_life_days,
             p.id) for p in products]


def products_table(products: Sequence[Product], caption: str | None = None) -> Table:
    return table("Products", ("SKU", "Name", "Tracking", "GTIN", "UoM", "Removal",
                              "Shelf life (days)", "ID"), product_rows(products), caption=caption)


def product_detail(product: Product) -> Table:
    return detail_table(f"Product {product.sku}", [
        ("SKU", product.sku), ("Name", product.name), ("Tracking", product.tracking),
        ("GTIN", product.gtin), ("Unit of measure", product.uom),
        ("Removal strategy", product.removal_strategy),
        ("Shelf life (days)", product.shelf_life_days),
        ("Expiry alert (days)", product.expiry_alert_days),
        *custom_field_rows(product.custom_fields), ("ID", product.id),
        ("Created", product.created_at)])


@app.command("add")
def add(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(
        metavar="SKU", help="Stock-keeping unit, unique in the organization.")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="Product name.")],
    tracking: Annotated[str, typer.Option(help=TRACKING_HELP)] = "none",
    gtin: Annotated[str | None, typer.Option(help="GTIN-8/12/13/14 (check digit checked).")]
    = None,
    uom: Annotated[str, typer.Option(help="UN/ECE Rec 20 unit code.")] = "EA",
    removal_strategy: Annotated[str | None, typer.Option(
        help="fefo, fifo or lifo; default the setting default_removal_strategy.")] = None,
    shelf_life_days: Annotated[int | None, typer.Option(
        help="Fills a lot's missing expiry date from its manufacturing date.")] = None,
    expiry_alert_days: Annotated[int | None, typer.Option(
        help="Warn this many days before a lot expires; default the setting "
             "default_expiry_alert_days.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Add a product."""
    defaults_given = {name: value for name, value in (
        ("removal_strategy", removal_strategy), ("expiry_alert_days", expiry_alert_days))
        if value is not None}
    product = services(ctx).products.create_product(
        sku=sku, name=name, tracking=tracking, gtin=gtin, uom=uom,
        shelf_life_days=shelf_life_days, **defaults_given)
    emit(fmt, product, columns=field_names(Product), render=lambda: product_detail(product))


@app.command("list")
def list_products(
    ctx: typer.Context,
    q: Annotated[str | None, typer.Option("--q", help="Part of the SKU or name.")] = None,
    tracking: Annotated[str | None, typer.Option(help=TRACKING_HELP)] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-500).")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List products, oldest first."""
    page = services(ctx).products.list(q=q, tracking=tracking, limit=limit)
    caption = more_caption(page.next_cursor, len(page.items))
    emit(fmt, page.items, columns=field_names(Product),
         render=lambda: products_table(page.items, caption))
