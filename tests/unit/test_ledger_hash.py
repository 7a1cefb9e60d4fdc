"""The canonical form and hash of a ledger row (DESIGN §5): pinned, and independent of how a
database hands back Decimals and timestamps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest

from lotline.domain.ledger import (
    GENESIS_HASH,
    HASH_VERSION,
    HASHED_FIELDS,
    canonical_fields,
    movement_hash,
    recompute_hash,
    utc_text,
)
from lotline.domain.model import Movement
from lotline.domain.statuses import MovementKind, SerialStatus

FIXED = Movement(
    id="0190f5a0-0000-7000-8000-000000000001",
    org_id="0190f5a0-0000-7000-8000-0000000000aa",
    stream_id="0190f5a0-0000-7000-8000-0000000000bb",
    seq=1,
    occurred_at=dt.datetime(2026, 3, 15, 8, 0, 0, 123456, tzinfo=dt.UTC),
    recorded_at=dt.datetime(2026, 3, 15, 8, 0, 1, tzinfo=dt.UTC),
    actor="library",
    kind=MovementKind.RECEIPT,
    product_id="0190f5a0-0000-7000-8000-0000000000cc",
    batch_id="0190f5a0-0000-7000-8000-0000000000bb",
    serial_id=None,
    quantity=Decimal("3"),
    from_location_id=None,
    to_location_id="0190f5a0-0000-7000-8000-0000000000dd",
    from_status=None,
    to_status=SerialStatus.IN_STOCK,
    order_id=None,
    receipt_id=None,
    transformation_id=None,
    reverses_id=None,
    unit_cost=Decimal("12.5"),
    reason="opening receipt — ünïcode kept",
    prev_hash=GENESIS_HASH,
    hash="",
    serial_numbers=("SN-00045", "SN-00043", "SN-00044"),
)

# Computed once from FIXED and pinned: a change to the canonical form breaks every stored chain.
PINNED_DIGEST = "79866cbc30a61505b5b0f564d16ac5be569411a425b3df73d45c6b846d2ce999"


def test_hashed_fields_cover_every_movement_field_but_the_hash() -> None:
    names = {f.name for f in dataclasses.fields(Movement)}
    assert set(HASHED_FIELDS) == names - {"hash", "serial_numbers"}
    assert HASH_VERSION == 1
    assert GENESIS_HASH == "0" * 64


def test_canonical_document_of_a_fixed_movement() -> None:
    values = {name: getattr(FIXED, name) for name in HASHED_FIELDS}
    document = json.loads(canonical_fields(values, FIXED.serial_numbers))
    assert document["quantity"] == "3"
    assert document["unit_cost"] == "12.5"
    assert document["occurred_at"] == "2026-03-15T08:00:00.123456Z"
    assert document["recorded_at"] == "2026-03-15T08:00:01.000000Z"
    assert document["kind"] == "receipt"
    assert document["to_status"] == "IN_STOCK"
    assert document["from_status"] is None
    assert document["hash_version"] == 1
    assert document["serial_numbers"] == ["SN-00043", "SN-00044", "SN-00045"]
    raw = canonical_fields(values, FIXED.serial_numbers)
    assert list(json.loads(raw)) == sorted(json.loads(raw))  # keys sorted
    assert b" " not in raw.replace(b"opening receipt \xe2\x80\x94 \xc3\xbcn\xc3\xafcode kept",
                                   b"")  # compact separators
    assert "ünïcode".encode() in raw  # UTF-8, not \u escapes


def test_fixed_movement_hashes_to_the_pinned_digest() -> None:
    digest = recompute_hash(FIXED)
    values = {name: getattr(FIXED, name) for name in HASHED_FIELDS}
    assert digest == hashlib.sha256(canonical_fields(values, FIXED.serial_numbers)).hexdigest()
    assert digest == PINNED_DIGEST


def test_serial_number_order_does_not_matter_but_the_set_does() -> None:
    reordered = dataclasses.replace(FIXED, serial_numbers=("SN-00044", "SN-00045", "SN-00043"))
    assert recompute_hash(reordered) == recompute_hash(FIXED)
    fewer = dataclasses.replace(FIXED, serial_numbers=("SN-00043", "SN-00044"))
    assert recompute_hash(fewer) != recompute_hash(FIXED)
    none = dataclasses.replace(FIXED, serial_numbers=())
    assert "serial_numbers" not in json.loads(canonical_fields(
        {name: getattr(none, name) for name in HASHED_FIELDS}))


@pytest.mark.parametrize(("field", "a", "b"), [
    ("unit_cost", Decimal("12.50"), Decimal("12.5")),
    ("unit_cost", Decimal("12.500000"), Decimal("12.5")),
    ("quantity", Decimal("3.000000"), Decimal("3")),
    ("quantity", Decimal("3E+0"), Decimal("3")),
    ("quantity", Decimal("100.0"), Decimal("1E+2")),
])
def test_equal_decimals_hash_the_same(field: str, a: Decimal, b: Decimal) -> None:
    assert recompute_hash(dataclasses.replace(FIXED, **{field: a})) == \
        recompute_hash(dataclasses.replace(FIXED, **{field: b}))


def test_naive_utc_and_aware_timestamps_hash_the_same() -> None:
    aware = FIXED.occurred_at
    naive = aware.replace(tzinfo=None)  # what SQLite hands back before the type adds UTC
    lisbon_summer = aware.astimezone(dt.timezone(dt.timedelta(hours=1)))
    digest = recompute_hash(FIXED)
    assert recompute_hash(dataclasses.replace(FIXED, occurred_at=naive)) == digest
    assert recompute_hash(dataclasses.replace(FIXED, occurred_at=lisbon_summer)) == digest
    assert recompute_hash(dataclasses.replace(
        FIXED, recorded_at=FIXED.recorded_at.replace(tzinfo=None))) == digest


@pytest.mark.parametrize(("field", "value"), [
    ("quantity", Decimal("4")), ("unit_cost", Decimal("12.51")), ("unit_cost", None),
    ("prev_hash", "1" * 64), ("seq", 2), ("actor", "someone"), ("kind", MovementKind.PUTAWAY),
    ("reason", None), ("occurred_at", FIXED.occurred_at + dt.timedelta(microseconds=1)),
    ("to_status", SerialStatus.RECEIVED),
])
def test_every_hashed_field_changes_the_hash(field: str, value: object) -> None:
    assert recompute_hash(dataclasses.replace(FIXED, **{field: value})) != \
        recompute_hash(FIXED)


def test_the_stored_hash_itself_is_not_hashed() -> None:
    assert recompute_hash(dataclasses.replace(FIXED, hash="f" * 64)) == recompute_hash(FIXED)


def test_enum_values_and_plain_strings_hash_the_same() -> None:
    values = {name: getattr(FIXED, name) for name in HASHED_FIELDS}
    as_text = {**values, "kind": "receipt", "to_status": "IN_STOCK"}
    assert movement_hash(as_text, FIXED.serial_numbers) == recompute_hash(FIXED)


def test_unknown_value_types_are_refused() -> None:
    values = {name: getattr(FIXED, name) for name in HASHED_FIELDS}
    with pytest.raises(TypeError):
        movement_hash({**values, "quantity": 3.5})


@pytest.mark.parametrize("moment", [
    dt.datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, 12, 30, 5, tzinfo=dt.UTC),
    dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    dt.datetime(2026, 3, 1, 12, 30),
])
def test_utc_text_is_the_canonical_strftime_form(moment: dt.datetime) -> None:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    assert utc_text(moment) == aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
