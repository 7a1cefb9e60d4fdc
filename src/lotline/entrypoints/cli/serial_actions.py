"""`lotline serials status|list|counts|hold|release`: the serial commands that mirror
`POST /serials/{id}/status`, `GET /serials`, `GET /serials/counts` and the serial holds."""

from __future__ import annotations

from typing import Annotated

import typer

from lotline.bootstrap import Services
from lotline.domain.model import Serial
from lotline.domain.statuses import CANONICAL_STATUSES
from lotline.entrypoints.cli.flow_args import resolve_location, resolve_order
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    emit,
    field_names,
    more_caption,
    table,
)
from lotline.entrypoints.cli.parties import resolve_customer
from lotline.entrypoints.cli.state import (
    Names,
    SupplierOption,
    resolve_batch,
    resolve_product,
    services,
)

actions_app = typer.Typer()

ProductOption = Annotated[str | None, typer.Option(
    "--product", help="The product's SKU or id (a number several products use).")]
NumberArgument = Annotated[str, typer.Argument(metavar="NUMBER", help="The serial number.")]


def reserved_text(names: Names, serial: Serial) -> str | None:
    """Seed 001's "reserved for <customer>" for a unit set aside without an order."""
    if serial.reserved_for is None:
        return None
    return f"reserved for {names.customer(serial.reserved_for)}"


def find_serial(svc: Services, number: str, product: str | None) -> Serial:
    """A serial by its number (and product, where several products use the number)."""
    product_id = resolve_product(svc, product).id if product else None
    return svc.serials.lookup(number, product_id)


@actions_app.command("status")
def change_status(
    ctx: typer.Context,
    number: NumberArgument,
    status: Annotated[str, typer.Argument(
        metavar="STATUS", help="The new status (a name or an alias: sold, reserved, ...).")],
    product: ProductOption = None,
    order: Annotated[str | None, typer.Option(
        "--order", help="The order (reference or id) when reserving or selling.")] = None,
    parent: Annotated[str | None, typer.Option(
        "--parent", help="The unit (serial number) it is installed in, for INSTALLED.")]
    = None,
    location: Annotated[str | None, typer.Option(
        "--location", help="Where it goes (code or WAREHOUSE/CODE), if not the default.")]
    = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the ledger).")]
    = None,
    customer: Annotated[str | None, typer.Option(
        "--customer", help="Reserve the unit for this customer (code, name or id) without an "
        "order: status RESERVED; or the buyer of a direct sale.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Change a serial's status along the transition table (every door reads the same one)."""
    svc = services(ctx)
    serial = find_serial(svc, number, product)
    changed = svc.serials.change_status(
        serial.id, status, reason=reason,
        customer_id=resolve_customer(svc, customer).id if customer else None,
        order_id=resolve_order(svc, order).id if order else None,
        location_id=resolve_location(svc, location).id if location else None,
        parent_serial_id=svc.serials.lookup(parent).id if parent else None)
    names = Names(svc)
    where = f" in {parent}" if parent else (
        f" at {names.location(changed.location_id)}" if changed.location_id else "")
    if changed.reserved_for:
        where += f", reserved for {names.customer(changed.reserved_for)}"
    emit(fmt, changed, columns=field_names(Serial),
         render=lambda: f"serial {changed.serial_number}: {serial.status.value} → "
                        f"{changed.status.value}{where}")


@actions_app.command("list")
def list_serials(
    ctx: typer.Context,
    q: Annotated[str | None, typer.Option("--q", help="Part of the serial number.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status (or alias).")] = None,
    product: ProductOption = None,
    lot: Annotated[str | None, typer.Option("--lot", help="Lot number or id.")] = None,
    supplier: SupplierOption = None,
    location: Annotated[str | None, typer.Option(help="Location code or id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Search serials by part of the number, status, product, lot and location."""
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    page = svc.serials.search(
        q=q, status=status, product_id=product_id, limit=limit,
        batch_id=resolve_batch(svc, lot, product_id, supplier).id if lot else None,
        location_id=resolve_location(svc, location).id if location else None)
    names = Names(svc)
    emit(fmt, page.items, columns=field_names(Serial), render=lambda: table(
        "Serials", ("Serial", "Product", "Lot", "Status", "Location", "Order"),
        [(s.serial_number, names.product(s.product_id), names.batch(s.batch_id), s.status,
          names.location(s.location_id), names.order(s.order_id) or reserved_text(names, s))
         for s in page.items],
        caption=more_caption(page.next_cursor, len(page.items))))


@actions_app.command("counts")
def counts(ctx: typer.Context, product: ProductOption = None,
           fmt: FormatOption = OutputFormat.TABLE) -> None:
    """How many serials are in each status (the list's tabs)."""
    svc = services(ctx)
    found = svc.serials.counts(resolve_product(svc, product).id if product else None)
    ordered = {s.value: found.get(s.value, 0) for s in CANONICAL_STATUSES}
    ordered["ALL"] = found["ALL"]
    emit(fmt, ordered, columns=list(ordered), render=lambda: table(
        "Serials per status", ("Status", "Serials"), list(ordered.items())))


@actions_app.command("hold")
def hold(ctx: typer.Context, number: NumberArgument,
         reason: Annotated[str, typer.Option("--reason", help="Why it is held.")],
         kind: Annotated[str, typer.Option(help="quarantine or recall.")] = "quarantine",
         product: ProductOption = None) -> None:
    """Put one unit on hold: it cannot be allocated, picked or shipped."""
    svc = services(ctx)
    held = svc.stock.hold_serial(find_serial(svc, number, product).id, reason, kind)
    typer.echo(f"serial {held.serial_number} on {kind} hold: {reason}")


@actions_app.command("release")
def release(ctx: typer.Context, number: NumberArgument, product: ProductOption = None) -> None:
    """Release a unit's hold."""
    svc = services(ctx)
    released = svc.stock.release_serial(find_serial(svc, number, product).id)
    typer.echo(f"serial {released.serial_number} released")
