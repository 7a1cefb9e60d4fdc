"""Lots (batches): their stored state, the input rules of DESIGN §3, and the view the doors show
(balance, available quantity and expiry computed for a given day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lotline.domain.allocation import block_reason, is_expired
from lotline.domain.errors import ValidationError
from lotline.domain.model import Batch, CustomField, Hold, LocationBalance
from lotline.domain.statuses import LocationKind, LotStatus, parse_enum
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_number,
    clean_text,
    optional_date,
    optional_decimal,
    to_decimal,
)

BATCH_ALIASES = {
    "item_id": "product_id",
    "manufactured_date": "manufacturing_date",
    "manufacturer_date": "manufacturing_date",
    "batch_custom_fields": "custom_fields",
    "expiration_date": "expiry_date",
    "initial_quantity": "quantity",
    "in_quantity": "quantity",
}
BATCH_FIELDS = (
    "product_id", "batch_number", "supplier_id", "manufacturer_batch_number",
    "internal_batch_number", "external_batch_number", "manufacturing_date", "expiry_date",
    "quantity", "unit_cost", "purchase_date", "sales_rate", "label_rate", "custom_fields",
    "location_id", "status",
)
UPDATABLE_BATCH_FIELDS = tuple(f for f in BATCH_FIELDS if f not in ("product_id", "location_id"))
NUMBER_FIELDS = ("batch_number", "manufacturer_batch_number", "internal_batch_number",
                 "external_batch_number")
DATE_FIELDS = ("manufacturing_date", "expiry_date", "purchase_date")
MONEY_FIELDS = ("unit_cost", "sales_rate", "label_rate")


@dataclass(frozen=True, slots=True)
class LotRecord:
    """A lot as stored, before anything is computed for a particular day."""

    id: str
    product_id: str
    supplier_id: str | None
    batch_number: str
    manufacturer_batch_number: str | None
    internal_batch_number: str | None
    external_batch_number: str | None
    manufacturing_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Decimal
    unit_cost: Decimal | None
    purchase_date: dt.date
    received_at: dt.datetime
    entry_transaction_ref: str | None
    location_id: str | None
    status: LotStatus
    hold: Hold | None
    sales_rate: Decimal | None
    label_rate: Decimal | None
    custom_fields: list[CustomField]
    serial_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class BalanceRow:
    location_id: str
    kind: LocationKind
    location_held: bool
    in_quantity: Decimal
    balance_quantity: Decimal
    allocated_quantity: Decimal


def parse_custom_fields(value: Any, field: str = "custom_fields") -> list[CustomField]:
    """`[{custom_field_id?, label?, value}]` as sent: each names its definition by id or by
    label (matched to the definitions by service_layer.custom_fields)."""
    errors = ErrorCollector()
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(field, "must be a list of {custom_field_id or label, value}", value)
        errors.raise_if_any()
    result: list[CustomField] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or ("label" not in item
                                             and "custom_field_id" not in item):
            errors.add(f"{field}.{index}", "must be an object with custom_field_id or label, "
                       "and value", item)
            continue
        field_id = errors.take(clean_text, item.get("custom_field_id"),
                               f"{field}.{index}.custom_field_id", max_length=100)
        label = errors.take(clean_text, item.get("label"), f"{field}.{index}.label",
                            required=not field_id)
        raw = item.get("value")
        where = f"{field}.{index}.value"
        text = errors.take(_value_text, raw, where)
        if label is not None or field_id:
            result.append(CustomField(label=label or "", value=text or "",
                                      custom_field_id=field_id or None))
    errors.raise_if_any()
    return result


def _value_text(raw: Any, field: str) -> str | None:
    return clean_text(_plain(raw, field), field, max_length=2000)


def _plain(raw: Any, field: str) -> str:
    """A value as text: a JSON number or boolean as written (`12.5`, `true`)."""
    if raw is None or isinstance(raw, str):
        return raw or ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float | Decimal):
        return str(raw)
    raise ValidationError.single(field, "must be text, a number or a date", raw)


def parse_batch_fields(raw: Mapping[str, Any], *, allowed: Iterable[str] = BATCH_FIELDS
                       ) -> dict[str, Any]:
    """Apply the seed aliases and check every field, reporting all bad ones at once."""
    fields = apply_aliases(dict(raw), BATCH_ALIASES, allowed)
    errors = ErrorCollector()
    parsed: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "batch_number":
            parsed[name] = errors.take(clean_number, value, name)
        elif name in NUMBER_FIELDS:
            parsed[name] = None if value in (None, "") else errors.take(clean_number, value, name)
        elif name in DATE_FIELDS:
            parsed[name] = errors.take(optional_date, value, name)
        elif name == "quantity":
            parsed[name] = errors.take(to_decimal, value, name)
        elif name in MONEY_FIELDS:
            parsed[name] = errors.take(optional_decimal, value, name)
        elif name == "custom_fields":
            parsed[name] = errors.take(parse_custom_fields, value, name)
        elif name == "status":
            parsed[name] = errors.take(_parse_status, value)
        else:
            parsed[name] = value
    mfg, expiry = parsed.get("manufacturing_date"), parsed.get("expiry_date")
    if mfg and expiry and expiry < mfg:
        errors.add("expiry_date", f"{expiry} is before the manufacturing date {mfg}",
                   str(expiry))
    errors.raise_if_any()
    return parsed


def _parse_status(value: Any) -> LotStatus:
    return parse_enum(LotStatus, value, "status")


def expiry_from_shelf_life(manufacturing_date: dt.date | None, expiry_date: dt.date | None,
                           shelf_life_days: int | None) -> dt.date | None:
    """A product's shelf life fills a missing expiry from the manufacturing date."""
    if expiry_date is None and manufacturing_date is not None and shelf_life_days:
        return manufacturing_date + dt.timedelta(days=shelf_life_days)
    return expiry_date


def available_quantity(record: LotRecord, balances: Iterable[BalanceRow], in_stock_serials: int,
                       uses_serials: bool, today: dt.date) -> Decimal:
    """What can still be allocated: 0 while held, expired or inactive (computed on read)."""
    if block_reason(record, today) is not None:
        return Decimal(0)
    if uses_serials:
        return Decimal(in_stock_serials)
    free = sum((b.balance_quantity - b.allocated_quantity for b in balances
                if b.kind is LocationKind.STORAGE and not b.location_held), Decimal(0))
    return max(free, Decimal(0))


def build_batch(record: LotRecord, balances: list[BalanceRow], in_stock_serials: int,
                uses_serials: bool, today: dt.date) -> Batch:
    balance = sum((b.balance_quantity for b in balances), Decimal(0))
    return Batch(
        id=record.id, product_id=record.product_id, batch_number=record.batch_number,
        manufacturer_batch_number=record.manufacturer_batch_number,
        internal_batch_number=record.internal_batch_number,
        external_batch_number=record.external_batch_number, supplier_id=record.supplier_id,
        manufacturing_date=record.manufacturing_date, expiry_date=record.expiry_date,
        quantity=record.quantity, balance_quantity=balance,
        available_quantity=available_quantity(record, balances, in_stock_serials,
                                              uses_serials, today),
        unit_cost=record.unit_cost, purchase_date=record.purchase_date,
        entry_transaction_ref=record.entry_transaction_ref, location_id=record.location_id,
        received_at=record.received_at,
        associated_locations=[LocationBalance(b.location_id, b.in_quantity, b.balance_quantity)
                              for b in balances],
        status=record.status, hold=record.hold, sales_rate=record.sales_rate,
        label_rate=record.label_rate, custom_fields=list(record.custom_fields),
        created_at=record.created_at, updated_at=record.updated_at,
        is_expired=is_expired(record.expiry_date, today))


@dataclass(frozen=True, slots=True)
class BatchCostRow:
    """One row of seed 004's batches-by-product list: available = remaining on hand, timestamps
    for the receipt time and for the expiry date at 00:00 UTC."""

    id: str
    product_id: str
    initial_quantity: Decimal
    available_quantity: Decimal
    unit_cost: Decimal | None
    purchase_date: dt.datetime
    expiration_date: dt.datetime | None
    supplier_id: str | None
    entry_transaction_ref: str | None

    @classmethod
    def of(cls, record: LotRecord, remaining: Decimal) -> BatchCostRow:
        expiry = (dt.datetime.combine(record.expiry_date, dt.time(0), tzinfo=dt.UTC)
                  if record.expiry_date else None)
        return cls(id=record.id, product_id=record.product_id,
                   initial_quantity=record.quantity, available_quantity=remaining,
                   unit_cost=record.unit_cost, purchase_date=record.received_at,
                   expiration_date=expiry, supplier_id=record.supplier_id,
                   entry_transaction_ref=record.entry_transaction_ref)
