"""`lotline suppliers` and `lotline customers`: the parties receipts and orders name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.table import Table

from lotline.bootstrap import Services
from lotline.domain.errors import Ambiguous, NotFound
from lotline.domain.model import Customer, Supplier
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

suppliers_app = typer.Typer(help="Suppliers: add, list, update.", no_args_is_help=True)
customers_app = typer.Typer(help="Customers: add, list, update.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="The party's name.")]
CodeOption = Annotated[str | None, typer.Option(help="A short code, unique per party kind.")]
EmailOption = Annotated[str | None, typer.Option(help="E-mail address.")]
RefArgument = Annotated[str, typer.Argument(metavar="REF", help="The party's id, code or name.")]
NewNameOption = Annotated[str | None, typer.Option("--name", help="A new name.")]
LimitOption = Annotated[int, typer.Option(help="At most this many (1-500).")]
QOption = Annotated[str | None, typer.Option("--q", help="Part of the name or code.")]


def parties_table(title: str, parties: Sequence[Supplier | Customer],
                  caption: str | None = None) -> Table:
    rows = [(p.name, p.code, p.email, p.phone, one_line(p.address), p.gln, p.id)
            for p in parties]
    return table(title, ("Name", "Code", "E-mail", "Phone", "Address", "GLN", "ID"), rows,
                 caption=caption)


def resolve_customer(svc: Services, ref: str) -> Customer:
    """A customer by id, else by code, else by name (both compared case-insensitively)."""
    customer: Customer = _resolve(svc.customers, "customer", ref)
    return customer


def _resolve(parties: Any, kind: str, ref: str) -> Any:
    ref = ref.strip()
    if looks_like_id(ref):
        return parties.get(ref)
    candidates = parties.list(q=ref, limit=500).items
    folded = ref.casefold()
    for matches in ([c for c in candidates if (c.code or "").casefold() == folded],
                    [c for c in candidates if c.name.casefold() == folded]):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Ambiguous(f"{kind} {ref!r}",
                            [{"id": c.id, "code": c.code, "name": c.name} for c in matches])
    raise NotFound(kind, ref, "code")


def _fields(code: str | None, email: str | None, place: dict[str, Any],
            name: str | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"code": code, "email": email, "name": name}
    return {**{key: value for key, value in fields.items() if value is not None}, **place}


@suppliers_app.command("add")
@place_options
def add_supplier(ctx: typer.Context, name: NameArgument, code: CodeOption = None,
                 email: EmailOption = None, *, place: dict[str, Any],
                 fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Add a supplier."""
    supplier = services(ctx).suppliers.create_supplier(name=name,
                                                       **_fields(code, email, place))
    emit(fmt, supplier, columns=field_names(Supplier),
         render=lambda: parties_table("Supplier", [supplier]))


@suppliers_app.command("update")
@place_options
def update_supplier(ctx: typer.Context, ref: RefArgument, name: NewNameOption = None,
                    code: CodeOption = None, email: EmailOption = None, *,
                    place: dict[str, Any], fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Change a supplier's name, code, e-mail, phone, GLN or address (only what is given)."""
    svc = services(ctx)
    supplier = svc.suppliers.update(_resolve(svc.suppliers, "supplier", ref).id,
                                    **_fields(code, email, place, name))
    emit(fmt, supplier, columns=field_names(Supplier),
         render=lambda: parties_table("Supplier", [supplier]))


@suppliers_app.command("list")
def list_suppliers(ctx: typer.Context, q: QOption = None, limit: LimitOption = 50,
                   fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List suppliers, oldest first."""
    page = services(ctx).suppliers.list(q=q, limit=limit)
    emit(fmt, page.items, columns=field_names(Supplier),
         render=lambda: parties_table("Suppliers", page.items,
                                      more_caption(page.next_cursor, len(page.items))))


@customers_app.command("add")
@place_options
def add_customer(ctx: typer.Context, name: NameArgument, code: CodeOption = None,
                 email: EmailOption = None, *, place: dict[str, Any],
                 min_remaining_shelf_life_days: Annotated[int | None, typer.Option(
                     help="Never ship lots expiring sooner than this after shipping.")] = None,
                 fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Add a customer."""
    fields = _fields(code, email, place)
    if min_remaining_shelf_life_days is not None:
        fields["min_remaining_shelf_life_days"] = min_remaining_shelf_life_days
    customer = services(ctx).customers.create_customer(name=name, **fields)
    emit(fmt, customer, columns=field_names(Customer),
         render=lambda: parties_table("Customer", [customer]))


@customers_app.command("list")
def list_customers(ctx: typer.Context, q: QOption = None, limit: LimitOption = 50,
                   fmt: FormatOption = OutputFormat.TABLE) -> None:
    """List customers, oldest first."""
    page = services(ctx).customers.list(q=q, limit=limit)
    emit(fmt, page.items, columns=field_names(Customer),
         render=lambda: parties_table("Customers", page.items,
                                      more_caption(page.next_cursor, len(page.items))))


@customers_app.command("update")
@place_options
def update_customer(ctx: typer.Context, ref: RefArgument, name: NewNameOption = None,
                    code: CodeOption = None, email: EmailOption = None, *,
                    place: dict[str, Any], fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Change a customer's name, code, e-mail, phone, GLN or address (only what is given)."""
    svc = services(ctx)
    customer = svc.customers.update(resolve_customer(svc, ref).id,
                                    **_fields(code, email, place, name))
    emit(fmt, customer, columns=field_names(Customer),
         render=lambda: parties_table("Customer", [customer]))
