"""One lot entry of a receipt line: parsed by the product's tracking mode, then received into
the matching lot (or a new one) at the warehouse's RECEIVING location."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lotline.domain.errors import Conflict, ValidationError
from lotline.domain.flows import Receipt, ReceiptLine, weighted_cost
from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Product
from lotline.domain.statuses import MovementKind, SerialStatus, Tracking
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_number,
    fold_number,
    optional_date,
    to_decimal,
    whole_units,
)
from lotline.service_layer.batches import insert_lot
from lotline.service_layer.registration import clean_serial_numbers, insert_serials
from lotline.service_layer.serial_rules import note_first_arrival
from lotline.service_layer.unit_of_work import UnitOfWork
from lotline.service_layer.warehouses import default_location

ENTRY_FIELDS = ("batch_number", "manufacturer_batch_number", "manufacturing_date",
                "expiry_date", "quantity", "serial_numbers")
ENTRY_ALIASES = {"lot": "batch_number", "manufactured_date": "manufacturing_date",
                 "manufacturer_date": "manufacturing_date", "expiration_date": "expiry_date"}


@dataclass(frozen=True, slots=True)
class LotEntry:
    batch_number: str | None
    manufacturer_batch_number: str | None
    manufacturing_date: dt.date | None
    expiry_date: dt.date | None
    quantity: Decimal
    serial_numbers: list[str]


def parse_lot_entries(raw: Any, product: Product, prefix: str) -> list[LotEntry]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError.single(f"{prefix}.lots", "must be a non-empty list of lots", raw)
    if product.tracking is Tracking.NONE and len(raw) > 1:
        raise ValidationError.single(f"{prefix}.lots", f"product {product.sku!r} is not "
                                     "lot-tracked: give one entry with its quantity")
    errors = ErrorCollector()
    entries = [errors.take(_parse_entry, item, product, f"{prefix}.lots.{i}")
               for i, item in enumerate(raw)]
    errors.raise_if_any()
    return [entry for entry in entries if entry is not None]


def _parse_entry(item: Any, product: Product, prefix: str) -> LotEntry:
    if not isinstance(item, Mapping):
        raise ValidationError.single(prefix, "must be an object", item)
    fields = apply_aliases(dict(item), ENTRY_ALIASES, ENTRY_FIELDS)
    errors = ErrorCollector()
    numbers = (errors.take(clean_serial_numbers, fields["serial_numbers"],
                           f"{prefix}.serial_numbers") or []) \
        if fields.get("serial_numbers") is not None else []
    quantity = (errors.take(to_decimal, fields["quantity"], f"{prefix}.quantity")
                if "quantity" in fields else Decimal(len(numbers)) if numbers else None)
    number = (errors.take(clean_number, fields["batch_number"], f"{prefix}.batch_number")
              if fields.get("batch_number") not in (None, "") else None)
    entry = LotEntry(
        batch_number=number,
        manufacturer_batch_number=errors.take(clean_number, fields["manufacturer_batch_number"],
                                              f"{prefix}.manufacturer_batch_number")
        if fields.get("manufacturer_batch_number") else None,
        manufacturing_date=errors.take(optional_date, fields.get("manufacturing_date"),
                                       f"{prefix}.manufacturing_date"),
        expiry_date=errors.take(optional_date, fields.get("expiry_date"),
                                f"{prefix}.expiry_date"),
        quantity=quantity or Decimal(0), serial_numbers=numbers)
    _check_entry(errors, entry, product, prefix, quantity)
    errors.raise_if_any()
    return entry


def _check_entry(errors: ErrorCollector, entry: LotEntry, product: Product, prefix: str,
                 quantity: Decimal | None) -> None:
    tracking = product.tracking
    if quantity is None or quantity <= 0:
        errors.add(f"{prefix}.quantity", "must be greater than 0", None if quantity is None
                   else str(quantity))
    if tracking.requires_lot and entry.batch_number is None:
        errors.add(f"{prefix}.batch_number", f"is required: product {product.sku!r} is "
                   f"lot-tracked")
    if tracking is Tracking.NONE and entry.batch_number is not None:
        errors.add(f"{prefix}.batch_number", f"product {product.sku!r} is not lot-tracked; "
                   "its receipts get internal cost layers", entry.batch_number)
    if tracking.uses_serials:
        if quantity is not None and quantity > 0:
            errors.take(whole_units, quantity, f"{prefix}.quantity")
        if len(entry.serial_numbers) != quantity:
            errors.add(f"{prefix}.serial_numbers", f"{len(entry.serial_numbers)} serials for a "
                       f"quantity of {quantity}: each unit needs its serial")
    elif entry.serial_numbers:
        errors.add(f"{prefix}.serial_numbers", f"product {product.sku!r} takes no serials")
    if entry.manufacturing_date and entry.expiry_date and \
            entry.expiry_date < entry.manufacturing_date:
        errors.add(f"{prefix}.expiry_date", f"{entry.expiry_date} is before the manufacturing "
                   f"date {entry.manufacturing_date}", str(entry.expiry_date))


def receive_entry(uow: UnitOfWork, receipt: Receipt, line: ReceiptLine, product: Product,
                  entry: LotEntry, expected: dict[str, str], prefix: str) -> None:
    receiving = default_location(uow, "RECEIVING", receipt.warehouse_id)
    lot = _lot_for(uow, receipt, line, product, entry)
    if product.tracking.uses_serials:
        _receive_serials(uow, receipt, line, product, lot, entry, expected, receiving, prefix)
        return
    assert lot is not None
    held = sum((b.balance_quantity for b in uow.batches.balances([lot.id]).get(lot.id, [])),
               Decimal(0))
    cost = weighted_cost(held, lot.unit_cost, entry.quantity, line.unit_cost)
    uow.batches.add_quantity(lot.id, entry.quantity)
    uow.batches.update(lot.id, {"unit_cost": cost, "updated_at": uow.actor.now()})
    uow.batches.add_balance(lot.id, receiving.id, entry.quantity, received=True)
    movement = uow.ledger.record(
        MovementKind.RECEIPT, product_id=product.id, batch_id=lot.id, quantity=entry.quantity,
        to_location_id=receiving.id, unit_cost=line.unit_cost, receipt_id=receipt.id)
    if lot.entry_transaction_ref is None:
        uow.batches.update(lot.id, {"entry_transaction_ref": movement.id,
                                    "location_id": receiving.id})


def _lot_for(uow: UnitOfWork, receipt: Receipt, line: ReceiptLine, product: Product,
             entry: LotEntry) -> LotRecord | None:
    """The existing lot (same product, supplier and folded number) or a new one."""
    number = entry.batch_number
    if product.tracking is Tracking.NONE:
        counter = uow.flows.next_number("cost_layer")
        number = f"R-{counter:06d}"
    if number is None:
        return None
    existing = uow.batches.by_identity(product.id, receipt.supplier_id, fold_number(number))
    if existing is not None:
        if entry.expiry_date and existing.expiry_date and entry.expiry_date != \
                existing.expiry_date:
            raise Conflict(f"lot {existing.batch_number!r} expires on {existing.expiry_date}; "
                           f"this receipt says {entry.expiry_date}", batch_id=existing.id,
                           expiry_date=str(existing.expiry_date),
                           received_expiry_date=str(entry.expiry_date))
        return existing
    values: dict[str, Any] = {
        "product_id": product.id, "batch_number": number, "supplier_id": receipt.supplier_id,
        "manufacturer_batch_number": entry.manufacturer_batch_number,
        "manufacturing_date": entry.manufacturing_date, "expiry_date": entry.expiry_date,
        "quantity": entry.quantity if not product.tracking.uses_serials else Decimal(0),
        "unit_cost": line.unit_cost}
    if product.tracking is Tracking.NONE:
        values["internal_batch_number"] = number
    # Created empty: the receipt below brings its units in.
    lot = insert_lot(uow, product, {**values, "quantity": Decimal(0)})
    return uow.batches.get(lot.id)


def _receive_serials(uow: UnitOfWork, receipt: Receipt, line: ReceiptLine, product: Product,
                     lot: LotRecord | None, entry: LotEntry, expected: dict[str, str],
                     receiving: Location, prefix: str) -> None:
    fresh = [n for n in entry.serial_numbers if n not in expected]
    announced = [n for n in entry.serial_numbers if n in expected]
    if expected and fresh:
        raise ValidationError.single(f"{prefix}.serial_numbers", "not announced on this line: "
                                     + ", ".join(fresh), fresh)
    average: Decimal | None = None
    if lot is not None:
        # The delivery proves the units exist: the lot's declared size grows to hold them.
        arriving = len(entry.serial_numbers)
        uow.batches.set_quantity_at_least(lot.id, Decimal(lot.serial_count + arriving))
        if line.unit_cost is not None and line.unit_cost != lot.unit_cost:
            # Recorded at their own cost; the lot then holds the weighted average (DESIGN §3).
            held = sum((b.balance_quantity for b in uow.batches.balances([lot.id]).get(
                lot.id, [])), Decimal(0))
            average = weighted_cost(held, lot.unit_cost, Decimal(arriving), line.unit_cost)
            uow.batches.update(lot.id, {"unit_cost": line.unit_cost})
        lot = uow.batches.get(lot.id)
    cost = line.unit_cost if lot is None else None
    if fresh:
        insert_serials(
            uow, fresh, product, lot, SerialStatus.RECEIVED, receiving, None, None, cost,
            receipt_id=receipt.id)
    if announced:
        _receive_announced(uow, receipt, product, lot, [expected[n] for n in announced],
                           receiving, cost)
    if lot is not None and average is not None:
        uow.batches.update(lot.id, {"unit_cost": average, "updated_at": uow.actor.now()})


def _receive_announced(uow: UnitOfWork, receipt: Receipt, product: Product,
                       lot: LotRecord | None, serial_ids: list[str], receiving: Location,
                       cost: Decimal | None) -> None:
    if lot is not None:
        uow.batches.add_serials_to_cap(lot, len(serial_ids))
    now = uow.actor.now()
    for serial_id in serial_ids:
        serial = uow.serials.get(serial_id, for_update=True)
        assert serial is not None
        if serial.status is not SerialStatus.EXPECTED:
            raise Conflict(f"serial {serial.serial_number!r} is {serial.status.value}, not "
                           "EXPECTED; it was received already", serial_id=serial.id)
        uow.serials.set_state(serial.id, {
            "status": SerialStatus.RECEIVED.value, "batch_id": lot.id if lot else None,
            "location_id": receiving.id, "warehouse_id": receiving.warehouse_id,
            "unit_cost": cost if cost is not None else serial.unit_cost, "updated_at": now})
        uow.serials.bump_count(product.id, SerialStatus.EXPECTED, -1, serial.batch_id)
        uow.serials.bump_count(product.id, SerialStatus.RECEIVED, 1, lot.id if lot else None)
        if lot is not None:
            uow.batches.add_balance(lot.id, receiving.id, Decimal(1), received=True)
        movement = uow.ledger.record(
            MovementKind.RECEIPT, product_id=product.id, batch_id=lot.id if lot else None,
            serial_id=serial.id, quantity=Decimal(1), to_location_id=receiving.id,
            from_status=SerialStatus.EXPECTED, to_status=SerialStatus.RECEIVED,
            unit_cost=cost if cost is not None else (lot.unit_cost if lot else None),
            receipt_id=receipt.id)
        if lot is not None:
            note_first_arrival(uow, lot, movement.id, receiving.id)
            lot = uow.batches.get(lot.id)
            assert lot is not None
