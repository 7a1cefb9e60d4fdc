"""Customer orders and their lines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import Id, Money
from lotline.entrypoints.api.schemas.common import DecimalIn, Input, Number, Output

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
