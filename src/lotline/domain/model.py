"""Entities as the library returns them: frozen dataclasses with DESIGN's field names.

Ids are UUID strings. Quantities and money are `Decimal`; dates are `datetime.date`;
timestamps are timezone-aware UTC `datetime`s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from lotline.domain.statuses import (
    HoldKind,
    LocationKind,
    LotStatus,
    MovementKind,
    RemovalStrategy,
    SerialScope,
    SerialStatus,
    Tracking,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class OrgSettings:
    serial_scope: SerialScope = SerialScope.ORGANIZATION
    timezone: str = "UTC"
    digital_link_domain: str = "https://id.gs1.org"
    # What a product created without them gets (DESIGN §3's FEFO defaults).
    default_removal_strategy: RemovalStrategy = RemovalStrategy.FEFO
    default_expiry_alert_days: int = 30


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    slug: str
    settings: OrgSettings
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    region: str | None = None  # state or province (FSMA 204 location descriptions)


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str
    kind: HoldKind
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    sku: str
    name: str
    gtin: str | None
    uom: str
    tracking: Tracking
    removal_strategy: RemovalStrategy
    shelf_life_days: int | None
    expiry_alert_days: int
    serial_pattern: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    custom_fields: list[CustomField] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Supplier:
    id: str
    name: str
    code: str | None
    email: str | None
    phone: str | None
    address: Address
    created_at: dt.datetime
    updated_at: dt.datetime
    gln: str | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    code: str | None
    email: str | None
    phone: str | None
    address: Address
    min_remaining_shelf_life_days: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    gln: str | None = None


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    code: str
    name: str
    is_default: bool
    created_at: dt.datetime
    phone: str | None = None
    address: Address = Address()
    gln: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    warehouse_id: str
    code: str
    kind: LocationKind
    hold: Hold | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LocationBalance:
    location_id: str
    in_quantity: Decimal
    balance_quantity: Decimal


@dataclass(frozen=True, slots=True)
class CustomField:
    label: str
    value: str
    custom_field_id: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    id: str
    product_id: str
    batch_number: str
    manufacturer_batch_number: str | None
    internal_batch_number: str | None
    external_batch_number: str | None
    supplier_id: str | None
    manufacturing_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Decimal
    balance_quantity: Decimal
    available_quantity: Decimal
    unit_cost: Decimal | None
    purchase_date: dt.date
    entry_transaction_ref: str | None
    location_id: str | None
    received_at: dt.datetime
    associated_locations: list[LocationBalance]
    status: LotStatus
    hold: Hold | None
    sales_rate: Decimal | None
    label_rate: Decimal | None
    custom_fields: list[CustomField]
    created_at: dt.datetime
    updated_at: dt.datetime
    is_expired: bool


@dataclass(frozen=True, slots=True)
class Serial:
    id: str
    serial_number: str
    product_id: str
    batch_id: str | None
    status: SerialStatus
    order_id: str | None
    location_id: str | None
    warehouse_id: str | None
    purchase_date: dt.date | None
    warranty_expiry: dt.date | None
    unit_cost: Decimal | None
    hold: Hold | None
    parent_serial_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # The customer the unit is reserved for (ALLOCATED without an order: "reserved for
    # <customer>", seed 001) or the customer of its order or sale.
    customer_id: str | None = None

    @property
    def reserved_for(self) -> str | None:
        """The customer holding the unit without an order, None for any other unit."""
        if self.status is SerialStatus.ALLOCATED and self.order_id is None:
            return self.customer_id
        return None


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: str
    line_no: int
    product_id: str
    quantity: Decimal
    unit_price: Decimal | None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    reference: str
    customer_id: str
    status: str
    lines: list[OrderLine]
    created_at: dt.datetime
    updated_at: dt.datetime

    def with_status(self, status: str, updated_at: dt.datetime) -> Order:
        """The order with a new status: built directly, as dataclasses.replace (which goes
        through every field by name) costs several times more on each order's every step."""
        return Order(self.id, self.reference, self.customer_id, status, self.lines,
                     self.created_at, updated_at)


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger row. `serial_numbers` is filled only for a bulk movement covering many serials
    (its hash covers them); `stream_id`/`seq` place it in its lot's (or product's) hash chain."""

    id: str
    org_id: str
    stream_id: str
    seq: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    actor: str
    kind: MovementKind
    product_id: str
    batch_id: str | None
    serial_id: str | None
    quantity: Decimal
    from_location_id: str | None
    to_location_id: str | None
    from_status: SerialStatus | None
    to_status: SerialStatus | None
    order_id: str | None
    receipt_id: str | None
    transformation_id: str | None
    reverses_id: str | None
    unit_cost: Decimal | None
    reason: str | None
    prev_hash: str
    hash: str
    serial_numbers: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    occurred_at: dt.datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None = None
