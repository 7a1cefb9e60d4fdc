"""Products, suppliers, customers, warehouses and locations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.batches import CustomField, CustomFieldIn
from lotline.entrypoints.api.schemas.common import (
    Address,
    AddressIn,
    GlnIn,
    Hold,
    Input,
    Output,
    Text,
)

Sku = Annotated[str, Field(min_length=1, max_length=100)]
Days = Annotated[int, Field(ge=0, le=100_000)]


class ProductIn(Input):
    sku: Sku
    name: Text
    tracking: Annotated[str, Field(max_length=20, description="none, lot, serial or "
                                   "lot_serial")] = "none"
    gtin: Annotated[str, Field(max_length=14)] | None = None
    uom: Annotated[str, Field(max_length=8, description="UN/ECE Rec 20 code")] = "EA"
    removal_strategy: Annotated[str, Field(
        max_length=8, description="fefo, fifo or lifo; default the setting "
                                  "default_removal_strategy")] | None = None
    shelf_life_days: Annotated[int, Field(ge=1, le=100_000)] | None = None
    expiry_alert_days: Annotated[int, Field(
        ge=0, le=100_000, description="default the setting default_expiry_alert_days")] \
        | None = None
    serial_pattern: Annotated[str, Field(max_length=100)] | None = None
    custom_fields: Annotated[list[CustomFieldIn], Field(max_length=100)] | None = None


class ProductPatch(Input):
    sku: Sku | None = None
    name: Text | None = None
    tracking: Annotated[str, Field(max_length=20)] | None = None
    gtin: Annotated[str, Field(max_length=14)] | None = None
    uom: Annotated[str, Field(max_length=8)] | None = None
    removal_strategy: Annotated[str, Field(max_length=8)] | None = None
    shelf_life_days: Annotated[int, Field(ge=1, le=100_000)] | None = None
    expiry_alert_days: Days | None = None
    serial_pattern: Annotated[str, Field(max_length=100)] | None = None
    custom_fields: Annotated[list[CustomFieldIn], Field(max_length=100)] | None = None


class Product(Output):
    id: str
    sku: str
    name: str
    gtin: str | None
    uom: str
    tracking: str
    removal_strategy: str
    shelf_life_days: int | None
    expiry_alert_days: int
    serial_pattern: str | None
    custom_fields: list[CustomField]
    created_at: dt.datetime
    updated_at: dt.datetime


class PartyIn(Input):
    name: Text
    code: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    gln: GlnIn | None = None
    address: AddressIn | None = None


class PartyPatch(Input):
    name: Text | None = None
    code: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    gln: GlnIn | None = None
    address: AddressIn | None = None


class Supplier(Output):
    id: str
    name: str
    code: str | None
    email: str | None
    phone: str | None
    gln: str | None
    address: Address
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerIn(PartyIn):
    min_remaining_shelf_life_days: Days | None = None


class CustomerPatch(PartyPatch):
    min_remaining_shelf_life_days: Days | None = None


class Customer(Supplier):
    min_remaining_shelf_life_days: int | None


class WarehouseIn(Input):
    code: Annotated[str, Field(min_length=1, max_length=100)]
    name: Text | None = None
    phone: Text | None = None
    gln: GlnIn | None = None
    address: AddressIn | None = None


class WarehousePatch(Input):
    name: Text | None = None
    phone: Text | None = None
    gln: GlnIn | None = None
    address: AddressIn | None = None


class Warehouse(Output):
    id: str
    code: str
    name: str
    is_default: bool
    phone: str | None
    gln: str | None
    address: Address
    created_at: dt.datetime


class LocationIn(Input):
    warehouse_id: Annotated[str, Field(max_length=100)]
    code: Annotated[str, Field(min_length=1, max_length=100)]
    kind: Annotated[str, Field(max_length=20, description="receiving, storage, staging, "
                               "shipping, returns or quarantine")] = "storage"


class LocationPatch(Input):
    code: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    kind: Annotated[str, Field(max_length=20)] | None = None


class Location(Output):
    id: str
    warehouse_id: str
    code: str
    kind: str
    hold: Hold | None
    created_at: dt.datetime
