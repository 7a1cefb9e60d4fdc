"""The pure side of the audit log: which fields changed, how they read, and the filters."""

from __future__ import annotations

import datetime as dt

import pytest

from lotline.domain.audit import (
    FieldChange,
    changed_fields,
    field_changes,
    parse_audit_filter,
    parse_moment,
)
from lotline.domain.errors import ValidationError


def test_changed_fields_keep_only_what_moved() -> None:
    before = {"name": "A", "sku": "S", "updated_at": "t1",
              "address": {"city": "Lisbon", "street": "R1"}}
    after = {"name": "B", "sku": "S", "updated_at": "t2",
             "address": {"city": "Porto", "street": "R1"}, "code": "C"}
    assert changed_fields(before, after) == (
        {"name": "A", "address.city": "Lisbon", "code": None},
        {"name": "B", "address.city": "Porto", "code": "C"})
    assert changed_fields(before, before) == ({}, {})


def test_field_changes_read_in_words() -> None:
    assert field_changes({"hold": None, "active": True},
                         {"hold": {"reason": "qa", "since": "2026-03-01T10:00:00.25+00:00"},
                          "active": False}) == [
        FieldChange("active", "yes", "no"), FieldChange("hold.reason", None, "qa"),
        FieldChange("hold.since", None, "2026-03-01 10:00:00 UTC")]
    assert field_changes({"tags": ["a"]}, {"tags": ["a", "b"]}) == [
        FieldChange("tags", '["a"]', '["a", "b"]')]
    created = field_changes(None, {"id": "x", "product_id": "p", "batch_number": "L-1",
                                   "expiry_date": None, "custom_fields": [],
                                   "created_at": "t"})
    assert created == [FieldChange("batch_number", None, "L-1")]


def test_moments_and_filters() -> None:
    assert parse_moment("2026-03-01", "since") == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert parse_moment("2026-03-01T12:00:00+02:00", "since") == dt.datetime(
        2026, 3, 1, 10, tzinfo=dt.UTC)
    assert parse_moment("2026-03-01T12:00:00", "since") == dt.datetime(
        2026, 3, 1, 12, tzinfo=dt.UTC)
    assert parse_moment("2026-03-01T12:00:00z", "since") == dt.datetime(
        2026, 3, 1, 12, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as caught:
        parse_audit_filter(entity="nope", action="x" * 41, until="")
    assert [e.field for e in caught.value.errors] == ["entity", "action", "until"]
    assert parse_audit_filter(entity=" batch ", actor="ana").entity == "batch"
