"""Lots (batches): create with the seed aliases, read with computed balances, update, delete
under DESIGN §3's rule, active/inactive, hold/release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from lotline.domain.allocation import order_lots
from lotline.domain.audit import require_reason
from lotline.domain.custom_fields import FieldEntity
from lotline.domain.errors import Conflict, DuplicateBatch, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.lots import (
    UPDATABLE_BATCH_FIELDS,
    BatchCostRow,
    LotRecord,
    expiry_from_shelf_life,
    parse_batch_fields,
)
from lotline.domain.model import Batch, Hold, Product
from lotline.domain.statuses import HoldKind, LotStatus, MovementKind, Role, parse_enum
from lotline.domain.values import (
    MAX_LONG_TEXT_LENGTH,
    ErrorCollector,
    clean_text,
    fold_number,
    required_text,
)
from lotline.service_layer.base import need_location, need_product, need_supplier
from lotline.service_layer.batch_views import BatchViews
from lotline.service_layer.custom_fields import stored_fields
from lotline.service_layer.event_data import batch_data, product_ref
from lotline.service_layer.unit_of_work import UnitOfWork
from lotline.service_layer.warehouses import default_location


def need_batch(uow: UnitOfWork, batch_id: str, field: str = "batch_id") -> LotRecord:
    record = uow.batches.get(str(batch_id), for_update=True)
    if record is None:
        raise NotFound("batch", batch_id, field)
    return record


def _midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def fields_name(sent: dict[str, Any]) -> str:
    """How the caller named the custom fields (seed 003 says `batch_custom_fields`), so an
    error about one of them names it the same way."""
    return "batch_custom_fields" if "batch_custom_fields" in sent else "custom_fields"


def _ids(ids: str | Iterable[str]) -> list[str]:
    listed = [ids] if isinstance(ids, str) else list(ids)
    if not listed:
        raise ValidationError.single("ids", "must not be empty", [])
    return listed


class BatchService(BatchViews):
    def create(self, **fields: Any) -> Batch:
        self.actor.require(Role.MANAGER, "creating batches")
        values = parse_batch_fields(fields)
        errors = ErrorCollector()
        for required in ("product_id", "batch_number"):
            if values.get(required) is None:
                errors.add(required, "is required")
        errors.raise_if_any()
        with self.writing() as uow:
            product = need_product(uow, values["product_id"])
            record = insert_lot(uow, product, values, fields_as=fields_name(fields))
            self._audit(uow, record.id, "create", None)
            return self._announce(uow, "batch.created", record.id)

    # --- changes ---------------------------------------------------------------------------

    def update(self, batch_id: str, **changes: Any) -> Batch:
        """Change a lot's fields. A change of its expiry date or unit cost must say why
        (`reason`, else ReasonRequired); the reason goes to the audit row."""
        self.actor.require(Role.MANAGER, "changing batches")
        errors = ErrorCollector()
        reason = errors.take(clean_text, changes.pop("reason", None), "reason",
                             max_length=MAX_LONG_TEXT_LENGTH)
        values = errors.take(parse_batch_fields, changes, allowed=UPDATABLE_BATCH_FIELDS)
        errors.raise_if_any()
        assert values is not None
        sent_as = fields_name(changes)
        for required in ("batch_number", "quantity", "status"):
            if required in values and values[required] is None:
                raise ValidationError.single(required, "must not be empty")
        with self.writing() as uow:
            before = need_batch(uow, batch_id)
            require_reason(before, values, reason)
            product = need_product(uow, before.product_id)
            row = self._changed_row(uow, before, values, sent_as)
            if "quantity" in values and values["quantity"] != before.quantity:
                self._change_quantity(uow, before, product, values["quantity"], reason)
            uow.batches.update(batch_id, {**row, "updated_at": self.actor.now()})
            self._audit(uow, batch_id, "update", before, reason)
            return self._announce(uow, "batch.updated", batch_id, changed=sorted(values),
                                  reason=reason)

    def _announce(self, uow: UnitOfWork, type_: str, batch_id: str, **extra: Any) -> Batch:
        view = self.view(uow, batch_id)
        uow.events.add(type_, batch_data(uow, view, **extra))
        return view

    def _changed_row(self, uow: UnitOfWork, before: LotRecord, values: dict[str, Any],
                     sent_as: str = "custom_fields") -> dict[str, Any]:
        row = {k: v for k, v in values.items() if k not in ("quantity", "custom_fields",
                                                          "status")}
        if "status" in values:
            row["status"] = values["status"].value
        if "custom_fields" in values:
            row["custom_fields"] = stored_fields(uow, values["custom_fields"],
                                                 FieldEntity.BATCH, sent_as,
                                                 before.custom_fields)
        mfg = values.get("manufacturing_date", before.manufacturing_date)
        expiry = values.get("expiry_date", before.expiry_date)
        if mfg and expiry and expiry < mfg:
            raise ValidationError.single("expiry_date", f"{expiry} is before the manufacturing "
                                         f"date {mfg}", str(expiry))
        if "supplier_id" in values and values["supplier_id"] is not None:
            need_supplier(uow, values["supplier_id"])
        if "batch_number" in values or "supplier_id" in values:
            number = values.get("batch_number", before.batch_number)
            supplier_id = values.get("supplier_id", before.supplier_id)
            clash = uow.batches.by_identity(before.product_id, supplier_id or "",
                                            fold_number(number))
            if clash is not None and clash.id != before.id:
                raise DuplicateBatch(number, clash.id)
            row.update(batch_number_folded=fold_number(number), supplier_key=supplier_id or "")
        return row

    def _change_quantity(self, uow: UnitOfWork, before: LotRecord, product: Product,
                         quantity: Decimal, reason: str | None) -> None:
        if product.tracking.uses_serials:
            if quantity < before.serial_count or quantity != quantity.to_integral_value():
                raise ValidationError.single(
                    "quantity", f"must be a whole number of at least {before.serial_count}, "
                    f"the serials registered in lot {before.batch_number!r}", str(quantity))
            uow.batches.update(before.id, {"quantity": quantity})
            return
        # A correction of what was received, never below what has already left the lot.
        delta = quantity - before.quantity
        location = (need_location(uow, before.location_id) if before.location_id
                    else default_location(uow, "STOCK"))
        if delta > 0:
            uow.batches.add_balance(before.id, location.id, delta, received=True)
        else:
            uow.batches.take_balance(before.id, location.id, -delta, before.batch_number,
                                     unreceived=True)
        uow.ledger.record(
            MovementKind.ADJUSTMENT, product_id=before.product_id, batch_id=before.id,
            quantity=abs(delta), to_location_id=location.id if delta > 0 else None,
            from_location_id=location.id if delta < 0 else None, unit_cost=before.unit_cost,
            reason=reason or f"lot quantity corrected from {before.quantity} to {quantity}")
        uow.batches.update(before.id, {"quantity": quantity})

    def delete(self, batch_id: str) -> None:
        self.bulk_delete([batch_id])

    def bulk_delete(self, ids: Sequence[str]) -> None:
        """All or nothing: every lot must be unreferenced (else mark it inactive)."""
        self.actor.require(Role.MANAGER, "deleting batches")
        listed = _ids(ids)
        with self.writing() as uow:
            records = self._records(uow, listed)
            blocked = [r.batch_number for r in records if not self._deletable(uow, r)]
            if blocked:
                raise Conflict(f"lots {', '.join(blocked)} have serials or movements besides "
                               f"their opening receipt; mark them inactive instead",
                               batch_numbers=blocked)
            for record in records:
                self._reverse_opening(uow, record)
                uow.batches.mark_deleted(record.id, self.actor.now())
                self._audit(uow, record.id, "delete", record)
                uow.events.add("batch.updated", {
                    "batch_id": record.id, "lot_number": record.batch_number,
                    "product": product_ref(uow, record.product_id), "deleted": True})

    def _records(self, uow: UnitOfWork, ids: list[str]) -> list[LotRecord]:
        found = {i: uow.batches.get(str(i), for_update=True) for i in ids}
        missing = [i for i, record in found.items() if record is None]
        if missing:
            raise NotFound("batch", ", ".join(missing), "ids")
        return [r for r in found.values() if r is not None]

    def _deletable(self, uow: UnitOfWork, record: LotRecord) -> bool:
        if uow.serials.count_in_batch(record.id):
            return False
        ids = [row.id for row in uow.movements.for_batch(record.id)]
        return not ids or ids == [record.entry_transaction_ref]

    def _reverse_opening(self, uow: UnitOfWork, record: LotRecord) -> None:
        if record.entry_transaction_ref is None or record.location_id is None:
            return
        opening = uow.movements.get(record.entry_transaction_ref)
        assert opening is not None
        uow.batches.take_balance(record.id, record.location_id, opening.quantity,
                                 record.batch_number)
        uow.ledger.record(MovementKind.REVERSAL, product_id=record.product_id,
                          batch_id=record.id, quantity=opening.quantity,
                          from_location_id=record.location_id, reverses_id=opening.id,
                          unit_cost=record.unit_cost, reason="lot deleted")

    def mark_active(self, ids: str | Iterable[str]) -> list[Batch]:
        return self._set_status(_ids(ids), LotStatus.ACTIVE)

    def mark_inactive(self, ids: str | Iterable[str]) -> list[Batch]:
        return self._set_status(_ids(ids), LotStatus.INACTIVE)

    def _set_status(self, ids: list[str], status: LotStatus) -> list[Batch]:
        self.actor.require(Role.MANAGER, "changing batches")
        with self.writing() as uow:
            for record in self._records(uow, ids):
                if record.status is not status:
                    uow.batches.update(record.id, {"status": status.value,
                                                   "updated_at": self.actor.now()})
                    self._audit(uow, record.id, "status", record)
                    self._announce(uow, "batch.updated", record.id, changed=["status"])
            return [self.view(uow, i) for i in ids]

    def hold(self, batch_id: str, reason: str, kind: str = "quarantine") -> Batch:
        self.actor.require(Role.MANAGER, "holding batches")
        errors = ErrorCollector()
        text = errors.take(required_text, reason, "reason", max_length=2000)
        hold_kind = errors.take(parse_enum, HoldKind, kind, "kind")
        errors.raise_if_any()
        assert text is not None and hold_kind is not None
        with self.writing() as uow:
            record = need_batch(uow, batch_id)
            if record.hold is not None:
                raise Conflict(f"lot {record.batch_number!r} is already on "
                               f"{record.hold.kind.value} hold: {record.hold.reason}")
            hold = Hold(reason=text, kind=hold_kind, since=self.actor.now())
            uow.batches.update(batch_id, {"hold_reason": text, "hold_kind": hold_kind.value,
                                          "hold_since": hold.since})
            self._audit(uow, batch_id, "hold", record, text)
            return self._announce(uow, "batch.hold_changed", batch_id)

    def release(self, batch_id: str, reason: str | None = None) -> Batch:
        self.actor.require(Role.MANAGER, "releasing batches")
        with self.writing() as uow:
            record = need_batch(uow, batch_id)
            if record.hold is None:
                raise Conflict(f"lot {record.batch_number!r} is not on hold",
                               batch_id=record.id)
            uow.batches.update(batch_id, {"hold_reason": None, "hold_kind": None,
                                          "hold_since": None})
            self._audit(uow, batch_id, "release", record, reason)
            return self._announce(uow, "batch.hold_changed", batch_id, reason=reason)

    def cost_rows(self, product_id: str, active_only: bool = True) -> list[BatchCostRow]:
        """Seed 004: a product's lots in §4 order; available = remaining on hand."""
        with self.reading() as uow:
            product = uow.products.get(str(product_id))
            if product is None:
                return []
            records = order_lots(uow.batches.for_product(product.id))
            balances = uow.batches.balances([r.id for r in records])
        rows = [BatchCostRow.of(r, sum((b.balance_quantity for b in balances.get(r.id, [])),
                                       Decimal(0))) for r in records]
        return [row for row in rows if row.available_quantity > 0 or not active_only]

    list_by_product = cost_rows


def insert_lot(uow: UnitOfWork, product: Product, values: dict[str, Any],
               fields_as: str = "custom_fields") -> LotRecord:
    supplier_id = values.get("supplier_id")
    if supplier_id is not None:
        need_supplier(uow, supplier_id)
    number = values["batch_number"]
    existing = uow.batches.by_identity(product.id, supplier_id or "", fold_number(number))
    if existing is not None:
        raise DuplicateBatch(number, existing.id)
    expiry = expiry_from_shelf_life(values.get("manufacturing_date"),
                                    values.get("expiry_date"), product.shelf_life_days)
    now = uow.actor.now()
    explicit_day = values.get("purchase_date")
    quantity = values.get("quantity") or Decimal(0)
    if product.tracking.uses_serials and quantity != quantity.to_integral_value():
        raise ValidationError.single("quantity", "a serial-tracked lot holds whole units",
                                     str(quantity))
    batch_id = new_id()
    uow.batches.insert({
        "id": batch_id, "product_id": product.id, "supplier_id": supplier_id,
        "supplier_key": supplier_id or "", "batch_number": number,
        "batch_number_folded": fold_number(number),
        **{k: values.get(k) for k in ("manufacturer_batch_number", "internal_batch_number",
                                      "external_batch_number", "manufacturing_date",
                                      "unit_cost", "sales_rate", "label_rate")},
        "expiry_date": expiry, "quantity": quantity,
        "purchase_date": explicit_day or uow.actor.today(uow.timezone()),
        "received_at": _midnight_utc(explicit_day) if explicit_day else now,
        "status": (values.get("status") or LotStatus.ACTIVE).value,
        "custom_fields": stored_fields(uow, values.get("custom_fields") or [],
                                       FieldEntity.BATCH, fields_as),
        "created_at": now, "updated_at": now,
    })
    record = need_batch(uow, batch_id)
    if not product.tracking.uses_serials and quantity > 0:
        _receive_opening(uow, record, values.get("location_id"))
    return need_batch(uow, batch_id)

def _receive_opening(uow: UnitOfWork, record: LotRecord,
                     location_id: str | None) -> None:
    """A non-serial lot created with a quantity receives it into STOCK (DESIGN §3)."""
    location = (need_location(uow, location_id) if location_id
                else default_location(uow, "STOCK"))
    uow.batches.add_balance(record.id, location.id, record.quantity, received=True)
    movement = uow.ledger.record(
        MovementKind.RECEIPT, product_id=record.product_id, batch_id=record.id,
        quantity=record.quantity, to_location_id=location.id, unit_cost=record.unit_cost,
        occurred_at=record.received_at)
    uow.batches.update(record.id, {"entry_transaction_ref": movement.id,
                                   "location_id": location.id})
