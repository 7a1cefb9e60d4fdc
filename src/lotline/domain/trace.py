"""Trace results: where a unit or lot came from (backward) and where it went (forward)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class ReceiptRef:
    receipt_id: str | None
    reference: str | None
    received_at: dt.datetime
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class TransformationRef:
    id: str
    reference: str
    kind: str
    occurred_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LotRef:
    batch_id: str
    batch_number: str
    product_id: str
    product_sku: str
    product_name: str
    supplier_id: str | None
    supplier_name: str | None
    manufacturer_batch_number: str | None
    manufacturing_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class BackwardNode:
    lot: LotRef
    receipts: list[ReceiptRef]
    made_by: list[TransformationRef]
    consumed_serials: list[str]
    inputs: list[BackwardNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class UnitTrace:
    """Backward from one serial: the unit, the units it is installed in, and its lot's tree."""

    serial_id: str
    serial_number: str
    status: str
    product_id: str
    order_id: str | None
    installed_in: list[str]
    components: list[str]
    receipts: list[ReceiptRef]
    made_by: list[TransformationRef]
    lot: BackwardNode | None
    # A unit made without a lot of its own (kitting into a serial-only product): the lots and
    # units its transformations consumed. A unit with a lot has them in `lot` instead.
    inputs: list[BackwardNode] = field(default_factory=list)
    consumed_serials: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    code: str | None
    email: str | None
    phone: str | None
    address: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one order received of one lot."""

    order_id: str | None
    order_reference: str | None
    customer_id: str | None
    customer_name: str | None
    batch_id: str
    quantity: Decimal
    returned_quantity: Decimal
    serial_numbers: list[str]
    first_shipped_at: dt.datetime
    last_shipped_at: dt.datetime
    # The assembled units these left inside (components installed in them); empty when the
    # lot's units shipped as they are.
    inside_assemblies: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ForwardNode:
    lot: LotRef
    deliveries: list[Delivery]
    shipped_quantity: Decimal
    on_hand: Decimal
    used_in: list[TransformationRef]
    outputs: list[ForwardNode] = field(default_factory=list)
