"""Serials: registration (one or in bulk), the serial view, status changes and history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import DateIn, Id, Money
from lotline.entrypoints.api.schemas.common import (
    Hold,
    Input,
    LongText,
    Number,
    Output,
    SerialNumberItem,
)

MAX_BULK_SERIALS = 100_000
BULK_ITEMS_SHOWN = 100

SerialNumber = Annotated[str, Field(min_length=1, max_length=100,
                                    description="exact; leading and trailing whitespace is "
                                                "stripped")]
StatusIn = Annotated[str, Field(max_length=20, description="a DESIGN §2 status or alias "
                                "(AVAILABLE, IN_INVENTORY, ASSIGNED, RESERVED, SOLD)")]


class _Registration(Input):
    batch_id: Id | None = None
    product_id: Annotated[Id | None, Field(description="for a serial without a lot; "
                                           "batch_id or product_id is required")] = None
    status: Annotated[StatusIn, Field(description="IN_STOCK (default), RECEIVED or "
                                      "EXPECTED")] = "IN_STOCK"
    location_id: Id | None = None
    warehouse_id: Id | None = None
    purchase_date: DateIn | None = None
    warranty_expiry: DateIn | None = None
    unit_cost: Money | None = None


class SerialIn(_Registration):
    serial_number: SerialNumber


class SerialBulkIn(_Registration):
    serial_numbers: Annotated[list[SerialNumberItem],
                              Field(min_length=1, description=f"at most {MAX_BULK_SERIALS:,} "
                                    "numbers per request (more: 413), ranges `A..B` "
                                    "included once expanded (more: 422); all or nothing")]


class StatusChangeIn(Input):
    status: StatusIn
    order_id: Id | None = None
    location_id: Id | None = None
    reason: LongText | None = None
    parent_serial_id: Annotated[Id | None, Field(description="required for INSTALLED")] = None
    customer_id: Annotated[Id | None, Field(
        description="with status ALLOCATED (or RESERVED) and no order_id: reserve the unit "
                    "for this customer; with SHIPPED from IN_STOCK: the buyer")] = None


class ReservedFor(Output):
    customer_id: str
    name: str


class Serial(Output):
    id: str
    serial_number: str
    product_id: str
    batch_id: str | None
    status: str
    order_id: str | None
    location_id: str | None
    warehouse_id: str | None
    purchase_date: dt.date | None
    warranty_expiry: dt.date | None
    unit_cost: Number | None
    hold: Hold | None
    parent_serial_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    customer_id: str | None
    reserved_for: Annotated[ReservedFor | None, Field(
        description="the customer an ALLOCATED unit with no order is set aside for")] = None


class BulkRegistered(Output):
    """A bulk registration's answer: how many were made and the first of them; the rest are
    read with `GET /serials?batch_id=` (or `?product_id=`)."""

    count: int
    items: Annotated[list[Serial], Field(description=f"the first {BULK_ITEMS_SHOWN} serials "
                                                     "in request order")]
    truncated: Annotated[bool, Field(description="true when count exceeds the items shown")]


class Movement(Output):
    id: str
    org_id: str
    stream_id: str
    seq: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor: str
    kind: str
    product_id: str
    batch_id: str | None
    serial_id: str | None
    quantity: Number
    from_location_id: str | None
    to_location_id: str | None
    from_status: str | None
    to_status: str | None
    order_id: str | None
    receipt_id: str | None
    transformation_id: str | None
    reverses_id: str | None
    unit_cost: Number | None
    reason: str | None
    prev_hash: str
    hash: str
    serial_numbers: list[str]
