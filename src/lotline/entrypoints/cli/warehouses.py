"""`lotline warehouses`: the sites stock is kept at, with the address and GLN that FSMA 204
rows and EPCIS locations (SGLN) name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.table import Table

from lotline.bootstrap import Services
from lotline.domain.model import Warehouse
from lotline.entrypoints.cli.addresses import one_line, place_options
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    emit,
    field_names,
    more_caption,
    table,
)
from lotline.entrypoints.cli.state import looks_like_id, services

warehouses_app = typer.Typer(help="Warehouses: add, list, update (address, phone, GLN).",
                             no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="The warehouse's code.")]
NameOption = Annotated[str | None, typer.Option(help="The warehouse's (business) name.")]
LimitOption = Annotated[int, typer.Option(help="At most this many (1-500).")]


def warehouses_table(title: str, warehouses: Sequence[Warehouse],
                     caption: str | None = None) -> Table:
    rows = [(w.code, w.name, w.phone, one_line(w.address), w.gln,
             "yes" if w.is_default else "", w.id) for w in warehouses]
    return table(title, ("Code", "Name", "Phone", "Address", "GLN", "Default", "ID"), rows,
                 caption=caption)


def resolve_warehouse(svc: Services, ref: str) -> Warehouse:
    """A warehouse by id, else by code (case-insensitive)."""
    ref = ref.strip()
    if looks_like_id(ref):
        return svc.warehouses.get(ref)
    return svc.warehouses.by_code(ref)


@warehouses_app.command("add")
@place_options
def add_warehouse(ctx: typer.Context, code: CodeArgument, name: NameOption = None, *,
                  place: dict[str, Any], fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Add a warehouse (with its standard locations)."""
    warehouse = services(ctx).warehouses.create_warehouse(code, name, **place)
    emit(fmt, warehouse, columns=field_names(Warehouse),
         render=lambda: warehouses_table("Warehouse", [warehouse]))


@warehouses_app.command("list")
def list_warehouses(ctx: typer.Context, limit: LimitOption = 50,
                    fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List warehouses, oldest first."""
    page = services(ctx).warehouses.list(limit=limit)
    emit(fmt, page.items, columns=field_names(Warehouse),
         render=lambda: warehouses_table("Warehouses", page.items,
                                         more_caption(page.next_cursor, len(page.items))))


@warehouses_app.command("update")
@place_options
def update_warehouse(ctx: typer.Context, ref: CodeArgument, name: NameOption = None, *,
                     place: dict[str, Any], fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Change a warehouse's name, phone, GLN or address (only what is given)."""
    svc = services(ctx)
    fields = place | ({"name": name} if name is not None else {})
    warehouse = svc.warehouses.update(resolve_warehouse(svc, ref).id, **fields)
    emit(fmt, warehouse, columns=field_names(Warehouse),
         render=lambda: warehouses_table("Warehouse", [warehouse]))
