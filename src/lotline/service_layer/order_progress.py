"""How far an order has come, decided once for every door: whether it can be shipped now and
how many units are still to pick or already picked."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from lotline.domain.flows import OrderView, PickItem

CLOSED = ("shipped", "cancelled")


def is_shippable(order: OrderView) -> bool:
    """An order still open with some allocated quantity not shipped yet."""
    return order.status not in CLOSED and any(
        line.allocated_quantity > line.shipped_quantity for line in order.lines)


def units_to_pick(pick_list: Iterable[PickItem]) -> Decimal:
    return sum((item.quantity for item in pick_list), Decimal(0))


def units_picked(order: OrderView) -> Decimal:
    return sum((line.picked_quantity for line in order.lines), Decimal(0))
