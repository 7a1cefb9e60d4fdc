"""What a transformation consumed and made (its answer and what reading it back gives)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Consumed:
    product_id: str
    batch_id: str | None
    serial_id: str | None
    quantity: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Made:
    product_id: str
    batch_id: str | None
    serial_ids: list[str]
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Transformation:
    id: str
    reference: str
    kind: str
    inputs: list[Consumed]
    outputs: list[Made]
    occurred_at: dt.datetime
    location_id: str
    notes: str | None
