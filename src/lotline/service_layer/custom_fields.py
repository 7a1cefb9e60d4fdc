"""Custom field definitions (DESIGN §9): every role reads them, a manager or admin defines,
renames, deactivates and deletes them; every change is in the audit log. Records name them
through `stored_fields`, which checks each value against its definition."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from lotline.domain.custom_fields import (
    CustomFieldDefinition,
    FieldEntity,
    FieldType,
    fold_label,
    resolve_fields,
)
from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.lots import parse_custom_fields
from lotline.domain.model import CustomField
from lotline.domain.statuses import Role, parse_enum
from lotline.domain.values import ErrorCollector, apply_aliases, required_text
from lotline.service_layer.base import Service, snapshot
from lotline.service_layer.unit_of_work import UnitOfWork

CREATE_FIELDS = ("label", "applies_to", "type", "active")
UPDATE_FIELDS = ("label", "type", "active")


def stored_fields(uow: UnitOfWork, items: Sequence[CustomField], entity: FieldEntity,
                  field: str = "custom_fields", current: Sequence[CustomField] = ()
                  ) -> list[dict[str, str]]:
    """A record's fields as stored, each matched to its definition and its value checked
    (ValidationError naming `field.N.custom_field_id`, `.label` or `.value`)."""
    if not items:
        return []
    resolved = resolve_fields(items, uow.custom_fields.list(), entity, field, current)
    return [{"custom_field_id": f.custom_field_id or "", "label": f.label, "value": f.value}
            for f in resolved]


def _active(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise ValidationError.single("active", "must be true or false", value)


def _parse(fields: dict[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    values = apply_aliases(fields, {"data_type": "type", "entity": "applies_to"}, allowed)
    errors = ErrorCollector()
    parsers: dict[str, Any] = {
        "label": lambda v: required_text(v, "label"),
        "applies_to": lambda v: parse_enum(FieldEntity, v, "applies_to"),
        "type": lambda v: parse_enum(FieldType, v, "type"),
        "active": _active,
    }
    parsed = {name: errors.take(parsers[name], value) for name, value in values.items()}
    errors.raise_if_any()
    return parsed


class CustomFieldService(Service):
    def list(self, applies_to: str | None = None) -> builtins.list[CustomFieldDefinition]:
        entity = None if applies_to is None else parse_enum(FieldEntity, applies_to,
                                                            "applies_to")
        with self.reading() as uow:
            return uow.custom_fields.list(entity)

    def get(self, field_id: str) -> CustomFieldDefinition:
        with self.reading() as uow:
            return _need(uow, field_id)

    def create(self, **fields: Any) -> CustomFieldDefinition:
        """`label` and `applies_to` (batch, serial or product) required; `type` text (the
        default), number or date. The label is unique per kind of record, ignoring case."""
        self.actor.require(Role.MANAGER, "defining custom fields")
        values = _parse(fields, CREATE_FIELDS)
        for required in ("label", "applies_to"):
            if values.get(required) is None:
                raise ValidationError.single(required, "is required")
        now = self.actor.now()
        with self.writing() as uow:
            _check_label_free(uow, values["applies_to"], values["label"])
            field_id = new_id()
            uow.custom_fields.insert({
                "id": field_id, "label": values["label"],
                "label_folded": fold_label(values["label"]),
                "applies_to": values["applies_to"].value,
                "type": (values.get("type") or FieldType.TEXT).value,
                "active": values.get("active", True), "created_at": now, "updated_at": now})
            created = _need(uow, field_id)
            self._audit(uow, field_id, "create", None, created)
            return created

    def update(self, field_id: str, **changes: Any) -> CustomFieldDefinition:
        """Rename (every stored value follows), change the type while no record has a value,
        or deactivate (`active=false`: values stay, no new ones)."""
        self.actor.require(Role.MANAGER, "changing custom fields")
        values = _parse(changes, UPDATE_FIELDS)
        with self.writing() as uow:
            before = _need(uow, field_id)
            row: dict[str, Any] = {"updated_at": self.actor.now()}
            if "label" in values and values["label"] != before.label:
                _check_label_free(uow, before.applies_to, values["label"], before.id)
                row.update(label=values["label"], label_folded=fold_label(values["label"]))
                uow.custom_fields.relabel(before.applies_to, before.id, values["label"])
            if "type" in values and values["type"] is not before.type:
                _refuse_if_used(uow, before, "its type cannot change")
                row["type"] = values["type"].value
            if "active" in values:
                row["active"] = values["active"]
            uow.custom_fields.update(field_id, row)
            after = _need(uow, field_id)
            if after != before:
                self._audit(uow, field_id, "update", before, after)
            return after

    def delete(self, field_id: str) -> None:
        """Only while no record has a value of it; else deactivate it."""
        self.actor.require(Role.MANAGER, "deleting custom fields")
        with self.writing() as uow:
            before = _need(uow, field_id)
            _refuse_if_used(uow, before, "deactivate it instead (active=false)")
            uow.custom_fields.delete(field_id)
            self._audit(uow, field_id, "delete", before, None)

    # --- a serial's values (the Serial view stays lean: its readers are the hot paths) ----

    def serial_values(self, serial_id: str) -> builtins.list[CustomField]:
        with self.reading() as uow:
            return _fields(_serial_stored(uow, serial_id))

    def set_serial_values(self, serial_id: str, custom_fields: Any
                          ) -> builtins.list[CustomField]:
        """Replace a serial's custom field values (manager); audited."""
        self.actor.require(Role.MANAGER, "changing a serial's custom fields")
        items = parse_custom_fields(custom_fields)
        with self.writing() as uow:
            before = _fields(_serial_stored(uow, serial_id))
            stored = stored_fields(uow, items, FieldEntity.SERIAL, current=before)
            uow.custom_fields.set_serial_values(str(serial_id), stored, self.actor.now())
            uow.audit.record(actor=self.actor.name, entity="serial", entity_id=str(serial_id),
                             action="custom_fields", before={"custom_fields": snapshot_list(
                                 before)}, after={"custom_fields": stored},
                             moment=self.actor.now())
            return _fields(stored)

    def _audit(self, uow: UnitOfWork, field_id: str, action: str,
               before: CustomFieldDefinition | None,
               after: CustomFieldDefinition | None) -> None:
        uow.audit.record(actor=self.actor.name, entity="custom_field", entity_id=field_id,
                         action=action, before=None if before is None else snapshot(before),
                         after=None if after is None else snapshot(after),
                         moment=self.actor.now())


def _serial_stored(uow: UnitOfWork, serial_id: str) -> builtins.list[dict[str, Any]]:
    stored = uow.custom_fields.serial_values(str(serial_id))
    if stored is None:
        raise NotFound("serial", serial_id, "serial_id")
    return stored


def _fields(stored: Sequence[dict[str, Any]]) -> builtins.list[CustomField]:
    return [CustomField(label=item["label"], value=item["value"],
                        custom_field_id=item.get("custom_field_id")) for item in stored]


def snapshot_list(fields: Sequence[CustomField]) -> builtins.list[dict[str, Any]]:
    return [{"custom_field_id": f.custom_field_id, "label": f.label, "value": f.value}
            for f in fields]


def _need(uow: UnitOfWork, field_id: str) -> CustomFieldDefinition:
    found = uow.custom_fields.get(str(field_id))
    if found is None:
        raise NotFound("custom field", field_id, "custom_field_id")
    return found


def _check_label_free(uow: UnitOfWork, entity: FieldEntity, label: str,
                      own_id: str | None = None) -> None:
    clash = uow.custom_fields.by_label(entity, fold_label(label))
    if clash is not None and clash.id != own_id:
        raise Conflict(f"the {entity.plural} already have a custom field labelled "
                       f"{clash.label!r}", custom_field_id=clash.id)


def _refuse_if_used(uow: UnitOfWork, definition: CustomFieldDefinition, advice: str) -> None:
    used = uow.custom_fields.count_values(definition.applies_to, definition.id)
    if used:
        noun = definition.applies_to.plural if used > 1 else definition.applies_to.plural[:-1]
        raise Conflict(f"custom field {definition.label!r} has values on {used} {noun}; "
                       f"{advice}", custom_field_id=definition.id)
