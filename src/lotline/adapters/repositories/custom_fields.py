"""Custom field definitions, and the records whose custom fields name them (lots, serials,
products keep `[{custom_field_id, label, value}]` in a JSON column)."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import Connection, Row, Table, Text, cast, delete, insert, select, update

from lotline.adapters import tables as t
from lotline.domain.custom_fields import CustomFieldDefinition, FieldEntity, FieldType

C = t.custom_field_definitions.c
HOLDERS: dict[FieldEntity, Table] = {FieldEntity.BATCH: t.batches,
                                     FieldEntity.SERIAL: t.serials,
                                     FieldEntity.PRODUCT: t.products}


def _definition(row: Row[Any]) -> CustomFieldDefinition:
    return CustomFieldDefinition(id=row.id, label=row.label,
                                 applies_to=FieldEntity(row.applies_to), type=FieldType(row.type),
                                 active=row.active, created_at=row.created_at,
                                 updated_at=row.updated_at)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CustomFieldRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def list(self, applies_to: FieldEntity | None = None) -> builtins.list[CustomFieldDefinition]:
        statement = select(t.custom_field_definitions).where(C.org_id == self.org_id)
        if applies_to is not None:
            statement = statement.where(C.applies_to == applies_to.value)
        return [_definition(row) for row in self.conn.execute(
            statement.order_by(C.applies_to, C.label_folded, C.id))]

    def get(self, field_id: str) -> CustomFieldDefinition | None:
        row = self.conn.execute(select(t.custom_field_definitions).where(
            C.org_id == self.org_id, C.id == field_id)).first()
        return None if row is None else _definition(row)

    def id_taken(self, field_id: str) -> bool:
        """Ids are unique across organizations (the primary key)."""
        return self.conn.execute(select(C.id).where(C.id == field_id)).first() is not None

    def by_label(self, applies_to: FieldEntity, label_folded: str
                 ) -> CustomFieldDefinition | None:
        row = self.conn.execute(select(t.custom_field_definitions).where(
            C.org_id == self.org_id, C.applies_to == applies_to.value,
            C.label_folded == label_folded)).first()
        return None if row is None else _definition(row)

    def insert(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.custom_field_definitions).values(org_id=self.org_id,
                                                                    **values))

    def update(self, field_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.custom_field_definitions).where(
            C.org_id == self.org_id, C.id == field_id).values(**values))

    def delete(self, field_id: str) -> None:
        self.conn.execute(delete(t.custom_field_definitions).where(
            C.org_id == self.org_id, C.id == field_id))

    def _holders(self, entity: FieldEntity, field_id: str
                 ) -> builtins.list[tuple[str, builtins.list[dict[str, Any]]]]:
        """The records of `entity` with a value of this field (the JSON text is searched for
        the id, then each candidate's list is checked)."""
        table = HOLDERS[entity]
        rows = self.conn.execute(select(table.c.id, table.c.custom_fields).where(
            table.c.org_id == self.org_id,
            cast(table.c.custom_fields, Text).like(f"%{_escaped(field_id)}%", escape="\\")))
        return [(row.id, list(row.custom_fields)) for row in rows
                if any(item.get("custom_field_id") == field_id
                       for item in row.custom_fields or ())]

    def count_values(self, entity: FieldEntity, field_id: str) -> int:
        return len(self._holders(entity, field_id))

    def relabel(self, entity: FieldEntity, field_id: str, label: str) -> None:
        """The stored label of every value of this field becomes `label` (after a rename)."""
        table = HOLDERS[entity]
        for record_id, fields in self._holders(entity, field_id):
            renamed = [{**item, "label": label} if item.get("custom_field_id") == field_id
                       else item for item in fields]
            self.conn.execute(update(table).where(table.c.id == record_id)
                              .values(custom_fields=renamed))

    def serial_values(self, serial_id: str) -> builtins.list[dict[str, Any]] | None:
        """A serial's stored custom fields; None when there is no such serial."""
        row = self.conn.execute(select(t.serials.c.custom_fields).where(
            t.serials.c.org_id == self.org_id, t.serials.c.id == serial_id)).first()
        return None if row is None else list(row.custom_fields or [])

    def set_serial_values(self, serial_id: str, stored: builtins.list[dict[str, Any]],
                          now: Any) -> None:
        self.conn.execute(update(t.serials).where(
            t.serials.c.org_id == self.org_id, t.serials.c.id == serial_id)
            .values(custom_fields=stored, updated_at=now))
