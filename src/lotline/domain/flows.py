"""Receipts, allocations and shipments as the library returns them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.domain.model import Customer, Order, Product


@dataclass(frozen=True, slots=True)
class ExpectedLot:
    """A lot the supplier announced on a receipt line (its number as printed, and what the
    ASN says of its expiry and quantity, when it says)."""

    batch_number: str
    expiry_date: dt.date | None = None
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    id: str
    line_no: int
    product_id: str
    expected_quantity: Decimal
    received_quantity: Decimal
    unit_cost: Decimal | None
    expected_serials: list[str]
    reason: str | None
    expected_lots: list[ExpectedLot] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Receipt:
    id: str
    reference: str
    supplier_id: str
    warehouse_id: str
    status: str  # open, partially_received, received, cancelled
    lines: list[ReceiptLine]
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Allocation:
    id: str
    order_line_id: str
    product_id: str
    batch_id: str | None
    serial_id: str | None
    serial_number: str | None
    location_id: str | None
    quantity: Decimal
    picked_quantity: Decimal
    returned_quantity: Decimal
    unit_cost: Decimal | None
    status: str  # allocated, picked, shipped, released
    shipment_id: str | None


@dataclass(frozen=True, slots=True)
class LineAllocation:
    """One lot's share of an order line, as DESIGN §6 shows it."""

    batch_id: str | None
    quantity: Decimal
    unit_cost: Decimal | None
    serial_numbers: list[str]


@dataclass(frozen=True, slots=True)
class OrderLineView:
    id: str
    line_no: int
    product_id: str
    quantity: Decimal
    unit_price: Decimal | None
    allocated_quantity: Decimal
    picked_quantity: Decimal
    shipped_quantity: Decimal
    returned_quantity: Decimal
    backordered_quantity: Decimal
    allocations: list[LineAllocation]


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    reference: str
    customer_id: str
    status: str  # open, allocated, partially_shipped, shipped, cancelled
    lines: list[OrderLineView]
    cost_of_goods: Decimal | None
    shipments: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PickItem:
    location_id: str | None
    location_code: str | None
    product_id: str
    batch_id: str | None
    batch_number: str | None
    expiry_date: dt.date | None
    quantity: Decimal
    serial_numbers: list[str]


@dataclass(frozen=True, slots=True)
class Shipment:
    id: str
    order_id: str
    shipped_at: dt.datetime
    carrier: str | None
    tracking_number: str | None
    ship_to: dict[str, Any]
    cost_of_goods: Decimal
    reversed_at: dt.datetime | None
    lines: list[LineAllocation]


def weighted_cost(held: Decimal, held_cost: Decimal | None, added: Decimal,
                  added_cost: Decimal | None) -> Decimal | None:
    """A lot's unit cost after more units arrive: the weighted average of what it holds."""
    if added_cost is None:
        return held_cost
    if held_cost is None or held <= 0:
        return added_cost
    total = held * held_cost + added * added_cost
    return (total / (held + added)).quantize(Decimal("0.000001"))


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What allocating, picking and shipping start from, read together: the order with its
    lines, its shipments' ids (in id order), its customer and its lines' products by id."""

    order: Order
    shipment_ids: list[str]
    customer: Customer
    products: dict[str, Product]
