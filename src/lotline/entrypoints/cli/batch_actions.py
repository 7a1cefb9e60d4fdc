"""`lotline batches update|delete|bulk-delete|active|inactive|hold|release`: seed 003's batch
operations and lot holds (with a reason), each naming lots by id or by number (with
--product and --supplier when a number is shared)."""

from __future__ import annotations

from typing import Annotated

import typer

from lotline.bootstrap import Services
from lotline.domain.model import Batch
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, counted, emit, field_names
from lotline.entrypoints.cli.state import (
    ProductOption,
    SupplierOption,
    resolve_batch,
    resolve_product,
    services,
)

actions_app = typer.Typer()

LotArgument = Annotated[str, typer.Argument(metavar="LOT", help="Lot id or lot number.")]
LotsArgument = Annotated[list[str], typer.Argument(metavar="LOT...",
                                                   help="Lot ids or lot numbers.")]
DateOption = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")]


def _lots(svc: Services, refs: list[str], product: str | None,
          supplier: str | None) -> list[Batch]:
    product_id = resolve_product(svc, product).id if product else None
    return [resolve_batch(svc, ref, product_id, supplier) for ref in refs]


@actions_app.command("update")
def update(
    ctx: typer.Context, lot: LotArgument, product: ProductOption = None,
    supplier: SupplierOption = None,
    number: Annotated[str | None, typer.Option("--number", help="A new lot number.")] = None,
    quantity: Annotated[str | None, typer.Option(
        help="Units received (a correction, in the ledger) or a serial lot's size.")] = None,
    manufacturing_date: DateOption = None,
    expiry_date: Annotated[str | None, typer.Option(
        metavar="YYYY-MM-DD", help="'none' clears it; a change needs --reason.")] = None,
    unit_cost: Annotated[str | None, typer.Option(
        help="Cost per unit, exact decimal; a change needs --reason.")] = None,
    manufacturer_batch_number: Annotated[str | None, typer.Option()] = None,
    reason: Annotated[str | None, typer.Option(
        help="Why: required to change the expiry date or the unit cost; kept in the audit "
             "log.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Change a lot's fields: number, quantity, dates, cost (the change goes to the audit
    log)."""
    svc = services(ctx)
    batch = _lots(svc, [lot], product, supplier)[0]
    changes = {"batch_number": number, "quantity": quantity, "unit_cost": unit_cost,
               "manufacturing_date": manufacturing_date, "expiry_date": expiry_date,
               "manufacturer_batch_number": manufacturer_batch_number}
    given: dict[str, object] = {key: value for key, value in changes.items()
                                if value is not None}
    if expiry_date is not None and expiry_date.strip().casefold() == "none":
        given["expiry_date"] = None
    if not given:
        raise typer.BadParameter("name at least one field to change", param_hint="options")
    updated = svc.batches.update(batch.id, **given, reason=reason)
    emit(fmt, updated, columns=field_names(Batch),
         render=lambda: f"lot {updated.batch_number} updated: "
                        + ", ".join(f"{key} {value}" for key, value in given.items()))


@actions_app.command("delete")
def delete(ctx: typer.Context, lot: LotArgument, product: ProductOption = None,
           supplier: SupplierOption = None) -> None:
    """Delete a lot nothing refers to yet (else mark it inactive)."""
    svc = services(ctx)
    batch = _lots(svc, [lot], product, supplier)[0]
    svc.batches.delete(batch.id)
    typer.echo(f"lot {batch.batch_number} deleted")


@actions_app.command("bulk-delete")
def bulk_delete(ctx: typer.Context, lots: LotsArgument, product: ProductOption = None,
                supplier: SupplierOption = None) -> None:
    """Delete several lots, all or none."""
    svc = services(ctx)
    found = _lots(svc, lots, product, supplier)
    svc.batches.bulk_delete([batch.id for batch in found])
    typer.echo(f"{counted(len(found), 'lot')} deleted: {', '.join(b.batch_number for b in found)}")


def _set_status(ctx: typer.Context, lots: list[str], product: str | None,
                supplier: str | None, active: bool, fmt: OutputFormat) -> None:
    svc = services(ctx)
    found = _lots(svc, lots, product, supplier)
    ids = [batch.id for batch in found]
    changed = svc.batches.mark_active(ids) if active else svc.batches.mark_inactive(ids)
    word = "active" if active else "inactive"
    emit(fmt, changed, columns=field_names(Batch),
         render=lambda: f"marked {word}: {', '.join(b.batch_number for b in changed)}")


@actions_app.command("active")
def active(ctx: typer.Context, lots: LotsArgument, product: ProductOption = None,
           supplier: SupplierOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Mark lots active: they can be allocated again."""
    _set_status(ctx, lots, product, supplier, True, fmt)


@actions_app.command("inactive")
def inactive(ctx: typer.Context, lots: LotsArgument, product: ProductOption = None,
             supplier: SupplierOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Mark lots inactive: hidden from picking, never allocated."""
    _set_status(ctx, lots, product, supplier, False, fmt)


@actions_app.command("hold")
def hold(ctx: typer.Context, lot: LotArgument,
         reason: Annotated[str, typer.Option("--reason", help="Why it is held.")],
         kind: Annotated[str, typer.Option(help="quarantine, recall or other.")] = "quarantine",
         product: ProductOption = None, supplier: SupplierOption = None) -> None:
    """Put a lot on hold: no allocation, picking, shipping or transfer out of quarantine."""
    svc = services(ctx)
    batch = _lots(svc, [lot], product, supplier)[0]
    held = svc.batches.hold(batch.id, reason, kind)
    assert held.hold is not None
    typer.echo(f"lot {held.batch_number} on {held.hold.kind.value} hold: {reason}")


@actions_app.command("release")
def release(ctx: typer.Context, lot: LotArgument, product: ProductOption = None,
            supplier: SupplierOption = None,
            reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")]
            = None) -> None:
    """Release a lot's hold."""
    svc = services(ctx)
    batch = _lots(svc, [lot], product, supplier)[0]
    released = svc.batches.release(batch.id, reason)
    typer.echo(f"lot {released.batch_number} released")
