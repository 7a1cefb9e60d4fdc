"""Transformations (production, repacking, kitting): inputs are consumed, new output lots and
serials are made, and genealogy links every output to every input.

Outputs are always new units, so no lot can become its own ancestor: genealogy is acyclic by
construction (the trace queries guard against cycles anyway)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from lotline.domain.errors import Conflict, InsufficientStock, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Product
from lotline.domain.statuses import MovementKind, Role, SerialStatus
from lotline.domain.values import (
    ErrorCollector,
    clean_number,
    clean_text,
    optional_date,
    optional_decimal,
    to_decimal,
    whole_units,
)
from lotline.service_layer.base import Service, need_location, need_product
from lotline.service_layer.batches import insert_lot, need_batch
from lotline.service_layer.event_data import location_ref
from lotline.service_layer.registration import clean_serial_numbers, insert_serials
from lotline.service_layer.serial_rules import Change, apply_change
from lotline.service_layer.serials import need_serial
from lotline.service_layer.transformation_model import Consumed, Made, Transformation
from lotline.service_layer.transformation_views import transformation_ids, transformation_view
from lotline.service_layer.unit_of_work import UnitOfWork
from lotline.service_layer.warehouses import default_location

KINDS = ("production", "repacking", "kitting")


class TransformationService(Service):
    def transform(self, *, inputs: Any, outputs: Any, kind: str = "production",
                  reference: str | None = None, location_id: str | None = None,
                  notes: str | None = None) -> Transformation:
        self.actor.require(Role.MANAGER, "recording transformations")
        errors = ErrorCollector()
        if kind not in KINDS:
            errors.add("kind", f"must be one of {', '.join(KINDS)}", kind)
        for name, value in (("inputs", inputs), ("outputs", outputs)):
            if not isinstance(value, list) or not value:
                errors.add(name, "must be a non-empty list", value)
        note = errors.take(clean_text, notes, "notes", max_length=2000)
        errors.raise_if_any()
        with self.writing() as uow:
            location = (need_location(uow, location_id) if location_id
                        else default_location(uow, "STOCK"))
            flows = uow.flows
            ref = clean_number(reference, "reference") if reference else \
                f"TR-{flows.next_number('transformation'):06d}"
            transformation_id, now = new_id(), self.actor.now()
            uow.transformations.add({
                "id": transformation_id, "reference": ref, "kind": kind, "occurred_at": now,
                "notes": note, "location_id": location.id, "created_at": now})
            consumed = [self._consume(uow, item, location, transformation_id, f"inputs.{i}")
                        for i, item in enumerate(inputs)]
            input_cost = sum((c.cost for c in consumed), Decimal(0))
            made = self._make_all(uow, outputs, location, transformation_id, input_cost)
            _link(uow, transformation_id, consumed, made)
            recorded = Transformation(id=transformation_id, reference=ref, kind=kind,
                                      inputs=consumed, outputs=made, occurred_at=now,
                                      location_id=location.id, notes=note)
            uow.events.add("transformation.recorded", {
                "transformation_id": transformation_id, "reference": ref, "kind": kind,
                "location": location_ref(location), "inputs": consumed, "outputs": made,
                "notes": note})
            return recorded

    def get(self, transformation_id: str) -> Transformation:
        with self.reading() as uow:
            return transformation_view(uow, transformation_id)

    def list(self, limit: int = 50, cursor: str | None = None) -> list[Transformation]:
        """Newest first; `cursor` is the last id of the previous page."""
        with self.reading(may_lag=True) as uow:
            return [transformation_view(uow, i)
                    for i in transformation_ids(uow, limit, cursor)]

    def _consume(self, uow: UnitOfWork, item: Any, location: Location, transformation_id: str,
                 prefix: str) -> Consumed:
        if not isinstance(item, Mapping):
            raise ValidationError.single(prefix, "must be {batch_id, quantity} or "
                                         "{serial_number}", item)
        if item.get("serial_number"):
            return self._consume_serial(uow, str(item["serial_number"]).strip(),
                                        transformation_id, prefix)
        lot = need_batch(uow, str(item.get("batch_id")), f"{prefix}.batch_id")
        quantity = to_decimal(item.get("quantity"), f"{prefix}.quantity")
        if quantity <= 0:
            raise ValidationError.single(f"{prefix}.quantity", "must be greater than 0",
                                         str(quantity))
        source = need_location(uow, item["location_id"]) if item.get("location_id") \
            else location
        product = need_product(uow, lot.product_id)
        if product.tracking.uses_serials:
            raise ValidationError.single(f"{prefix}.batch_id", "a serial-tracked lot is "
                                         "consumed by its serial numbers")
        try:
            uow.batches.take_balance(lot.id, source.id, quantity, lot.batch_number)
        except InsufficientStock as error:
            raise InsufficientStock(f"{prefix}: {error.message}", **error.details) from None
        uow.ledger.record(MovementKind.CONSUME, product_id=lot.product_id, batch_id=lot.id,
                          quantity=quantity, from_location_id=source.id,
                          transformation_id=transformation_id, unit_cost=lot.unit_cost)
        return Consumed(lot.product_id, lot.id, None, quantity,
                        quantity * (lot.unit_cost or Decimal(0)))

    def _consume_serial(self, uow: UnitOfWork, number: str, transformation_id: str,
                        prefix: str) -> Consumed:
        matches = uow.serials.by_number(number)
        if not matches:
            raise ValidationError.single(f"{prefix}.serial_number", "unknown serial", number)
        serial = need_serial(uow, matches[0].id)
        if serial.status is not SerialStatus.IN_STOCK:
            raise Conflict(f"{prefix}: serial {number!r} is {serial.status.value}; only IN_STOCK "
                           "units can be consumed", serial_number=number)
        lot = uow.batches.get(serial.batch_id) if serial.batch_id else None
        cost = serial.unit_cost if serial.unit_cost is not None else (
            lot.unit_cost if lot else None)
        apply_change(uow, serial, Change(SerialStatus.CONSUMED,
                                         transformation_id=transformation_id), self.today(uow))
        return Consumed(serial.product_id, serial.batch_id, serial.id, Decimal(1),
                        cost or Decimal(0))

    def _make_all(self, uow: UnitOfWork, outputs: builtins.list[Any], location: Location,
                  transformation_id: str, input_cost: Decimal) -> builtins.list[Made]:
        parsed = [_parse_output(uow, item, f"outputs.{i}") for i, item in enumerate(outputs)]
        total = sum((p["quantity"] for p in parsed), Decimal(0))
        default_cost = (input_cost / total).quantize(Decimal("0.000001")) if total else None
        return [self._make(uow, p, location, transformation_id, default_cost) for p in parsed]

    def _make(self, uow: UnitOfWork, output: dict[str, Any], location: Location,
              transformation_id: str, default_cost: Decimal | None) -> Made:
        product: Product = output["product"]
        cost = output["unit_cost"] if output["unit_cost"] is not None else default_cost
        lot: LotRecord | None = None
        if output["batch_number"] is not None:
            lot = insert_lot(uow, product, {
                "product_id": product.id, "batch_number": output["batch_number"],
                "manufacturing_date": output["manufacturing_date"] or self.today(uow),
                "expiry_date": output["expiry_date"], "unit_cost": cost,
                "quantity": Decimal(0)})
        if product.tracking.uses_serials:
            if lot is not None:
                uow.batches.set_quantity_at_least(lot.id, output["quantity"])
                lot = need_batch(uow, lot.id)
            new = insert_serials(
                uow, output["serial_numbers"], product, lot, SerialStatus.IN_STOCK, location,
                None, None, cost if lot is None else None, movement_kind=MovementKind.PRODUCE,
                transformation_id=transformation_id)
            return Made(product.id, lot.id if lot else None, list(new.ids), output["quantity"])
        assert lot is not None
        uow.batches.update(lot.id, {"quantity": output["quantity"]})
        uow.batches.add_balance(lot.id, location.id, output["quantity"], received=True)
        movement = uow.ledger.record(
            MovementKind.PRODUCE, product_id=product.id, batch_id=lot.id,
            quantity=output["quantity"], to_location_id=location.id, unit_cost=cost,
            transformation_id=transformation_id)
        uow.batches.update(lot.id, {"entry_transaction_ref": movement.id,
                                    "location_id": location.id})
        return Made(product.id, lot.id, [], output["quantity"])


def _parse_output(uow: UnitOfWork, item: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise ValidationError.single(prefix, "must be an object with product_id", item)
    product = need_product(uow, str(item.get("product_id")), f"{prefix}.product_id")
    errors = ErrorCollector()
    numbers = (errors.take(clean_serial_numbers, item["serial_numbers"],
                           f"{prefix}.serial_numbers") or []) if item.get("serial_numbers") \
        else []
    quantity = errors.take(to_decimal, item.get("quantity", len(numbers) or None),
                           f"{prefix}.quantity")
    number = errors.take(clean_number, item["batch_number"], f"{prefix}.batch_number") \
        if item.get("batch_number") else None
    if product.tracking.requires_lot and number is None:
        errors.add(f"{prefix}.batch_number", f"is required: product {product.sku!r} is "
                   "lot-tracked")
    if not product.tracking.uses_serials and number is None:
        errors.add(f"{prefix}.batch_number", "an output lot needs a number")
    if product.tracking.uses_serials and quantity is not None:
        errors.take(whole_units, quantity, f"{prefix}.quantity")
        if len(numbers) != quantity:
            errors.add(f"{prefix}.serial_numbers", "each output unit needs its serial")
    if quantity is not None and quantity <= 0:
        errors.add(f"{prefix}.quantity", "must be greater than 0", str(quantity))
    parsed = {"product": product, "batch_number": number, "quantity": quantity,
              "serial_numbers": numbers,
              "unit_cost": errors.take(optional_decimal, item.get("unit_cost"),
                                       f"{prefix}.unit_cost"),
              "manufacturing_date": errors.take(optional_date, item.get("manufacturing_date"),
                                                f"{prefix}.manufacturing_date"),
              "expiry_date": errors.take(optional_date, item.get("expiry_date"),
                                         f"{prefix}.expiry_date")}
    errors.raise_if_any()
    return parsed


def _output_units(made: Made) -> list[str | None]:
    return list(made.serial_ids) if made.serial_ids else [None]


def _link(uow: UnitOfWork, transformation_id: str, consumed: list[Consumed],
          made: list[Made]) -> None:
    rows = [{"id": new_id(), "org_id": uow.actor.org_id, "transformation_id": transformation_id,
             "input_batch_id": c.batch_id, "input_serial_id": c.serial_id,
             "input_product_id": c.product_id, "input_quantity": c.quantity,
             "output_batch_id": m.batch_id, "output_serial_id": serial_id,
             "output_product_id": m.product_id,
             "output_quantity": Decimal(1) if serial_id else m.quantity}
            for c in consumed for m in made for serial_id in _output_units(m)]
    uow.transformations.add_edges(rows)
