"""Lots (batches): DESIGN §3's fields, the seeds' input aliases, and seed 004's cost rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from lotline.entrypoints.api.schemas.common import (
    DecimalIn,
    Hold,
    Input,
    LongText,
    Number,
    Output,
)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: Any) -> Any:
    """Calendar dates are `YYYY-MM-DD` strings only (no timestamps, no Unix times)."""
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        return value.strip()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("must be a date YYYY-MM-DD")


DateIn = Annotated[dt.date, BeforeValidator(_date_text),
                   Field(description="a calendar date YYYY-MM-DD")]
Quantity = Annotated[DecimalIn, Field(ge=0)]
Money = Annotated[DecimalIn, Field(ge=0)]
Id = Annotated[str, Field(max_length=100)]
BatchNumber = Annotated[str, Field(min_length=1, max_length=100)]
OptionalNumber = Annotated[str, Field(max_length=100)]
StatusText = Annotated[str, Field(max_length=20, description="active or inactive")]


class CustomFieldIn(Input):
    """A value of a custom field definition (/custom-fields), named by id or by label."""

    custom_field_id: Annotated[str | None, Field(max_length=100, description="the "
                                                 "definition's id (else give its label)")] = None
    label: Annotated[str, Field(min_length=1, max_length=200,
                                description="the definition's label, when no id is "
                                            "given")] | None = None
    value: LongText | None = None


class _BatchFields(Input):
    """Fields create and update share; the seed aliases are listed with what they mean."""

    manufacturer_batch_number: OptionalNumber | None = None
    internal_batch_number: OptionalNumber | None = None
    external_batch_number: OptionalNumber | None = None
    supplier_id: Id | None = None
    manufacturing_date: DateIn | None = None
    manufactured_date: Annotated[DateIn | None, Field(description="alias of "
                                                      "manufacturing_date")] = None
    manufacturer_date: Annotated[DateIn | None, Field(description="legacy alias of "
                                                      "manufacturing_date")] = None
    expiry_date: DateIn | None = None
    expiration_date: Annotated[DateIn | None, Field(description="alias of expiry_date")] = None
    quantity: Quantity | None = None
    initial_quantity: Annotated[Quantity | None, Field(description="alias of quantity")] = None
    in_quantity: Annotated[Quantity | None, Field(description="alias of quantity")] = None
    unit_cost: Money | None = None
    purchase_date: DateIn | None = None
    sales_rate: Money | None = None
    label_rate: Money | None = None
    custom_fields: Annotated[list[CustomFieldIn], Field(max_length=100)] | None = None
    batch_custom_fields: Annotated[list[CustomFieldIn] | None,
                                   Field(max_length=100,
                                         description="alias of custom_fields")] = None
    status: StatusText | None = None


class BatchIn(_BatchFields):
    product_id: Id | None = None
    item_id: Annotated[Id | None, Field(description="alias of product_id")] = None
    batch_number: BatchNumber
    location_id: Annotated[Id | None, Field(description="where an untracked or lot-tracked "
                                            "lot's quantity is received (default STOCK)")] = None


class BatchPatch(_BatchFields):
    batch_number: BatchNumber | None = None
    reason: Annotated[LongText | None, Field(description=(
        "why; required when expiry_date or unit_cost changes (kept in the audit log)"))] = None


class ReleaseIn(Input):
    reason: LongText | None = None


class CustomField(Output):
    label: str
    value: str
    custom_field_id: str | None


class LocationBalance(Output):
    location_id: str
    in_quantity: Number
    balance_quantity: Number


class Batch(Output):
    id: str
    product_id: str
    batch_number: str
    manufacturer_batch_number: str | None
    internal_batch_number: str | None
    external_batch_number: str | None
    supplier_id: str | None
    manufacturing_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Number
    balance_quantity: Number
    available_quantity: Number
    unit_cost: Number | None
    purchase_date: dt.date
    entry_transaction_ref: str | None
    location_id: str | None
    received_at: dt.datetime
    associated_locations: list[LocationBalance]
    status: str
    hold: Hold | None
    sales_rate: Number | None
    label_rate: Number | None
    custom_fields: list[CustomField]
    created_at: dt.datetime
    updated_at: dt.datetime
    is_expired: bool


class Batches(Output):
    items: list[Batch]


class BatchCostRow(Output):
    """Seed 004: `available_quantity` is what remains on hand; `purchase_date` is the receipt
    time and `expiration_date` the expiry date at 00:00 UTC, both ISO 8601 timestamps."""

    id: str
    product_id: str
    initial_quantity: Number
    available_quantity: Number
    unit_cost: Number | None
    purchase_date: dt.datetime
    expiration_date: dt.datetime | None
    supplier_id: str | None
    entry_transaction_ref: str | None

