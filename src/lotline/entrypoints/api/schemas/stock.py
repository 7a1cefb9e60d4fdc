"""Stock control: transfers, adjustments, cycle counts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import Id
from lotline.entrypoints.api.schemas.common import (
    DecimalIn,
    Input,
    LongText,
    Number,
    Output,
    SerialNumberItem,
)

SerialNumbers = Annotated[list[SerialNumberItem],
                          Field(min_length=1, max_length=100_000)]


class TransferIn(Input):
    """Whole serials (`serial_numbers`) or a quantity of one lot (`batch_id`) or of a product
    (`product_id`: lots are taken in the product's strategy order)."""

    from_location_id: Id
    to_location_id: Id
    batch_id: Id | None = None
    product_id: Id | None = None
    quantity: Annotated[DecimalIn | None, Field(gt=0)] = None
    serial_numbers: SerialNumbers | None = None
    reason: LongText | None = None


class Transfer(Output):
    from_location_id: str
    to_location_id: str
    batch_id: str | None
    product_id: str | None
    quantity: Annotated[Number, Field(description="units moved")]
    serial_numbers: list[str]
    reason: str | None


class AdjustmentIn(Input):
    batch_id: Id | None = None
    product_id: Id | None = None
    location_id: Annotated[Id | None, Field(description="default: the STOCK location")] = None
    quantity_delta: Annotated[DecimalIn, Field(description="positive adds, negative removes; "
                                               "never 0")]
    reason: Annotated[str, Field(min_length=1, max_length=2000, description="count_correction, "
                                 "damage, expiry_write_off, found, other, or free text")]


class Adjustment(Output):
    batch_id: str | None
    product_id: str | None
    location_id: str | None
    quantity_delta: Number
    reason: str


class CountIn(Input):
    batch_id: Id
    quantity: Annotated[DecimalIn, Field(ge=0)]


class CycleCountIn(Input):
    location_id: Id
    counts: Annotated[list[CountIn] | None, Field(max_length=10_000, description="what was "
                                                  "counted of each lot (not serial-tracked)")] \
        = None
    serial_numbers: Annotated[list[SerialNumberItem] | None,
                              Field(max_length=100_000, description="every serial found at "
                                    "the location")] = None


class LotDifference(Output):
    batch_id: str
    expected: Number
    counted: Number
    adjusted_by: Number


class CycleCount(Output):
    location_id: str
    lots: list[LotDifference]
    missing_serials: list[str]
    moved_here_serials: list[str]
    unknown_serials: list[str]
