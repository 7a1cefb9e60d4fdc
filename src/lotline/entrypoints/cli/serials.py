"""`lotline serials`: register serial numbers, look one up, show its history (status changes,
search, counts and holds are in serial_actions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer
from rich.table import Table

from lotline.bootstrap import Services
from lotline.domain.model import Batch, Movement, Product, Serial
from lotline.domain.statuses import TRANSITIONS
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    counted,
    custom_field_rows,
    detail_table,
    emit,
    field_names,
    progress,
    table,
)
from lotline.entrypoints.cli.serial_actions import (
    NumberArgument,
    ProductOption,
    actions_app,
    find_serial,
)
from lotline.entrypoints.cli.state import (
    Names,
    SupplierOption,
    resolve_batch,
    resolve_product,
    services,
)

app = typer.Typer(help="Serial numbers: register, look up, history, change status, list, "
                  "counts, hold and release.", no_args_is_help=True)
app.add_typer(actions_app)



def read_numbers(lines: Iterable[str]) -> list[str]:
    """One serial number per line; blank lines are skipped, scanner whitespace stripped."""
    return [text for text in (line.strip() for line in lines) if text]


def next_actions(serial: Serial) -> str:
    allowed = TRANSITIONS[serial.status]
    return ", ".join(f"{target.value} ({label})" for target, label in allowed.items()) or \
        "none (final status)"


def serial_detail(serial: Serial, svc: Services) -> Table:
    names = Names(svc)
    hold = None if serial.hold is None else f"{serial.hold.kind.value}: {serial.hold.reason}"
    parent = svc.serials.get(serial.parent_serial_id).serial_number \
        if serial.parent_serial_id else None
    return detail_table(f"Serial {serial.serial_number}", [
        ("Serial", serial.serial_number), ("Product", names.product(serial.product_id)),
        ("Lot", names.batch(serial.batch_id)), ("Status", serial.status),
        ("Next actions", next_actions(serial)), ("Order", names.order(serial.order_id)),
        ("Reserved for", names.customer(serial.reserved_for)),
        ("Location", names.location(serial.location_id)), ("Hold", hold),
        ("Installed in", parent), ("Purchase date", serial.purchase_date),
        ("Warranty expiry", serial.warranty_expiry), ("Unit cost", serial.unit_cost),
        *custom_field_rows(svc.custom_fields.serial_values(serial.id)),
        ("Created", serial.created_at), ("Updated", serial.updated_at), ("ID", serial.id)])


def history_table(serial: Serial, movements: list[Movement], svc: Services) -> Table:
    names = Names(svc)
    rows = [(m.occurred_at, m.kind,
             f"{m.from_status.value + ' → ' if m.from_status else ''}"
             f"{m.to_status.value if m.to_status else ''}" or None,
             names.location(m.from_location_id), names.location(m.to_location_id),
             names.order(m.order_id), m.quantity, m.actor, m.reason) for m in movements]
    return table(f"History of serial {serial.serial_number}",
                 ("When", "Kind", "Status", "From", "To", "Order", "Units moved", "Actor",
                  "Reason"), rows)


def _target(svc: Services, batch: str | None, product: str | None,
            supplier: str | None = None) -> tuple[Batch | None, Product]:
    if batch is None and product is None:
        raise typer.BadParameter("name the lot with --batch or the product with --product",
                                 param_hint="'--batch' / '--product'")
    named = resolve_product(svc, product) if product else None
    lot = resolve_batch(svc, batch, named.id if named else None, supplier) if batch else None
    if named is not None:
        return lot, named
    assert lot is not None
    return lot, svc.products.get(lot.product_id)


@app.command("register")
def register(
    ctx: typer.Context,
    numbers: Annotated[list[str] | None, typer.Argument(
        metavar="SERIAL", help="Serial numbers to register.", show_default=False)] = None,
    batch: Annotated[str | None, typer.Option(
        "--batch", help="The lot (id or number) the units belong to.")] = None,
    product: ProductOption = None,
    supplier: SupplierOption = None,
    file: Annotated[typer.FileText | None, typer.Option(
        "--file", encoding="utf-8-sig",
        help="A text file with one serial number per line ('-' reads standard input).")]
    = None,
    status: Annotated[str, typer.Option(help="IN_STOCK, RECEIVED or EXPECTED.")] = "IN_STOCK",
    unit_cost: Annotated[str | None, typer.Option(
        help="Cost per unit (units of serial products without a lot).")] = None,
) -> None:
    """Register serial numbers, all or none (a duplicate anywhere registers nothing)."""
    given = list(numbers or []) + (read_numbers(file) if file is not None else [])
    if not given:
        raise typer.BadParameter("give serial numbers as arguments or with --file",
                                 param_hint="'SERIAL...' / '--file'")
    svc = services(ctx)
    lot, owner = _target(svc, batch, product, supplier)
    with progress() as bar:
        task = bar.add_task(f"registering {len(given)} serial numbers", total=None)
        created = svc.serials.register_many(
            given, batch_id=lot.id if lot else None, product_id=owner.id, status=status,
            unit_cost=unit_cost)
        bar.update(task, total=len(created), completed=len(created))
    where = f" in lot {lot.batch_number}" if lot else ""
    typer.echo(f"registered {counted(len(created), 'serial number')} of {owner.sku}{where} "
               f"as {created[0].status.value}")


@app.command("lookup")
def lookup(ctx: typer.Context, number: NumberArgument, product: ProductOption = None,
           fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show one serial: product, lot, status, next actions, order and location."""
    svc = services(ctx)
    serial = find_serial(svc, number, product)
    emit(fmt, serial, columns=field_names(Serial), render=lambda: serial_detail(serial, svc))


@app.command("history")
def history(ctx: typer.Context, number: NumberArgument, product: ProductOption = None,
            fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Every movement of one serial, oldest first."""
    svc = services(ctx)
    serial = find_serial(svc, number, product)
    movements = svc.serials.history(serial.id)
    emit(fmt, movements, columns=field_names(Movement),
         render=lambda: history_table(serial, movements, svc))
