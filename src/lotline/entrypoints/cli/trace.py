"""`lotline trace` (a unit, a lot or a scan, as a Rich tree), `lotline transform` and
`lotline ledger verify` (the checkpoint commands are in `ledger`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.tree import Tree

from lotline.bootstrap import Services
from lotline.domain.errors import ValidationError
from lotline.domain.trace import BackwardNode, ForwardNode, LotRef, UnitTrace
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    cell,
    console,
    counted,
    emit,
    fail,
    table,
)
from lotline.entrypoints.cli.scan import FNC1_HELP
from lotline.entrypoints.cli.state import resolve_batch, resolve_product, services
from lotline.entrypoints.serialize import dumps

trace_app = typer.Typer(help="Trace a unit or a lot: where it came from, where it went.",
                        no_args_is_help=True)
ledger_app = typer.Typer(help="The append-only ledger.", no_args_is_help=True)
transform_app = typer.Typer()


class Direction(str, Enum):
    FORWARD = "forward"
    BACKWARD = "backward"


ProductOption = Annotated[str | None, typer.Option(
    "--product", help="The product's SKU or id (a number several products use).")]
DirectionOption = Annotated[Direction, typer.Option(
    "--direction", "-d", case_sensitive=False,
    help="forward: orders, customers and lots made from it; backward: supplier, receipts "
         "and input lots.")]
FORWARD_COLUMNS = ("depth", "batch_number", "product_sku", "customer_name", "order_reference",
                   "quantity", "returned_quantity", "serial_numbers", "inside_assemblies",
                   "first_shipped_at", "last_shipped_at")
BACKWARD_COLUMNS = ("depth", "batch_number", "product_sku", "supplier_name", "receipts",
                    "made_by", "consumed_serials", "manufacturing_date", "expiry_date",
                    "batch_id")


# --- trees ---------------------------------------------------------------------------------


def _lot_label(lot: LotRef) -> str:
    parts = [f"[bold]Lot {lot.batch_number}[/bold]", f"{lot.product_sku} ({lot.product_name})"]
    if lot.supplier_name:
        parts.append(f"supplier {lot.supplier_name}")
    if lot.expiry_date:
        parts.append(f"expires {lot.expiry_date}")
    return " · ".join(parts)


def forward_tree(node: ForwardNode, tree: Tree | None = None) -> Tree:
    label = (f"{_lot_label(node.lot)} · shipped {cell(node.shipped_quantity)}, "
             f"on hand {cell(node.on_hand)}")
    branch = Tree(label) if tree is None else tree.add(label)
    for delivery in node.deliveries:
        returned = (f", {cell(delivery.returned_quantity)} returned"
                    if delivery.returned_quantity else "")
        serials = f" [{', '.join(delivery.serial_numbers)}]" if delivery.serial_numbers else ""
        if delivery.inside_assemblies:
            serials += f" inside {', '.join(delivery.inside_assemblies)}"
        who = delivery.customer_name or "no customer"
        order = delivery.order_reference or "no order"
        branch.add(f"{who} — order {order}: {cell(delivery.quantity)}{returned}{serials}")
    used = ", ".join(f"{t.reference} ({t.kind})" for t in node.used_in)
    if node.outputs:
        made = branch.add(f"used in {used} →")
        for child in node.outputs:
            forward_tree(child, made)
    return branch


def backward_tree(node: BackwardNode, tree: Tree | None = None) -> Tree:
    label = _lot_label(node.lot)
    branch = Tree(label) if tree is None else tree.add(label)
    for receipt in node.receipts:
        branch.add(f"received {cell(receipt.quantity)} on {receipt.received_at:%Y-%m-%d}"
                   + (f" (receipt {receipt.reference})" if receipt.reference else ""))
    if node.made_by:
        made = branch.add("made by " + ", ".join(f"{t.reference} ({t.kind}) on "
                                                  f"{t.occurred_at:%Y-%m-%d}"
                                                  for t in node.made_by) + " from")
        if node.consumed_serials:
            made.add("units " + ", ".join(node.consumed_serials))
        for child in node.inputs:
            backward_tree(child, made)
    return branch


def unit_tree(unit: UnitTrace, order: str | None = None) -> Tree:
    """`order`: how to name the unit's order (its reference and customer)."""
    tree = Tree(f"[bold]Serial {unit.serial_number}[/bold] · {unit.status}")
    if order is not None:
        tree.add(f"order {order}")
    if unit.installed_in:
        tree.add("installed in " + " → ".join(unit.installed_in))
    if unit.components:
        tree.add("components: " + ", ".join(unit.components))
    for receipt in unit.receipts:
        tree.add(f"received on {receipt.received_at:%Y-%m-%d}"
                 + (f" (receipt {receipt.reference})" if receipt.reference else ""))
    if unit.made_by and unit.lot is None:
        made = tree.add("made by " + ", ".join(f"{t.reference} ({t.kind})"
                                               for t in unit.made_by) + " from")
        if unit.consumed_serials:
            made.add("units " + ", ".join(unit.consumed_serials))
        for node in unit.inputs:
            backward_tree(node, made)
    if unit.lot is not None:
        backward_tree(unit.lot, tree)
    return tree


# --- flat rows (CSV) -------------------------------------------------------------------------


def forward_rows(node: ForwardNode, depth: int = 0) -> Iterator[dict[str, Any]]:
    for d in node.deliveries:
        yield {"depth": depth, "batch_number": node.lot.batch_number,
               "product_sku": node.lot.product_sku, "customer_name": d.customer_name,
               "order_reference": d.order_reference, "quantity": d.quantity,
               "returned_quantity": d.returned_quantity,
               "serial_numbers": " ".join(d.serial_numbers),
               "inside_assemblies": " ".join(d.inside_assemblies),
               "first_shipped_at": d.first_shipped_at, "last_shipped_at": d.last_shipped_at}
    for child in node.outputs:
        yield from forward_rows(child, depth + 1)


def backward_rows(node: BackwardNode, depth: int = 0) -> Iterator[dict[str, Any]]:
    yield {"depth": depth, "batch_number": node.lot.batch_number,
           "product_sku": node.lot.product_sku, "supplier_name": node.lot.supplier_name,
           "receipts": " ".join(r.reference or "" for r in node.receipts),
           "made_by": " ".join(t.reference for t in node.made_by),
           "consumed_serials": " ".join(node.consumed_serials),
           "manufacturing_date": node.lot.manufacturing_date,
           "expiry_date": node.lot.expiry_date, "batch_id": node.lot.batch_id}
    for child in node.inputs:
        yield from backward_rows(child, depth + 1)


def _emit_tree(fmt: OutputFormat, result: ForwardNode | BackwardNode) -> None:
    if isinstance(result, ForwardNode):
        emit(fmt, list(forward_rows(result)) if fmt is OutputFormat.CSV else result,
             columns=FORWARD_COLUMNS, render=lambda: forward_tree(result))
    else:
        emit(fmt, list(backward_rows(result)) if fmt is OutputFormat.CSV else result,
             columns=BACKWARD_COLUMNS, render=lambda: backward_tree(result))


# --- commands --------------------------------------------------------------------------------


@trace_app.command("serial")
def trace_serial(ctx: typer.Context,
                 number: Annotated[str, typer.Argument(metavar="NUMBER",
                                                       help="The serial number (exact).")],
                 product: ProductOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Backward from one unit: the units it is installed in, its components, its receipt or
    the transformation that made it, and its lot's tree back to the suppliers."""
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    unit = svc.trace.serial(number, product_id)
    rows = list(backward_rows(unit.lot)) if unit.lot else []
    emit(fmt, rows if fmt is OutputFormat.CSV else unit, columns=BACKWARD_COLUMNS,
         render=lambda: unit_tree(unit, order_name(svc, unit.order_id)))


def order_name(svc: Services, order_id: str | None) -> str | None:
    if order_id is None:
        return None
    order = svc.orders.get(order_id)
    return f"{order.reference} ({svc.customers.get(order.customer_id).name})"


@trace_app.command("batch")
def trace_batch(ctx: typer.Context,
                ref: Annotated[str, typer.Argument(metavar="ID_OR_NUMBER",
                                                   help="The lot's id or number.")],
                direction: DirectionOption = Direction.FORWARD, product: ProductOption = None,
                fmt: FormatOption = OutputFormat.TABLE) -> None:
    """A lot's tree: forward to every order and customer (and the lots made from it), or
    backward to its suppliers, receipts and input lots."""
    svc = services(ctx)
    lot = resolve_batch(svc, ref, resolve_product(svc, product).id if product else None)
    result = svc.trace.forward(lot.id) if direction is Direction.FORWARD \
        else svc.trace.backward(lot.id)
    _emit_tree(fmt, result)


@trace_app.command("scan")
def trace_scan(ctx: typer.Context,
               data: Annotated[str, typer.Argument(help=FNC1_HELP)],
               direction: DirectionOption = Direction.BACKWARD,
               fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Trace what a barcode names: a unit's trace, or a lot's tree."""
    found = services(ctx).trace.scan(data, direction.value)
    if fmt is not OutputFormat.TABLE or found.serial is None:
        if fmt is OutputFormat.JSON:
            sys.stdout.write(dumps(found, indent=2) + "\n")
            return
        tree = found.forward or found.backward
        assert tree is not None
        _emit_tree(fmt, tree)
        return
    out = console()
    out.print(unit_tree(found.serial, order_name(services(ctx), found.serial.order_id)))
    if found.forward is not None:
        out.print(forward_tree(found.forward))


# --- transform -------------------------------------------------------------------------------


def _quantity(text: str, option: str) -> str:
    try:
        Decimal(text)
    except ArithmeticError:
        raise typer.BadParameter(f"{text!r} is not a quantity", param_hint=option) from None
    return text


def _input_spec(svc: Services, text: str) -> dict[str, Any]:
    ref, sep, quantity = text.rpartition(":")
    if not sep or not ref:
        raise typer.BadParameter(f"{text!r}: write LOT:QUANTITY", param_hint="'--input'")
    return {"batch_id": resolve_batch(svc, ref).id, "quantity": _quantity(quantity, "'--input'")}


def _output_spec(svc: Services, text: str) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) not in (3, 4) or not all(parts[:3]):
        raise typer.BadParameter(f"{text!r}: write SKU:LOT:QUANTITY[:EXPIRY]",
                                 param_hint="'--output'")
    spec = {"product_id": resolve_product(svc, parts[0]).id, "batch_number": parts[1],
            "quantity": _quantity(parts[2], "'--output'")}
    if len(parts) == 4 and parts[3]:
        spec["expiry_date"] = parts[3]
    return spec


def _file_spec(svc: Services, path: Path) -> dict[str, Any]:
    """A JSON file: {kind?, reference?, notes?, inputs: [...], outputs: [...]}; inputs and
    outputs as the API takes them, with `batch` (a lot number) and `product` (a SKU)
    accepted for `batch_id` and `product_id`."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise typer.BadParameter(f"{path}: {error}", param_hint="'--file'") from None
    if not isinstance(spec, dict):
        raise ValidationError.single("file", "must hold a JSON object with inputs and outputs")
    for item in spec.get("inputs") or []:
        if isinstance(item, dict) and "batch" in item:
            item["batch_id"] = resolve_batch(svc, str(item.pop("batch"))).id
    for item in spec.get("outputs") or []:
        if isinstance(item, dict) and "product" in item:
            item["product_id"] = resolve_product(svc, str(item.pop("product"))).id
    return spec


@transform_app.command("transform")
def transform(
    ctx: typer.Context,
    inputs: Annotated[list[str] | None, typer.Option(
        "--input", "-i", metavar="LOT:QUANTITY", help="A quantity of a lot (id or number) "
        "consumed; repeat for more.")] = None,
    serials: Annotated[list[str] | None, typer.Option(
        "--serial", metavar="NUMBER", help="A unit consumed; repeat for more.")] = None,
    outputs: Annotated[list[str] | None, typer.Option(
        "--output", "-o", metavar="SKU:LOT:QUANTITY[:EXPIRY]",
        help="A new lot made; repeat for more. Serial-numbered outputs: use --file.")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", exists=True, dir_okay=False, help="The whole transformation as JSON "
        "(inputs and outputs as the API takes them).")] = None,
    kind: Annotated[str, typer.Option(help="production, repacking or kitting.")] =
    "production",
    reference: Annotated[str | None, typer.Option(help="Default TR-000001, ...")] = None,
    notes: Annotated[str | None, typer.Option(help="Free text.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Production, repacking or kitting: consume input lots or units, make new lots, and
    link them (genealogy) in one transaction — all or nothing."""
    svc = services(ctx)
    spec: dict[str, Any] = _file_spec(svc, file) if file else {}
    spec.setdefault("inputs", [])
    spec.setdefault("outputs", [])
    spec["inputs"] += [_input_spec(svc, text) for text in inputs or []]
    spec["inputs"] += [{"serial_number": number} for number in serials or []]
    spec["outputs"] += [_output_spec(svc, text) for text in outputs or []]
    if not spec["inputs"] or not spec["outputs"]:
        raise typer.BadParameter("give inputs (--input, --serial) and outputs (--output), "
                                 "or a --file", param_hint="'--input' / '--output'")
    spec.setdefault("kind", kind)
    spec.setdefault("reference", reference)
    spec.setdefault("notes", notes)
    made = svc.transformations.transform(**spec)
    lot_ids = {c.batch_id for c in made.inputs} | {m.batch_id for m in made.outputs}
    numbers = {b: svc.batches.get(b).batch_number for b in lot_ids if b}

    def render() -> Any:
        rows = [("in", numbers.get(c.batch_id or "", "—"), c.quantity,
                 svc.serials.get(c.serial_id).serial_number if c.serial_id else None)
                for c in made.inputs]
        rows += [("out", numbers.get(m.batch_id or "", "—"), m.quantity,
                  counted(len(m.serial_ids), "serial") if m.serial_ids else None)
                 for m in made.outputs]
        return table(f"Transformation {made.reference} ({made.kind})",
                     ("", "Lot", "Quantity", "Serial"), rows)

    emit(fmt, made, columns=["id", "reference", "kind"], render=render)


# --- ledger ----------------------------------------------------------------------------------


@ledger_app.command("verify")
def verify(ctx: typer.Context, fmt: FormatOption = OutputFormat.TABLE,
           checkpoints: Annotated[Path | None, typer.Option(
               "--checkpoints", exists=True, dir_okay=False,
               help="Also prove the chains against these signed checkpoints (a file of "
                    "`ledger checkpoints export`, kept away from the database).")] = None
           ) -> None:
    """Check every hash chain and recompute the projections from the ledger. Prints each
    problem with its stream and movement ids and exits 1 if there is any; never repairs."""
    from lotline.entrypoints.cli.ledger import read_checkpoint_file  # it extends ledger_app

    signed = read_checkpoint_file(checkpoints) if checkpoints is not None else None
    report = services(ctx).ledger.verify(signed)
    summary = (f"{report.streams} streams, {report.movements} movements, {report.serials} "
               f"serials, {report.balances} lot balances"
               + (f", {report.checkpoints} checkpoints" if signed is not None else "")
               + " checked")
    problems = [{"kind": p.kind, "stream_id": p.stream_id, "movement_id": p.movement_id,
                 "detail": p.detail} for p in report.problems]
    emit(fmt, {"ok": report.ok, "streams": report.streams, "movements": report.movements,
               "serials": report.serials, "balances": report.balances,
               "checkpoints": report.checkpoints, "problems": problems}
         if fmt is OutputFormat.JSON else problems,
         columns=["kind", "stream_id", "movement_id", "detail"],
         render=lambda: [f"ledger: {summary}: " + ("ok" if report.ok else
                                                  f"{len(problems)} problems"),
                         *([table("Problems", ("Kind", "Stream", "Movement", "Detail"),
                                  [tuple(p.values()) for p in problems])] if problems
                           else [])])
    if not report.ok:
        raise fail("ledger_mismatch",
                   f"{counted(len(problems), 'problem')} found; nothing was repaired")
