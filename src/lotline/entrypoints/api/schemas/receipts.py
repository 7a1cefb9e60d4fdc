"""Receipts (ASNs): expected lines, receiving lots and serials against them, putaway."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import BatchNumber, DateIn, Id, Money, OptionalNumber
from lotline.entrypoints.api.schemas.common import (
    DecimalIn,
    Input,
    LongText,
    Number,
    Output,
    SerialNumberItem,
)

MAX_SERIALS = 100_000

Reference = Annotated[str, Field(min_length=1, max_length=100,
                                 description="the business's own receipt (ASN) number")]
SerialNumbers = Annotated[list[SerialNumberItem],
                          Field(max_length=MAX_SERIALS, description="exact serial numbers; "
                                "leading and trailing whitespace is stripped")]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class ExpectedLotIn(Input):
    batch_number: BatchNumber
    expiry_date: DateIn | None = None
    quantity: Annotated[DecimalIn | None, Field(gt=0)] = None


class ExpectedLot(Output):
    batch_number: str
    expiry_date: dt.date | None
    quantity: Number | None


class ReceiptLineIn(Input):
    product_id: Id
    expected_quantity: Annotated[DecimalIn, Field(gt=0)]
    unit_cost: Money | None = None
    expected_serials: Annotated[SerialNumbers | None, Field(
        description="announced serials, registered as EXPECTED")] = None
    expected_lots: Annotated[list[ExpectedLotIn] | None, Field(
        max_length=1000, description="announced lots of a lot-tracked product")] = None


class ReceiptIn(Input):
    reference: Reference
    supplier_id: Id
    warehouse_id: Annotated[Id | None, Field(description="default: the default "
                                             "warehouse")] = None
    lines: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=1000)]


class LotEntryIn(Input):
    """One lot of a receipt line. An untracked product gives one entry with only `quantity`;
    a serial-tracked one lists its serials (quantity defaults to their count)."""

    batch_number: BatchNumber | None = None
    manufacturer_batch_number: OptionalNumber | None = None
    manufacturing_date: DateIn | None = None
    manufactured_date: Annotated[DateIn | None, Field(description="alias of "
                                                      "manufacturing_date")] = None
    expiry_date: DateIn | None = None
    expiration_date: Annotated[DateIn | None, Field(description="alias of "
                                                    "expiry_date")] = None
    quantity: Annotated[DecimalIn | None, Field(gt=0, description="units received into "
                                                "this lot")] = None
    serial_numbers: SerialNumbers | None = None


class ReceiveLineIn(Input):
    line_id: Id
    lots: Annotated[list[LotEntryIn], Field(min_length=1, max_length=1000)]
    reason: Annotated[LongText | None, Field(
        description="required when the lots do not add up to the expected quantity (a short "
                    "or over receipt)")] = None


class ReceiveIn(Input):
    lines: Annotated[list[ReceiveLineIn], Field(min_length=1, max_length=1000)]


class PutawayIn(Input):
    location_id: Annotated[Id | None, Field(description="default: the warehouse's STOCK "
                                            "location")] = None


class ReasonIn(Input):
    reason: Reason


class ReceiptLine(Output):
    id: str
    line_no: int
    product_id: str
    expected_quantity: Number
    received_quantity: Number
    unit_cost: Number | None
    expected_serials: list[str]
    reason: str | None
    expected_lots: list[ExpectedLot]


class Receipt(Output):
    id: str
    reference: str
    supplier_id: str
    warehouse_id: str
    status: Annotated[str, Field(description="open, partially_received, received or "
                                 "cancelled")]
    lines: list[ReceiptLine]
    created_at: dt.datetime
    updated_at: dt.datetime
