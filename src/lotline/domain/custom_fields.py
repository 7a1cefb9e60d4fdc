"""Custom field definitions (DESIGN §9): an organization's own fields on lots, serials and
products, each with a stable id, a label and a type that checks its values. A record carries
`[{custom_field_id, label, value}]`, each naming a definition by id (or, on input, by label)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lotline.domain.model import CustomField
from lotline.domain.statuses import _AliasedEnum
from lotline.domain.values import (
    ErrorCollector,
    clean_text,
    decimal_text,
    to_date,
    to_decimal,
)

MAX_VALUE_LENGTH = 2000


class FieldType(_AliasedEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


class FieldEntity(_AliasedEnum):
    BATCH = "batch"
    LOT = "batch"  # the same thing (DESIGN §1)
    SERIAL = "serial"
    PRODUCT = "product"

    @property
    def plural(self) -> str:
        return {"batch": "lots", "serial": "serials", "product": "products"}[self.value]


@dataclass(frozen=True, slots=True)
class CustomFieldDefinition:
    id: str
    label: str
    applies_to: FieldEntity
    type: FieldType
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


def fold_label(label: str) -> str:
    """Labels are compared ignoring case and surrounding blanks ("Lot Code" = "lot code ")."""
    return " ".join(label.split()).casefold()


def typed_value(kind: FieldType, raw: str, field: str) -> str:
    """A value checked against its definition's type, in canonical text: numbers exact and
    shortest (`12.50` -> `12.5`), dates `YYYY-MM-DD`; "" is "no value" for every type."""
    text = raw.strip()
    if not text:
        return ""
    if kind is FieldType.NUMBER:
        return decimal_text(to_decimal(text, field, allow_negative=True))
    if kind is FieldType.DATE:
        return to_date(text, field).isoformat()
    checked = clean_text(text, field, max_length=MAX_VALUE_LENGTH)
    return checked or ""


class _Resolver:
    """Matches one request's fields to the definitions that apply to one kind of record."""

    def __init__(self, definitions: Iterable[CustomFieldDefinition], entity: FieldEntity,
                 field: str, current: Iterable[CustomField]) -> None:
        self.kept = {(f.custom_field_id, f.value) for f in current}
        self.all = list(definitions)
        self.by_id = {d.id: d for d in self.all}
        self.by_label = {fold_label(d.label): d for d in self.all if d.applies_to is entity}
        self.entity = entity
        self.field = field
        self.errors = ErrorCollector()

    def known(self) -> str:
        labels = sorted(d.label for d in self.by_label.values() if d.active)
        return ", ".join(repr(label) for label in labels) or "none yet"

    def definition(self, index: int, item: CustomField) -> CustomFieldDefinition | None:
        where = f"{self.field}.{index}"
        if item.custom_field_id:
            found = self.by_id.get(item.custom_field_id)
            if found is None:
                self.errors.add(f"{where}.custom_field_id", f"unknown custom field "
                                f"{item.custom_field_id!r}; the {self.entity.plural}' custom "
                                f"fields are {self.known()}", item.custom_field_id)
                return None
            if found.applies_to is not self.entity:
                self.errors.add(f"{where}.custom_field_id", f"custom field {found.label!r} "
                                f"applies to {found.applies_to.plural}, not "
                                f"{self.entity.plural}", item.custom_field_id)
                return None
        else:
            found = self.by_label.get(fold_label(item.label))
            if found is None:
                self.errors.add(f"{where}.label", f"no custom field labelled {item.label!r} "
                                f"for {self.entity.plural} (they are {self.known()}); an admin "
                                f"or manager defines it first", item.label)
                return None
        if not found.active and (found.id, item.value) not in self.kept:
            self.errors.add(where, f"custom field {found.label!r} is inactive: a record keeps "
                            "the value it has, no new value is taken", found.id)
            return None
        return found


def resolve_fields(items: Sequence[CustomField], definitions: Iterable[CustomFieldDefinition],
                   entity: FieldEntity, field: str = "custom_fields",
                   current: Iterable[CustomField] = ()) -> list[CustomField]:
    """The fields of one record, each matched to its definition (by id, else by label), its
    value checked by the definition's type; every problem named at once. `current`: the
    record's values before, which it may keep even for a field deactivated since."""
    resolver = _Resolver(definitions, entity, field, current)
    seen: set[str] = set()
    result: list[CustomField] = []
    for index, item in enumerate(items):
        found = resolver.definition(index, item)
        if found is None:
            continue
        if found.id in seen:
            resolver.errors.add(f"{field}.{index}", f"custom field {found.label!r} is given "
                                "twice", found.id)
            continue
        seen.add(found.id)
        value = resolver.errors.take(typed_value, found.type, item.value,
                                     f"{field}.{index}.value")
        if value is not None:
            result.append(CustomField(label=found.label, value=value,
                                      custom_field_id=found.id))
    resolver.errors.raise_if_any()
    return result
