"""The pure rules of custom fields: labels compared ignoring case and blanks, values checked
and written canonically by type, a record's fields matched to definitions by id or label."""

from __future__ import annotations

import datetime as dt

import pytest

from lotline.domain.custom_fields import (
    CustomFieldDefinition,
    FieldEntity,
    FieldType,
    fold_label,
    resolve_fields,
    typed_value,
)
from lotline.domain.errors import ValidationError
from lotline.domain.lots import parse_custom_fields
from lotline.domain.model import CustomField

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def definition(field_id: str, label: str, kind: FieldType = FieldType.TEXT,
               entity: FieldEntity = FieldEntity.BATCH,
               active: bool = True) -> CustomFieldDefinition:
    return CustomFieldDefinition(field_id, label, entity, kind, active, NOW, NOW)


def test_labels_fold_case_and_blanks() -> None:
    assert fold_label("  Lot   Code ") == fold_label("lot code") == "lot code"


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    (FieldType.NUMBER, "12.50", "12.5"), (FieldType.NUMBER, "-3", "-3"),
    (FieldType.NUMBER, "1E+2", "100"), (FieldType.DATE, " 2026-02-03 ", "2026-02-03"),
    (FieldType.TEXT, "  LC-1 ", "LC-1"), (FieldType.DATE, "", ""), (FieldType.NUMBER, " ", ""),
])
def test_values_are_written_canonically_by_type(kind: FieldType, raw: str,
                                                stored: str) -> None:
    assert typed_value(kind, raw, "v") == stored


@pytest.mark.parametrize(("kind", "raw", "message"), [
    (FieldType.NUMBER, "twelve", "must be a number"),
    (FieldType.DATE, "03/02/2026", "must be a date YYYY-MM-DD"),
    (FieldType.TEXT, "x" * 2001, "is longer than 2000 characters (2001)"),
])
def test_bad_values_name_their_field(kind: FieldType, raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        typed_value(kind, raw, "custom_fields.0.value")
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("custom_fields.0.value", message)]


def test_fields_match_by_id_or_label_and_keep_an_inactive_value() -> None:
    code, old = definition("id-1", "Lot Code"), definition("id-2", "Old", active=False)
    items = parse_custom_fields([{"custom_field_id": "id-1", "label": "stale", "value": "A"},
                                 {"label": "old", "value": 7}])
    assert resolve_fields(items, [code, old], FieldEntity.BATCH,
                          current=[CustomField("Old", "7", "id-2")]) == [
        CustomField("Lot Code", "A", "id-1"), CustomField("Old", "7", "id-2")]
    with pytest.raises(ValidationError) as caught:
        resolve_fields(items, [code, old], FieldEntity.BATCH)
    assert [e.field for e in caught.value.errors] == ["custom_fields.1"]


def test_parse_takes_json_scalars_and_refuses_objects() -> None:
    assert parse_custom_fields([{"label": "A", "value": True}, {"label": "B", "value": 1.5},
                                {"custom_field_id": "x", "value": None}]) == [
        CustomField("A", "true"), CustomField("B", "1.5"), CustomField("", "", "x")]
    with pytest.raises(ValidationError) as caught:
        parse_custom_fields([{"label": "A", "value": {"nested": 1}}, {"value": "no name"}])
    assert [e.field for e in caught.value.errors] == ["custom_fields.0.value",
                                                      "custom_fields.1"]
