"""An event's data is encoded to JSON once (event_document) and stored as that text: the text
must be what the outbox stored when it took the data's JSON values and let the JSON column
encode them (json.dumps of json.loads of the same encoding), for every kind of value events
carry."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from lotline.domain.events import _plain, event_document
from lotline.domain.statuses import SerialStatus


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    lots: tuple[str, ...]


DATA: list[Any] = [
    {"order_id": "o1", "status": "shipped", "lines": [
        {"quantity": Decimal("12.50"), "picked": Decimal("0"), "allocations": [],
         "product": {"id": "p", "sku": "SKU-1", "gtin": None}}], "carrier": None},
    {"at": dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     "day": dt.date(2026, 3, 1), "status": SerialStatus.IN_STOCK, "numbers": ("a", "b"),
     "seen": frozenset({"x"}), "line": Line(Decimal("1E+2"), ("L1",)), "rate": 0.1,
     "count": 3, "flag": True, "name": "Müller “quoted” \\ back\nslash", 1: "an int key"},
    [],
    {},
]


@pytest.mark.parametrize("data", DATA)
def test_the_stored_text_is_what_the_json_column_stored_before(data: Any) -> None:
    before = json.dumps(json.loads(json.dumps(data, default=_plain)))
    assert event_document(data) == before
    assert json.loads(event_document(data)) == json.loads(before)
