"""Figures the web doors show, decided in the service layer: whether an order can ship, units
to pick and picked, and the expired stock's quantity and value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.domain.flows import OrderLineView, OrderView, PickItem
from lotline.service_layer.expiry_summary import expired_totals
from lotline.service_layer.order_progress import is_shippable, units_picked, units_to_pick

NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def order(status: str, *lines: tuple[str, str, str]) -> OrderView:
    return OrderView(id="o1", reference="SO-1", customer_id="c1", status=status, lines=[
        OrderLineView(id=f"l{i}", line_no=i, product_id="p", quantity=Decimal(10),
                      unit_price=None, allocated_quantity=Decimal(allocated),
                      picked_quantity=Decimal(picked), shipped_quantity=Decimal(shipped),
                      returned_quantity=Decimal(0), backordered_quantity=Decimal(0),
                      allocations=[])
        for i, (allocated, picked, shipped) in enumerate(lines, 1)],
        cost_of_goods=None, shipments=[], created_at=NOW, updated_at=NOW)


@pytest.mark.parametrize(("status", "lines", "shippable"), [
    ("allocated", [("2", "0", "0")], True),
    ("partially_shipped", [("2", "2", "2"), ("3", "1", "1")], True),
    ("partially_shipped", [("2", "2", "2")], False),
    ("open", [("0", "0", "0")], False),
    ("cancelled", [("2", "0", "0")], False),
    ("shipped", [("2", "2", "1")], False),
])
def test_shippable(status: str, lines: list[tuple[str, str, str]], shippable: bool) -> None:
    assert is_shippable(order(status, *lines)) is shippable


def test_units_to_pick_and_picked() -> None:
    items = [PickItem(location_id=None, location_code=None, product_id="p", batch_id=None,
                      batch_number=None, expiry_date=None, quantity=Decimal(q),
                      serial_numbers=[])
             for q in ("2.5", "3")]
    assert units_to_pick(items) == Decimal("5.5")
    assert units_to_pick([]) == Decimal(0)
    assert units_picked(order("allocated", ("4", "1", "0"), ("4", "2.5", "0"))) == Decimal("3.5")


def test_expired_totals() -> None:
    rows = [{"on_hand": "4", "value": Decimal("10.50")}, {"on_hand": Decimal("1.5"),
                                                          "value": None}]
    assert expired_totals(rows) == (Decimal("5.5"), Decimal("10.50"))
    assert expired_totals([]) == (Decimal(0), Decimal(0))
