"""The change feed's vocabulary (DESIGN §9): event types `noun.verb` and one event as read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

EVENT_TYPES: tuple[str, ...] = (
    "serial.registered", "serial.status_changed", "batch.created", "batch.updated",
    "batch.hold_changed", "receipt.created", "receipt.received", "order.created",
    "order.allocated", "order.picked", "order.shipped", "order.returned", "stock.adjusted",
    "stock.transferred", "stock.counted", "transformation.recorded", "recall.opened",
    "recall.updated", "recall.closed",
)

# A bulk registration is one event; it lists its serial numbers up to this many, and past it
# names the count and the link to page them (`/api/v1/serials?batch_id=…` or the product's).
EVENT_SERIALS_LIMIT = 1000
FEED_LIMIT_MAX = 1000


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    type: str
    occurred_at: dt.datetime
    organization_id: str
    actor: str
    data: dict[str, Any]

    @property
    def cursor(self) -> str:
        return str(self.id)

    def as_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type,
                "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
                "organization_id": self.organization_id, "actor": self.actor,
                "data": self.data}


@dataclass(frozen=True, slots=True)
class EventPage:
    items: list[Event]
    next_cursor: str | None


def event_document(value: Any) -> str:
    """An event's data as the outbox stores it, JSON text: decimals as text (exact), dates
    ISO, enums by value. Encoded once, by the standard library's C encoder (every event of
    every use case passes here: a walk in Python cost as much as the event's insert);
    `_plain` is asked only for what JSON has no form of."""
    return _EVENT_ENCODER.encode(value)


def _plain(value: Any) -> Any:
    if value.__class__ is Decimal:  # the most common by far: amounts, as their exact text
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, str):
        return enum_value
    return str(value)  # Decimal and the like: their exact text


# json.dumps(value, default=_plain) with its encoder made once (dumps builds one per call).
_EVENT_ENCODER = json.JSONEncoder(default=_plain)
