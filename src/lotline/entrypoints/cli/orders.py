"""`lotline orders`: customer orders and their fulfilment — create, show, allocate (FEFO by
default), pick list, scan-verified picking, ship, cancel, customer returns."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import RenderableType

from lotline.bootstrap import Services
from lotline.domain.flows import OrderView, PickItem
from lotline.domain.model import Batch, Order
from lotline.entrypoints.cli.flow_args import (
    FileOption,
    SerialArguments,
    numbers_given,
    parse_line,
    parse_pair,
    resolve_location,
    resolve_order,
)
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    counted,
    detail_table,
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
from lotline.service_layer.order_requests import line_for_product, restock_returned

app = typer.Typer(help="Customer orders: create, allocate, pick, ship, cancel, returns.",
                  no_args_is_help=True)

OrderArgument = Annotated[str, typer.Argument(metavar="ORDER",
                                              help="The order's reference or id.")]
LotQuantities = Annotated[list[str] | None, typer.Option(
    "--lot", metavar="LOT=QTY", help="A quantity of a lot (products without serials). "
    "Repeat for more lots.")]


def order_detail(view: OrderView, svc: Services) -> list[RenderableType]:
    names = Names(svc)
    customer = svc.customers.get(view.customer_id)
    details = detail_table(f"Order {view.reference}", [
        ("Reference", view.reference), ("Customer", customer.name), ("Status", view.status),
        ("Cost of goods", view.cost_of_goods), ("Shipments", len(view.shipments)),
        ("ID", view.id)])
    lines = table("Lines", ("Line", "Product", "Qty", "Allocated", "Picked", "Shipped",
                            "Returned"),
                  [(line.line_no, names.product(line.product_id), line.quantity,
                    line.allocated_quantity, line.picked_quantity, line.shipped_quantity,
                    line.returned_quantity) for line in view.lines])
    rows = [(line.line_no, names.batch(a.batch_id), a.quantity, a.unit_cost,
             ", ".join(a.serial_numbers) or None)
            for line in view.lines for a in line.allocations]
    allocations = table("Allocations", ("Line", "Lot", "Qty", "Unit cost", "Serial numbers"),
                        rows, caption=None if rows else "nothing allocated")
    return [details, lines, allocations]


def _show(fmt: OutputFormat, view: OrderView, svc: Services) -> None:
    emit(fmt, view, columns=field_names(OrderView), render=lambda: order_detail(view, svc))


@app.command("create")
def create(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(metavar="REFERENCE",
                                             help="Your order number.")],
    customer: Annotated[str, typer.Option(help="Customer id, code or name.")],
    line: Annotated[list[str], typer.Option(
        "--line", metavar="SKU=QTY[@PRICE]",
        help="An order line: product SKU, quantity and optionally the unit price. Repeat "
             "for more lines.")],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create a customer order."""
    svc = services(ctx)
    lines = []
    for spec in (parse_line(value, "--line") for value in line):
        fields: dict[str, Any] = {"product_id": resolve_product(svc, spec.product).id,
                                  "quantity": spec.quantity}
        if spec.price is not None:
            fields["unit_price"] = spec.price
        lines.append(fields)
    order = svc.orders.create_order(reference, resolve_customer(svc, customer).id, lines)
    _show(fmt, svc.orders.view(order.id), svc)


@app.command("list")
def list_orders(
    ctx: typer.Context,
    customer: Annotated[str | None, typer.Option(help="Customer id, code or name.")] = None,
    status: Annotated[str | None, typer.Option(
        help="open, allocated, partially_shipped, shipped or cancelled.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-500).")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List orders, oldest first."""
    svc = services(ctx)
    customer_id = resolve_customer(svc, customer).id if customer else None
    page = svc.orders.list(customer_id=customer_id, status=status, limit=limit)
    names: dict[str, str] = {}

    def render() -> Any:
        for order in page.items:
            if order.customer_id not in names:
                names[order.customer_id] = svc.customers.get(order.customer_id).name
        rows = [(o.reference, names[o.customer_id], o.status, len(o.lines), o.id)
                for o in page.items]
        return table("Orders", ("Reference", "Customer", "Status", "Lines", "ID"), rows,
                     caption=more_caption(page.next_cursor, len(page.items)))

    emit(fmt, page.items, columns=field_names(Order), render=render)


@app.command("show")
def show(ctx: typer.Context, order: OrderArgument,
         fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show an order with its allocations, picks, shipments and cost of goods."""
    svc = services(ctx)
    _show(fmt, svc.orders.view(resolve_order(svc, order).id), svc)


def order_lot(svc: Services, order: Order, ref: str, supplier: str | None) -> Batch:
    """A lot named on an order's command: by id, or by number among the order's products
    (and the supplier's lots, with --supplier); a number still shared is ambiguous."""
    products = {line.product_id for line in order.lines}
    product_id = next(iter(products)) if len(products) == 1 else None
    return resolve_batch(svc, ref, product_id, supplier)


@app.command("allocate")
def allocate(
    ctx: typer.Context,
    order: OrderArgument,
    numbers: SerialArguments = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Allocate what can be allocated instead of failing on a "
                          "shortfall.")] = False,
    lot: LotQuantities = None,
    supplier: SupplierOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Allocate the open lines by each product's strategy (FEFO by default), or the serials
    given and the lots named with --lot. A shortfall fails the whole call unless --partial."""
    svc = services(ctx)
    found = resolve_order(svc, order)
    explicit: list[dict[str, Any]] = []
    numbers = [n.strip() for n in numbers or [] if n.strip()]
    for number in numbers:
        serial = svc.serials.lookup(number)
        explicit.append({"line_id": line_for_product(found, serial.product_id, number),
                         "serial_numbers": [number]})
    for value in lot or []:
        name, quantity = parse_pair(value, "--lot")
        batch = order_lot(svc, found, name, supplier)
        explicit.append({"line_id": line_for_product(found, batch.product_id, name),
                         "batch_id": batch.id, "quantity": quantity})
    view = svc.orders.allocate(found.id, partial=partial, lines=explicit or None)
    _show(fmt, view, svc)


@app.command("pick-list")
def pick_list(ctx: typer.Context, order: OrderArgument,
              fmt: FormatOption = OutputFormat.TABLE) -> None:
    """What is still to pick, by location, with the lot and serials to take."""
    svc = services(ctx)
    found = resolve_order(svc, order)
    items = svc.orders.pick_list(found.id)
    names = Names(svc)
    rows = [(names.location(i.location_id), names.product(i.product_id), i.batch_number,
             i.expiry_date, i.quantity, ", ".join(i.serial_numbers) or None) for i in items]
    emit(fmt, items, columns=field_names(PickItem),
         render=lambda: table(f"Pick list {found.reference}", (
             "Location", "Product", "Lot", "Expiry", "Qty", "Serial numbers"), rows,
             caption=None if rows else "nothing left to pick"))


@app.command("pick")
def pick(
    ctx: typer.Context,
    order: OrderArgument,
    scans: Annotated[list[str] | None, typer.Argument(
        metavar="SCAN", help="Serial numbers, lot numbers or GS1 barcodes as scanned.",
        show_default=False)] = None,
    file: Annotated[typer.FileText | None, typer.Option(
        "--file", encoding="utf-8-sig",
        help="A text file with one scan per line ('-' reads standard input).")] = None,
    lot: LotQuantities = None,
    supplier: SupplierOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Confirm picks by scanning. Any wrong scan is rejected with its reason, and then
    nothing is picked."""
    svc = services(ctx)
    found = resolve_order(svc, order)
    given: list[Any] = list(numbers_given(scans, file))
    for value in lot or []:
        name, quantity = parse_pair(value, "--lot")
        # The lot is resolved here, with its supplier: the number alone could be another
        # supplier's lot of the same product (the number stays for the messages).
        given.append({"batch_id": order_lot(svc, found, name, supplier).id,
                      "batch_number": name, "quantity": quantity})
    if not given:
        raise typer.BadParameter("give scans as arguments, with --file or --lot",
                                 param_hint="'SCAN...' / '--file' / '--lot'")
    view = svc.orders.pick(found.id, given)
    if fmt is OutputFormat.TABLE:
        typer.echo(f"picked {counted(len(given), 'scan')} for {found.reference}")
    _show(fmt, view, svc)


@app.command("ship")
def ship(
    ctx: typer.Context,
    order: OrderArgument,
    carrier: Annotated[str | None, typer.Option(help="The carrier.")] = None,
    tracking_number: Annotated[str | None, typer.Option(help="The carrier's number.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Ship everything allocated, picked or not, as one shipment."""
    svc = services(ctx)
    view = svc.orders.ship(resolve_order(svc, order).id, carrier=carrier,
                           tracking_number=tracking_number)
    _show(fmt, view, svc)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    order: OrderArgument,
    reason: Annotated[str | None, typer.Option(help="Why the order is cancelled.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Cancel an order, releasing its allocations (not once something shipped)."""
    svc = services(ctx)
    _show(fmt, svc.orders.cancel(resolve_order(svc, order).id, reason), svc)


@app.command("return")
def return_units(
    ctx: typer.Context,
    order: OrderArgument,
    reason: Annotated[str, typer.Option(help="Why the customer sent the units back.")],
    numbers: SerialArguments = None,
    file: FileOption = None,
    lot: LotQuantities = None,
    supplier: SupplierOption = None,
    restock: Annotated[str | None, typer.Option(
        "--restock", metavar="LOCATION", help="Then put the returned units back into stock "
        "at this location (e.g. STOCK): serials IN_STOCK again, lot quantities moved there.")]
    = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Record a customer return: serials (arguments or --file) become RETURNED, lot
    quantities (--lot) go back into their lot; both into the warehouse's RETURNS location.
    With --restock they are then put back into stock (a second step, after the return)."""
    svc = services(ctx)
    found = resolve_order(svc, order)
    lines: list[dict[str, Any]] = [{"serial_number": n} for n in numbers_given(numbers, file)]
    for value in lot or []:
        name, quantity = parse_pair(value, "--lot")
        lines.append({"batch_id": order_lot(svc, found, name, supplier).id,
                      "quantity": quantity})
    if not lines:
        raise typer.BadParameter("give the returned serials (arguments or --file) or --lot",
                                 param_hint="'SERIAL...' / '--file' / '--lot'")
    target = resolve_location(svc, restock) if restock else None
    view = svc.orders.returns(found.id, lines, reason)
    if fmt is OutputFormat.TABLE:
        typer.echo(f"returned {counted(len(lines), 'line')} of {found.reference} into RETURNS")
    if target is not None:
        restock_returned(svc.serials, svc.stock, svc.warehouses, lines, target.id,
                         f"restocked after return: {reason}")
        view = svc.orders.view(found.id)
        if fmt is OutputFormat.TABLE:
            typer.echo(f"restocked {counted(len(lines), 'line')} into "
                       f"{Names(svc).location(target.id)}")
    _show(fmt, view, svc)
