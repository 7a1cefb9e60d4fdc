"""Customer orders and their lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import Id, Money
from lotline.entrypoints.api.schemas.common import (
    DecimalIn,
    Input,
    LongText,
    Number,
    Output,
    SerialNumberItem,
    SerialNumberText,
    Text,
)

Reference = Annotated[str, Field(min_length=1, max_length=100,
                                 description="the business's own order number")]


class OrderLineIn(Input):
    product_id: Id
    quantity: Annotated[DecimalIn, Field(gt=0)]
    unit_price: Money | None = None


class OrderIn(Input):
    reference: Reference
    customer_id: Id
    lines: Annotated[list[OrderLineIn], Field(min_length=1, max_length=1000)]


class OrderLine(Output):
    id: str
    line_no: int
    product_id: str
    quantity: Number
    unit_price: Number | None


class Order(Output):
    id: str
    reference: str
    customer_id: str
    status: str
    lines: list[OrderLine]
    created_at: dt.datetime
    updated_at: dt.datetime


# --- fulfilment: allocation, picking, shipping, returns ------------------------------------

ScanText = Annotated[str, Field(min_length=1, max_length=500,
                                description="a serial number, a lot number or a GS1 barcode")]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class AllocateLineIn(Input):
    line_id: Id
    batch_id: Annotated[Id | None, Field(description="allocate from this lot only")] = None
    serial_numbers: Annotated[list[SerialNumberItem] | None,
                              Field(max_length=10_000, description="these serials")] = None
    quantity: Annotated[DecimalIn | None, Field(gt=0, description="default: what is still "
                                                "open on the line (or the serials' count)")] \
        = None


class AllocateIn(Input):
    partial: Annotated[bool, Field(description="allocate what can be allocated instead of "
                                   "failing on a shortfall")] = False
    lines: Annotated[list[AllocateLineIn] | None, Field(
        min_length=1, max_length=1000, description="explicit lots or serials per line; "
        "default: every open line by its product's strategy (FEFO)")] = None


class LotScanIn(Input):
    """Picking a quantity of a lot (products not tracked by serial)."""

    batch_id: Id | None = None
    batch_number: Annotated[str | None, Field(max_length=100)] = None
    quantity: Annotated[DecimalIn, Field(gt=0)] = Decimal(1)


class PickIn(Input):
    scans: Annotated[list[ScanText | LotScanIn], Field(min_length=1, max_length=10_000)]


class ShipToIn(Input):
    name: Text | None = None
    street: LongText | None = None
    city: Text | None = None
    postal_code: Annotated[str, Field(max_length=40)] | None = None
    country: Text | None = None


class ShipIn(Input):
    carrier: Text | None = None
    tracking_number: Text | None = None
    ship_to: Annotated[ShipToIn | None, Field(description="default: the customer's "
                                              "address")] = None


class CancelIn(Input):
    reason: LongText | None = None


class ReturnLineIn(Input):
    """`{serial_number}` for a serial, `{batch_id, quantity}` for a lot quantity."""

    serial_number: SerialNumberText | None = None
    batch_id: Id | None = None
    quantity: Annotated[DecimalIn | None, Field(gt=0)] = None


class ReturnsIn(Input):
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=10_000)]
    reason: Reason
    warehouse_id: Annotated[Id | None, Field(description="whose RETURNS location takes the "
                                             "units; default: the default warehouse")] = None


class ReverseIn(Input):
    reason: Reason


class LineAllocation(Output):
    """One lot's share of a line (serials without a lot grouped together)."""

    batch_id: str | None
    quantity: Number
    unit_cost: Number | None
    serial_numbers: list[str]


class OrderLineView(Output):
    id: str
    line_no: int
    product_id: str
    quantity: Number
    unit_price: Number | None
    allocated_quantity: Number
    picked_quantity: Number
    shipped_quantity: Number
    returned_quantity: Number
    backordered_quantity: Number
    allocations: list[LineAllocation]


class OrderView(Output):
    """An order with its lines' allocations; `cost_of_goods` once something shipped (FIFO
    costs of what went out and stayed out)."""

    id: str
    reference: str
    customer_id: str
    status: Annotated[str, Field(description="open, allocated, partially_shipped, shipped or "
                                 "cancelled")]
    lines: list[OrderLineView]
    cost_of_goods: Number | None
    shipments: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class PickItem(Output):
    location_id: str | None
    location_code: str | None
    product_id: str
    batch_id: str | None
    batch_number: str | None
    expiry_date: dt.date | None
    quantity: Number
    serial_numbers: list[str]


class Shipment(Output):
    id: str
    order_id: str
    shipped_at: dt.datetime
    carrier: str | None
    tracking_number: str | None
    ship_to: dict[str, Any]
    cost_of_goods: Number
    reversed_at: dt.datetime | None
    lines: list[LineAllocation]
