"""The canonical form and hash of a ledger row (DESIGN §5).

The hash is SHA-256 over JSON with sorted keys, Decimals as normalised strings and timestamps as
UTC ISO 8601 with microseconds, so it comes out identical whichever database stored the row."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from lotline.domain.model import Movement
from lotline.domain.values import decimal_text

HASH_VERSION = 1
GENESIS_HASH = "0" * 64

# Fields of `Movement` that the hash covers (everything but the hash itself).
HASHED_FIELDS: tuple[str, ...] = (
    "id", "org_id", "stream_id", "seq", "occurred_at", "recorded_at", "actor", "kind",
    "product_id", "batch_id", "serial_id", "quantity", "from_location_id", "to_location_id",
    "from_status", "to_status", "order_id", "receipt_id", "transformation_id", "reverses_id",
    "unit_cost", "reason", "prev_hash",
)


def utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is dt.UTC and moment.year >= 1000:  # the same text, made faster
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_AS_IS = frozenset({str, int, bool, type(None)})


def _canonical_value(value: Any) -> Any:
    kind = value.__class__  # exact types first: every movement hashes some twenty values
    if kind in _AS_IS:
        return value
    if kind is Decimal:
        return decimal_text(value)
    if kind is dt.datetime:
        return utc_text(value)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return str(value.value)
    raise TypeError(f"no canonical form for {type(value).__name__}")


def canonical_fields(values: dict[str, Any], serial_numbers: Iterable[str] = ()) -> bytes:
    document = {name: _canonical_value(values[name]) for name in HASHED_FIELDS}
    document["hash_version"] = HASH_VERSION
    numbers = sorted(serial_numbers)
    if numbers:
        document["serial_numbers"] = numbers
    return _CANONICAL_ENCODER.encode(document).encode("utf-8")


# What json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) writes,
# with the encoder made once instead of on every movement.
_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def movement_hash(values: dict[str, Any], serial_numbers: Iterable[str] = ()) -> str:
    return hashlib.sha256(canonical_fields(values, serial_numbers)).hexdigest()


def recompute_hash(movement: Movement) -> str:
    values = {name: getattr(movement, name) for name in HASHED_FIELDS}
    return movement_hash(values, movement.serial_numbers)
