"""`lotline stock`: transfers between locations, adjustments with a reason, cycle counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from rich.console import RenderableType

from lotline.domain.values import decimal_text
from lotline.entrypoints.cli.flow_args import (
    FileOption,
    SerialArguments,
    numbers_given,
    parse_pair,
    resolve_location,
)
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, counted, emit, table
from lotline.entrypoints.cli.state import (
    Names,
    SupplierOption,
    resolve_batch,
    resolve_product,
    services,
)

app = typer.Typer(help="Stock control: transfer, adjust, count.", no_args_is_help=True)

LocationHelp = "Location code (or WAREHOUSE/CODE, or id)."
ProductOption = Annotated[str | None, typer.Option(help="The product's SKU or id.")]
LotOption = Annotated[str | None, typer.Option(help="The lot (batch) number or id.")]


@app.command("transfer")
def transfer(
    ctx: typer.Context,
    numbers: SerialArguments = None,
    source: Annotated[str, typer.Option("--from", help=LocationHelp)] = "",
    target: Annotated[str, typer.Option("--to", help=LocationHelp)] = "",
    lot: LotOption = None,
    product: ProductOption = None,
    supplier: SupplierOption = None,
    quantity: Annotated[str | None, typer.Option(
        help="How much of the lot (or of the product, lots in its strategy order).")] = None,
    file: FileOption = None,
    reason: Annotated[str | None, typer.Option(help="Why the stock moves.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Move whole serials (arguments or --file) or a quantity of a lot or product between
    locations; all or nothing."""
    if not source or not target:
        raise typer.BadParameter("name both locations", param_hint="'--from' / '--to'")
    svc = services(ctx)
    serials = numbers_given(numbers, file)
    if not serials and quantity is None:
        raise typer.BadParameter("give serial numbers, or --quantity with --lot or --product",
                                 param_hint="'SERIAL...' / '--quantity'")
    named = resolve_product(svc, product) if product else None
    batch = resolve_batch(svc, lot, named.id if named else None, supplier) if lot else None
    here, there = resolve_location(svc, source), resolve_location(svc, target)
    moved = svc.stock.transfer(here.id, there.id, batch_id=batch.id if batch else None,
                               product_id=named.id if named and not batch else None,
                               quantity=quantity, serial_numbers=serials or None, reason=reason)
    names = Names(svc)
    amount = Decimal(len(serials)) if serials else Decimal(str(quantity))
    result = {"from_location_id": here.id, "to_location_id": there.id,
              "batch_id": batch.id if batch else None,
              "product_id": named.id if named else (batch.product_id if batch else None),
              "quantity": amount, "serial_numbers": serials, "reason": reason,
              "units_moved": moved}
    what = (counted(len(serials), "serial") if serials else
            f"{decimal_text(amount)} of " + (f"lot {batch.batch_number}" if batch else
                                             str(names.product(named.id if named else None))))
    emit(fmt, result, columns=list(result),
         render=lambda: f"moved {what} from {names.location(here.id)} to "
                        f"{names.location(there.id)}")


@app.command("adjust")
def adjust(
    ctx: typer.Context,
    delta: Annotated[str, typer.Option(
        "--delta", help="Quantity to add (positive) or remove (negative, e.g. --delta=-2).")],
    reason: Annotated[str, typer.Option(
        help="count_correction, damage, expiry_write_off, found, other, or free text.")],
    lot: LotOption = None,
    product: ProductOption = None,
    supplier: SupplierOption = None,
    location: Annotated[str, typer.Option(help=LocationHelp)] = "STOCK",
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Correct a lot's balance at a location with a reason (written to the ledger)."""
    if lot is None and product is None:
        raise typer.BadParameter("name the lot or the product", param_hint="'--lot' / "
                                 "'--product'")
    svc = services(ctx)
    named = resolve_product(svc, product) if product else None
    batch = resolve_batch(svc, lot, named.id if named else None, supplier) if lot else None
    place = resolve_location(svc, location)
    applied = svc.stock.adjust(quantity_delta=delta, reason=reason,
                               batch_id=batch.id if batch else None,
                               product_id=named.id if named and not batch else None,
                               location_id=place.id)
    names = Names(svc)
    subject = (f"lot {batch.batch_number}" if batch else
               str(names.product(named.id if named else None)))
    result = {"batch_id": batch.id if batch else None,
              "product_id": named.id if named else (batch.product_id if batch else None),
              "location_id": place.id, "quantity_delta": applied, "reason": reason}
    sign = "+" if applied > 0 else ""
    emit(fmt, result, columns=list(result),
         render=lambda: f"adjusted {subject} at {names.location(place.id)} by "
                        f"{sign}{decimal_text(applied)} ({reason})")


@app.command("count")
def count(
    ctx: typer.Context,
    numbers: SerialArguments = None,
    location: Annotated[str, typer.Option(help=LocationHelp)] = "STOCK",
    lot: Annotated[list[str] | None, typer.Option(
        "--lot", metavar="LOT=QTY", help="What was counted of a lot. Repeat for more lots.")]
    = None,
    supplier: SupplierOption = None,
    file: FileOption = None,
    none_found: Annotated[bool, typer.Option(
        "--no-serials-found", help="Serials were counted and none was there: every serial "
        "recorded at the location is reported missing.")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """A cycle count at a location: counted lot quantities (--lot) and every serial found
    there (arguments or --file). Differences are posted as adjustments; serials recorded
    elsewhere are moved here; serials recorded here but not found are listed."""
    svc = services(ctx)
    place = resolve_location(svc, location)
    counts = []
    for value in lot or []:
        name, quantity = parse_pair(value, "--lot")
        counts.append({"batch_id": resolve_batch(svc, name, None, supplier).id,
                       "quantity": quantity})
    serials = numbers_given(numbers, file)
    if none_found and serials:
        raise typer.BadParameter("serials were given", param_hint="'--no-serials-found'")
    if not counts and not serials and not none_found:
        raise typer.BadParameter("give counted lots (--lot) or serials",
                                 param_hint="'--lot' / 'SERIAL...' / '--no-serials-found'")
    counted = svc.stock.cycle_count(place.id, counts=counts or None,
                                    serial_numbers=[] if none_found else (serials or None))
    names = Names(svc)

    def render() -> list[RenderableType]:
        rows = [(names.batch(d.batch_id), d.expected, d.counted, d.adjusted_by)
                for d in counted.lots]
        shown: list[RenderableType] = []
        if rows:
            shown.append(table(f"Count at {names.location(place.id)}",
                               ("Lot", "Expected", "Counted", "Adjusted by"), rows))
        for label, items in (("missing (recorded here, not found)", counted.missing_serials),
                             ("moved here (recorded elsewhere)", counted.moved_here_serials),
                             ("unknown", counted.unknown_serials)):
            if items:
                shown.append(f"serials {label}: {', '.join(items)}")
        if serials and not (counted.missing_serials or counted.moved_here_serials
                            or counted.unknown_serials):
            shown.append(f"serials: all {len(serials)} where recorded")
        if none_found and not counted.missing_serials:
            shown.append("serials: none found and none recorded here")
        return shown

    emit(fmt, counted, columns=["location_id", "lots", "missing_serials",
                                "moved_here_serials", "unknown_serials"],
         render=render)
