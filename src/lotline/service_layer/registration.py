"""Registering serial numbers, one or a million: all or nothing, one ledger movement per call.

This is a hot path: numbers are checked in one pass, the rows go in with one Core statement
(COPY on PostgreSQL), and the returned serials are built only when read."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, overload

from lotline.domain.errors import FieldError, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Product, Serial
from lotline.domain.serial_numbers import expand_serial_input, has_ranges
from lotline.domain.statuses import (
    INITIAL_STATUSES,
    MovementKind,
    Role,
    SerialScope,
    SerialStatus,
    parse_enum,
)
from lotline.domain.values import (
    MAX_NUMBER_LENGTH,
    ErrorCollector,
    optional_date,
    optional_decimal,
)
from lotline.service_layer.base import Service, need_location, need_product
from lotline.service_layer.event_data import registration_data
from lotline.service_layer.ports import NewSerials
from lotline.service_layer.serial_rules import note_first_arrival
from lotline.service_layer.unit_of_work import UnitOfWork, retry_transient
from lotline.service_layer.warehouses import default_location


class RegisteredSerials(Sequence[Serial]):
    """The serials one registration created, as a sequence built on access (a bulk call of a
    million numbers should not pay for a million objects nobody reads)."""

    def __init__(self, new: NewSerials) -> None:
        self._new = new

    def __len__(self) -> int:
        return len(self._new.ids)

    @overload
    def __getitem__(self, index: int) -> Serial: ...
    @overload
    def __getitem__(self, index: slice) -> list[Serial]: ...

    def __getitem__(self, index: int | slice) -> Serial | list[Serial]:
        if isinstance(index, slice):
            return [self._build(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._build(index)

    def __iter__(self) -> Iterator[Serial]:
        return (self._build(i) for i in range(len(self)))

    def _build(self, index: int) -> Serial:
        new = self._new
        return Serial(
            id=new.ids[index], serial_number=new.numbers[index], product_id=new.product_id,
            batch_id=new.batch_id, status=new.status, order_id=None,
            location_id=new.location_id, warehouse_id=new.warehouse_id,
            purchase_date=new.purchase_date, warranty_expiry=new.warranty_expiry,
            unit_cost=new.unit_cost, hold=None, parent_serial_id=None,
            created_at=new.created_at, updated_at=new.created_at)


def clean_serial_numbers(values: Any, field: str = "serial_numbers") -> list[str]:
    """Strip scanner whitespace; report every empty, overlong or repeated number at once.
    Ranges (`SN-0001..SN-0500`, also in a comma-separated text) are expanded first."""
    if isinstance(values, Sequence) and has_ranges([values] if isinstance(values, str)
                                                   else values):
        values = expand_serial_input(values, field)
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValidationError.single(field, "must be a list of serial numbers", values)
    if not values:
        raise ValidationError.single(field, "must not be empty", [])
    cleaned: list[str] = []
    errors: list[FieldError] = []
    for index, value in enumerate(values):
        text = value.strip() if isinstance(value, str) else None
        if not text or len(text) > MAX_NUMBER_LENGTH or not text.isprintable():
            reason = ("must be a string" if not isinstance(value, str) else
                      "must not be empty or whitespace" if not text else
                      f"is longer than {MAX_NUMBER_LENGTH} characters" if len(text) >
                      MAX_NUMBER_LENGTH else "must not contain control characters")
            errors.append(FieldError(f"{field}.{index}", reason, value))
            continue
        cleaned.append(text)
    if len(set(cleaned)) != len(cleaned):
        repeated = sorted(n for n, c in Counter(cleaned).items() if c > 1)
        errors.append(FieldError(field, "repeated in the request: " + ", ".join(repeated[:50]),
                                 repeated))
    if errors:
        raise ValidationError(errors)
    return cleaned


class SerialRegistration(Service):
    @retry_transient
    def register(self, serial_numbers: Any, *, batch_id: str | None = None,
                 product_id: str | None = None, status: Any = SerialStatus.IN_STOCK,
                 location_id: str | None = None, warehouse_id: str | None = None,
                 purchase_date: Any = None, warranty_expiry: Any = None,
                 unit_cost: Any = None) -> RegisteredSerials:
        self.actor.require(Role.MANAGER, "registering serials")
        errors = ErrorCollector()
        numbers = errors.take(clean_serial_numbers, serial_numbers)
        target = errors.take(parse_enum, SerialStatus, status, "status")
        bought = errors.take(optional_date, purchase_date, "purchase_date")
        warranty = errors.take(optional_date, warranty_expiry, "warranty_expiry")
        cost = errors.take(optional_decimal, unit_cost, "unit_cost")
        if target is not None and target not in INITIAL_STATUSES:
            errors.add("status", f"a new serial starts as IN_STOCK, RECEIVED or EXPECTED, "
                                 f"not {target.value}", str(status))
        if batch_id is None and product_id is None:
            errors.add("batch_id", "batch_id or product_id is required")
        errors.raise_if_any()
        assert numbers is not None and target is not None
        with self.writing() as uow:
            batch, product = _lot_and_product(uow, batch_id, product_id, target)
            location = self._location(uow, target, location_id, warehouse_id)
            new = insert_serials(uow, numbers, product, batch, target, location,
                               bought, warranty, cost)
            registered = RegisteredSerials(new)
            if registered:
                uow.events.add("serial.registered", registration_data(uow, registered))
        return registered

    def _location(self, uow: UnitOfWork, target: SerialStatus, location_id: str | None,
                  warehouse_id: str | None) -> Location | None:
        if target is SerialStatus.EXPECTED:
            return None
        if location_id is not None:
            location = need_location(uow, location_id)
            if warehouse_id is not None and location.warehouse_id != warehouse_id:
                raise ValidationError.single("location_id", "is not in warehouse "
                                             f"{warehouse_id}", location_id)
            return location
        code = "RECEIVING" if target is SerialStatus.RECEIVED else "STOCK"
        return default_location(uow, code, warehouse_id)


def _lot_and_product(uow: UnitOfWork, batch_id: str | None, product_id: str | None,
                     target: SerialStatus) -> tuple[LotRecord | None, Product]:
    batch = None
    if batch_id is not None:
        batch = uow.batches.get(str(batch_id))
        if batch is None:
            raise NotFound("batch", batch_id, "batch_id")
        if product_id is not None and product_id != batch.product_id:
            raise ValidationError.single("product_id", f"batch {batch.batch_number!r} belongs "
                                         f"to product {batch.product_id}", product_id)
    product = need_product(uow, batch.product_id if batch else str(product_id))
    if not product.tracking.uses_serials:
        raise ValidationError.single(
            "product_id", f"product {product.sku!r} is tracked by {product.tracking.value!r} "
            f"and takes no serial numbers", product.id)
    if batch is None and product.tracking.requires_lot and target is not SerialStatus.EXPECTED:
        raise ValidationError.single(
            "batch_id", f"product {product.sku!r} is tracked by lot and serial; name the lot")
    return batch, product


def insert_serials(uow: UnitOfWork, numbers: list[str], product: Product,
                   batch: LotRecord | None, target: SerialStatus, location: Location | None,
                   bought: dt.date | None, warranty: dt.date | None,
                   cost: Decimal | None, receipt_id: str | None = None,
                   movement_kind: MovementKind | None = None,
                   transformation_id: str | None = None) -> NewSerials:
    """Serials inserted, counted, on the ledger and on their lot's balance (shared by
    registration, receiving and transformations)."""
    if batch is not None:
        uow.batches.add_serials_to_cap(batch, len(numbers))
    scope_key = "" if uow.settings().serial_scope is SerialScope.ORGANIZATION else product.id
    movement_id = new_id()
    new = NewSerials(
        ids=[new_id() for _ in numbers], numbers=numbers, product_id=product.id,
        batch_id=batch.id if batch else None, scope_key=scope_key, status=target,
        location_id=location.id if location else None,
        warehouse_id=location.warehouse_id if location else None, purchase_date=bought,
        warranty_expiry=warranty, unit_cost=cost, entry_movement_id=movement_id,
        created_at=uow.actor.now())
    uow.serials.add_new(new)
    single = len(numbers) == 1
    uow.ledger.record(
        movement_kind or (MovementKind.RECEIPT if location else MovementKind.STATUS_CHANGE),
        product_id=product.id, batch_id=new.batch_id,
        serial_id=new.ids[0] if single else None, quantity=Decimal(len(numbers)),
        to_location_id=new.location_id, to_status=target,
        unit_cost=cost if cost is not None else (batch.unit_cost if batch else None),
        serial_numbers=() if single else numbers, movement_id=movement_id,
        receipt_id=receipt_id, transformation_id=transformation_id)
    uow.serials.bump_count(product.id, target, len(numbers), new.batch_id)
    if batch is not None and location is not None:
        uow.batches.add_balance(batch.id, location.id, Decimal(len(numbers)), received=True)
        note_first_arrival(uow, batch, movement_id, location.id)
    return new
