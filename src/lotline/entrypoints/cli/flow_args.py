"""What the warehouse-flow commands (receipts, orders, stock) share: reading `SKU=QTY@PRICE`
line options, `NUMBER=QTY` lot options and serial numbers from arguments or a file, and naming
locations, receipts and orders the way people do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, TextIO

import typer

from lotline.bootstrap import Services
from lotline.domain.errors import NotFound
from lotline.domain.flows import Receipt
from lotline.domain.model import Location, Order
from lotline.entrypoints.cli.state import looks_like_id

SerialArguments = Annotated[list[str] | None, typer.Argument(
    metavar="SERIAL", help="Serial numbers (or other scans).", show_default=False)]
FileOption = Annotated[typer.FileText | None, typer.Option(
    "--file", encoding="utf-8-sig",
    help="A text file with one serial number per line ('-' reads standard input).")]


@dataclass(frozen=True)
class LineSpec:
    """`SKU=QTY` or `SKU=QTY@PRICE` (a cost for receipts, a unit price for orders)."""

    product: str
    quantity: str
    price: str | None


def parse_line(value: str, option: str) -> LineSpec:
    product, sep, rest = value.partition("=")
    quantity, _, price = rest.partition("@")
    if not sep or not product.strip() or not quantity.strip():
        raise typer.BadParameter(f"{value!r} is not SKU=QUANTITY or SKU=QUANTITY@PRICE",
                                 param_hint=f"'{option}'")
    return LineSpec(product.strip(), quantity.strip(), price.strip() or None)


def parse_pair(value: str, option: str, what: str = "LOT=QUANTITY") -> tuple[str, str]:
    name, sep, quantity = value.rpartition("=")
    if not sep or not name.strip() or not quantity.strip():
        raise typer.BadParameter(f"{value!r} is not {what}", param_hint=f"'{option}'")
    return name.strip(), quantity.strip()


def read_numbers(lines: Iterable[str]) -> list[str]:
    """One number per line; blank lines skipped, scanner whitespace stripped."""
    return [text for text in (line.strip() for line in lines) if text]


def numbers_given(arguments: Sequence[str] | None, file: TextIO | None) -> list[str]:
    return [n.strip() for n in arguments or [] if n.strip()] + (
        read_numbers(file) if file is not None else [])


def resolve_location(svc: Services, ref: str, warehouse_id: str | None = None) -> Location:
    """A location by id, `WAREHOUSE/CODE`, or code (in `warehouse_id`, else the default
    warehouse); codes compared case-insensitively."""
    ref = ref.strip()
    if looks_like_id(ref):
        return svc.warehouses.get_location(ref)
    warehouse_code, sep, code = ref.rpartition("/")
    if sep:
        warehouses = svc.warehouses.list(limit=500).items
        match = next((w for w in warehouses
                      if w.code.casefold() == warehouse_code.strip().casefold()), None)
        if match is None:
            raise NotFound("warehouse", warehouse_code.strip(), "code")
        warehouse_id = match.id
    return svc.warehouses.location_by_code(code, warehouse_id)


def resolve_receipt(svc: Services, ref: str) -> Receipt:
    """A receipt by its reference, else by id."""
    try:
        return svc.receipts.by_reference(ref)
    except NotFound:
        if not looks_like_id(ref.strip()):
            raise
    return svc.receipts.get(ref.strip())


def resolve_order(svc: Services, ref: str) -> Order:
    """An order by its reference, else by id."""
    try:
        return svc.orders.by_reference(ref)
    except NotFound:
        if not looks_like_id(ref.strip()):
            raise
    return svc.orders.get(ref.strip())
