"""`lotline custom-fields list|create|update|delete`: custom field definitions (DESIGN §9), and
`custom-fields show|set` for the values of one lot, serial or product. A field is named by its
id or its label (with --applies-to when two kinds of record share the label)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table

from lotline.bootstrap import Services
from lotline.domain.custom_fields import CustomFieldDefinition, FieldEntity, fold_label
from lotline.domain.errors import Ambiguous, FieldError, NotFound, ValidationError
from lotline.domain.model import CustomField
from lotline.domain.statuses import parse_enum
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    custom_field_rows,
    emit,
    table,
)
from lotline.entrypoints.cli.serial_actions import find_serial
from lotline.entrypoints.cli.state import resolve_batch, resolve_product, services

custom_fields_app = typer.Typer(
    help="Custom field definitions for lots, serials and products, and their values.",
    no_args_is_help=True)

COLUMNS = ["id", "label", "applies_to", "type", "active", "created_at", "updated_at"]
VALUE_COLUMNS = ["custom_field_id", "label", "value"]
FieldArgument = Annotated[str, typer.Argument(metavar="FIELD",
                                              help="The field's id or label.")]
AppliesTo = Annotated[str | None, typer.Option(
    "--applies-to", help="batch (lots), serial or product.")]
KindArgument = Annotated[str, typer.Argument(metavar="KIND", help="batch (lot), serial or "
                                                                  "product.")]
RefArgument = Annotated[str, typer.Argument(
    metavar="REF", help="The lot (id or number), serial (number) or product (SKU or id).")]


def definitions_table(fields: Sequence[CustomFieldDefinition]) -> Table:
    rows = [(f.label, f.applies_to.plural, f.type, "active" if f.active else "inactive", f.id)
            for f in fields]
    return table("Custom fields", ("Label", "Applies to", "Type", "State", "ID"), rows,
                 caption=None if rows else "none defined yet")


def resolve_definition(svc: Services, ref: str, applies_to: str | None) -> CustomFieldDefinition:
    """A definition by id, else by label (ignoring case)."""
    ref = ref.strip()
    every = svc.custom_fields.list(applies_to)
    for definition in every:
        if definition.id == ref:
            return definition
    matches = [d for d in every if fold_label(d.label) == fold_label(ref)]
    if len(matches) > 1:
        raise Ambiguous(f"custom field {ref!r} (name the kind with --applies-to)",
                        [{"name": f"{d.label} for {d.applies_to.plural}", "id": d.id}
                         for d in matches])
    if not matches:
        raise NotFound("custom field", ref, "label")
    return matches[0]


def _show(fmt: OutputFormat, definition: CustomFieldDefinition) -> None:
    emit(fmt, definition, columns=COLUMNS, render=lambda: definitions_table([definition]))


@custom_fields_app.command("list")
def list_fields(ctx: typer.Context, applies_to: AppliesTo = None,
                fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Every definition, inactive ones too, by kind of record then label."""
    fields = services(ctx).custom_fields.list(applies_to)
    emit(fmt, fields, columns=COLUMNS, render=lambda: definitions_table(fields))


@custom_fields_app.command("create")
def create(ctx: typer.Context,
           label: Annotated[str, typer.Argument(metavar="LABEL", help="What people call it.")],
           applies_to: Annotated[str, typer.Option(
               "--applies-to", help="batch (lots), serial or product.")],
           type_: Annotated[str, typer.Option("--type", help="text, number or date.")] = "text",
           fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Define a field (manager or admin)."""
    _show(fmt, services(ctx).custom_fields.create(label=label, applies_to=applies_to,
                                                  type=type_))


@custom_fields_app.command("update")
def update(ctx: typer.Context, field: FieldArgument, applies_to: AppliesTo = None,
           label: Annotated[str | None, typer.Option(help="A new label.")] = None,
           type_: Annotated[str | None, typer.Option(
               "--type", help="A new type, while no record has a value.")] = None,
           active: Annotated[bool | None, typer.Option(
               "--active/--inactive", help="An inactive field takes no new values.")] = None,
           fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Rename a field, change its type, or (de)activate it."""
    svc = services(ctx)
    changes = {name: value for name, value in (("label", label), ("type", type_),
                                               ("active", active)) if value is not None}
    definition = resolve_definition(svc, field, applies_to)
    _show(fmt, svc.custom_fields.update(definition.id, **changes))


@custom_fields_app.command("delete")
def delete(ctx: typer.Context, field: FieldArgument, applies_to: AppliesTo = None) -> None:
    """Delete a field no record has a value of (else deactivate it)."""
    svc = services(ctx)
    definition = resolve_definition(svc, field, applies_to)
    svc.custom_fields.delete(definition.id)
    typer.echo(f"custom field {definition.label!r} deleted")


def _values(svc: Services, kind: FieldEntity, ref: str,
            product: str | None) -> tuple[str, list[CustomField]]:
    """The record's id and its custom fields."""
    product_id = resolve_product(svc, product).id if product else None
    if kind is FieldEntity.BATCH:
        batch = resolve_batch(svc, ref, product_id)
        return batch.id, batch.custom_fields
    if kind is FieldEntity.PRODUCT:
        found = resolve_product(svc, ref)
        return found.id, found.custom_fields
    serial = find_serial(svc, ref, product)
    return serial.id, svc.custom_fields.serial_values(serial.id)


def _emit_values(fmt: OutputFormat, title: str, fields: list[CustomField]) -> None:
    emit(fmt, fields, columns=VALUE_COLUMNS, render=lambda: table(
        title, ("Field", "Value"), custom_field_rows(fields),
        caption=None if fields else "no custom field values"))


ProductOption = Annotated[str | None, typer.Option(
    "--product", help="The product's SKU or id, to tell lots or serials apart.")]


@custom_fields_app.command("show")
def show(ctx: typer.Context, kind: KindArgument, ref: RefArgument,
         product: ProductOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The custom field values of one lot, serial or product."""
    svc = services(ctx)
    entity = parse_enum(FieldEntity, kind, "KIND")
    _record, fields = _values(svc, entity, ref, product)
    _emit_values(fmt, f"{TITLES[entity]} {ref}", fields)


@custom_fields_app.command("set")
def set_values(ctx: typer.Context, kind: KindArgument, ref: RefArgument,
               values: Annotated[list[str], typer.Argument(
                   metavar="LABEL=VALUE...", help="Values to set; LABEL= removes one.")],
               product: ProductOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Set custom field values of one lot, serial or product; the others are kept."""
    svc = services(ctx)
    entity = parse_enum(FieldEntity, kind, "KIND")
    record_id, current = _values(svc, entity, ref, product)
    merged = {fold_label(f.label): {"custom_field_id": f.custom_field_id, "value": f.value}
              for f in current}
    for index, pair in enumerate(values):
        label, equals, value = pair.partition("=")
        if not equals or not label.strip():
            raise ValidationError.single(f"LABEL=VALUE {index + 1}",
                                         f"{pair!r} is not LABEL=VALUE", pair)
        merged.pop(fold_label(label), None)
        if value.strip():
            merged[fold_label(label)] = {"label": label.strip(), "value": value}
    fields = list(merged.values())
    try:
        result = _save(svc, entity, record_id, fields)
    except ValidationError as error:
        raise _by_label(error, fields, current) from None
    _emit_values(fmt, f"{TITLES[entity]} {ref}", result)


TITLES = {FieldEntity.BATCH: "Lot", FieldEntity.SERIAL: "Serial", FieldEntity.PRODUCT: "Product"}


def _save(svc: Services, entity: FieldEntity, record_id: str,
          fields: list[dict[str, str | None]]) -> list[CustomField]:
    if entity is FieldEntity.BATCH:
        return svc.batches.update(record_id, custom_fields=fields).custom_fields
    if entity is FieldEntity.PRODUCT:
        return svc.products.update(record_id, custom_fields=fields).custom_fields
    return svc.custom_fields.set_serial_values(record_id, fields)


def _by_label(error: ValidationError, fields: list[dict[str, str | None]],
              current: list[CustomField]) -> ValidationError:
    """`custom_fields.1.value` in the words of the command line: the field's label."""
    labels = {f.custom_field_id: f.label for f in current}
    renamed = []
    for problem in error.errors:
        parts = problem.field.split(".")
        if len(parts) >= 2 and parts[0] == "custom_fields" and parts[1].isdigit():
            sent = fields[int(parts[1])]
            label = sent.get("label") or labels.get(sent.get("custom_field_id"), "")
            problem = FieldError(str(label), problem.message, problem.value)
        renamed.append(problem)
    return ValidationError(renamed)
