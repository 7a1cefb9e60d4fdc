"""The order flow's faster forms give what the plain forms gave: an order's status copy, an
order line's totals summed in one pass, the JSON of events and of ledger hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

from lotline.domain.events import _plain, event_document
from lotline.domain.flows import Allocation
from lotline.domain.ledger import HASHED_FIELDS, canonical_fields
from lotline.domain.model import Order, OrderLine
from lotline.service_layer.order_views import _line_view

NOW = dt.datetime(2026, 4, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(seconds=1)


def test_with_status_is_replace_of_status_and_update_time() -> None:
    order = Order(id="o1", reference="SO-1", customer_id="c1", status="open",
                  lines=[OrderLine(id="l1", line_no=1, product_id="p1", quantity=Decimal(2),
                                   unit_price=Decimal("1.5"))], created_at=NOW, updated_at=NOW)
    assert order.with_status("allocated", LATER) == dataclasses.replace(
        order, status="allocated", updated_at=LATER)


def allocation(n: int, status: str, quantity: str, picked: str, returned: str) -> Allocation:
    return Allocation(id=f"a{n}", order_line_id="l1", product_id="p1", batch_id=f"b{n % 2}",
                      serial_id=None, serial_number=None, location_id="loc",
                      quantity=Decimal(quantity), picked_quantity=Decimal(picked),
                      returned_quantity=Decimal(returned), unit_cost=Decimal("2.50"),
                      status=status, shipment_id=None)


def test_line_view_totals_by_status() -> None:
    allocations = [allocation(1, "allocated", "1.5", "0.5", "0"),
                   allocation(2, "picked", "2", "2", "0"),
                   allocation(3, "shipped", "3.25", "3.25", "1"),
                   allocation(4, "released", "7", "0", "0.5")]
    view = _line_view(line_id="l1", line_no=1, product_id="p1", quantity=Decimal(10),
                      unit_price=None, allocations=allocations)
    assert (view.allocated_quantity, view.picked_quantity, view.shipped_quantity,
            view.returned_quantity, view.backordered_quantity) == (
        Decimal("6.75"), Decimal("2.5"), Decimal("3.25"), Decimal("1.5"), Decimal("3.25"))
    empty = _line_view(line_id="l1", line_no=1, product_id="p1", quantity=Decimal(4),
                       unit_price=None, allocations=[])
    assert [str(v) for v in (empty.allocated_quantity, empty.picked_quantity,
                             empty.shipped_quantity, empty.returned_quantity,
                             empty.backordered_quantity)] == ["0", "0", "0", "0", "4"]


def test_event_document_is_json_dumps_with_plain() -> None:
    data = {"quantity": Decimal("1.50"), "at": NOW, "day": NOW.date(), "tags": {"x"},
            "name": "Café ✓", "nested": [{"n": 1, "none": None}]}
    assert event_document(data) == json.dumps(data, default=_plain)


def test_canonical_fields_are_sorted_compact_unescaped_json() -> None:
    values: dict[str, object] = dict.fromkeys(HASHED_FIELDS)
    values.update(id="m1", seq=3, occurred_at=NOW, actor="José", quantity=Decimal("2.50"))
    document = json.loads(canonical_fields(values, ["S2", "S1"]))
    assert canonical_fields(values, ["S2", "S1"]) == json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert "José" in canonical_fields(values).decode("utf-8")
