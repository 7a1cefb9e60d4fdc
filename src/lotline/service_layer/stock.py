"""Stock control: transfers between locations, adjustments with a reason, holds on serials and
locations, and cycle counts posting their differences as adjustments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotline.domain.allocation import order_lots
from lotline.domain.errors import Conflict, InsufficientStock, LotBlocked, ValidationError
from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Product, Serial
from lotline.domain.statuses import HoldKind, LocationKind, MovementKind, Role, parse_enum
from lotline.domain.values import ErrorCollector, clean_text, required_text, to_decimal
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service, need_location, need_product, snapshot
from lotline.service_layer.batches import need_batch
from lotline.service_layer.event_data import count_data, move_data
from lotline.service_layer.registration import clean_serial_numbers
from lotline.service_layer.serials import need_serial
from lotline.service_layer.stock_moves import (
    Counted,
    count_location,
    move_lot,
    move_serial,
    parse_counts,
)
from lotline.service_layer.unit_of_work import UnitOfWork, retry_transient
from lotline.service_layer.warehouses import default_location

ADJUSTMENT_REASONS = ("count_correction", "damage", "expiry_write_off", "found", "other")


class StockService(Service):
    @retry_transient
    def transfer(self, from_location_id: str, to_location_id: str, *,
                 batch_id: str | None = None, product_id: str | None = None,
                 quantity: Any = None, serial_numbers: Any = None,
                 reason: str | None = None) -> int:
        """Move whole serials or lot quantities; returns the units moved."""
        self.actor.require(Role.MANAGER, "transferring stock")
        if from_location_id == to_location_id:
            raise ValidationError.single("to_location_id", "is the same as from_location_id",
                                         to_location_id)
        if not serial_numbers and quantity is None:
            raise ValidationError.single("quantity", "give a quantity or serial_numbers")
        numbers = clean_serial_numbers(serial_numbers) if serial_numbers else []
        amount = to_decimal(quantity, "quantity") if quantity is not None else None
        if amount is not None and amount <= 0:
            raise ValidationError.single("quantity", "must be greater than 0", str(amount))
        with self.writing() as uow:
            source = need_location(uow, from_location_id, "from_location_id")
            target = need_location(uow, to_location_id, "to_location_id")
            _check_location_hold(source, target, reason)
            if numbers:
                moved_units = self._transfer_serials(uow, numbers, source, target, reason)
                uow.events.add("stock.transferred", move_data(
                    uow, source, target, quantity=len(numbers), serial_numbers=numbers,
                    reason=reason))
                return moved_units
            assert amount is not None
            lots = self._lots_for(uow, batch_id, product_id, source)
            if lots and need_product(uow, lots[0].product_id).tracking.uses_serials:
                # Moving a serial lot's balance alone would leave its serials behind.
                raise ValidationError.single("serial_numbers", "the lot's product is "
                                             "serial-tracked: name the serials to move")
            moved = Decimal(0)
            per_lot: list[tuple[LotRecord, Decimal]] = []
            for lot in lots:
                _check_release_from_quarantine(lot, source)
                step = move_lot(uow, lot, amount - moved, source, target,
                                MovementKind.TRANSFER, reason, partial=True)
                moved += step
                per_lot.append((lot, step))
                if moved >= amount:
                    break
            if moved < amount:
                raise InsufficientStock(f"only {moved} free at {source.code}; {amount} were "
                                        f"asked for (short by {amount - moved})",
                                        location_id=source.id)
            uow.events.add("stock.transferred", move_data(
                uow, source, target, quantity=moved, lots=per_lot, reason=reason))
            return int(moved) if moved == moved.to_integral_value() else 1

    def _transfer_serials(self, uow: UnitOfWork, numbers: list[str], source: Location,
                          target: Location, reason: str | None) -> int:
        for number in numbers:
            matches = uow.serials.by_number(number)
            serial = next((s for s in matches if s.location_id == source.id), None)
            if serial is None:
                raise ValidationError.single("serial_numbers", f"serial {number!r} is not at "
                                             f"{source.code}", number)
            lot = uow.batches.get(serial.batch_id) if serial.batch_id else None
            if lot is not None:
                _check_release_from_quarantine(lot, source)
            if serial.hold is not None and source.kind is LocationKind.QUARANTINE:
                raise LotBlocked(f"serial {number!r} is on hold; it cannot leave {source.code}",
                                 serial_id=serial.id)
            move_serial(uow, need_serial(uow, serial.id), target, MovementKind.TRANSFER, reason)
        return len(numbers)

    def _lots_for(self, uow: UnitOfWork, batch_id: str | None, product_id: str | None,
                  source: Location) -> list[LotRecord]:
        if batch_id is not None:
            return [need_batch(uow, batch_id)]
        if product_id is None:
            raise ValidationError.single("batch_id", "give batch_id, product_id or "
                                         "serial_numbers")
        product = need_product(uow, product_id)
        if product.tracking.uses_serials:
            raise ValidationError.single("serial_numbers", f"product {product.sku!r} is "
                                         "serial-tracked: name the serials to move")
        return order_lots(uow.batches.for_product(product.id), product.removal_strategy)

    @retry_transient
    def adjust(self, *, quantity_delta: Any, reason: str, batch_id: str | None = None,
               product_id: str | None = None, location_id: str | None = None) -> Decimal:
        """Correct a lot's balance at a location (default STOCK) by `quantity_delta`."""
        self.actor.require(Role.MANAGER, "adjusting stock")
        errors = ErrorCollector()
        delta = errors.take(to_decimal, quantity_delta, "quantity_delta", allow_negative=True)
        note = errors.take(required_text, reason, "reason", max_length=2000)
        errors.raise_if_any()
        assert delta is not None and note is not None
        if delta == 0:
            raise ValidationError.single("quantity_delta", "must not be 0", "0")
        with self.writing() as uow:
            location = (need_location(uow, location_id) if location_id
                        else default_location(uow, "STOCK"))
            lots = self._adjustable_lots(uow, batch_id, product_id, location)
            if delta > 0:
                move_lot(uow, lots[0], delta, None, location, MovementKind.ADJUSTMENT, note)
                per_lot = [(lots[0], delta)]
            else:
                per_lot = self._take(uow, lots, -delta, location, note)
            uow.events.add("stock.adjusted", move_data(
                uow, None, location, quantity=delta, lots=per_lot, reason=note))
            return delta

    def _take(self, uow: UnitOfWork, lots: list[LotRecord], wanted: Decimal,
              location: Location, note: str) -> list[tuple[LotRecord, Decimal]]:
        taken, per_lot = Decimal(0), []
        for lot in lots:
            step = move_lot(uow, lot, wanted - taken, location, None,
                            MovementKind.ADJUSTMENT, note, partial=True)
            taken += step
            if step:
                per_lot.append((lot, -step))
        if taken < wanted:
            raise InsufficientStock(f"{location.code} holds {taken} free; an adjustment of "
                                    f"{-wanted} would go below zero", location_id=location.id)
        return per_lot

    def _adjustable_lots(self, uow: UnitOfWork, batch_id: str | None, product_id: str | None,
                         location: Location) -> list[LotRecord]:
        lots = self._lots_for(uow, batch_id, product_id, location)
        product: Product = need_product(uow, lots[0].product_id) if lots else need_product(
            uow, str(product_id))
        if product.tracking.uses_serials:
            raise ValidationError.single("batch_id", f"product {product.sku!r} is "
                                         "serial-tracked: change its serials' status instead")
        if not lots:
            raise ValidationError.single("product_id", f"product {product.sku!r} has no lot "
                                         "to adjust; receive it first", product_id)
        return lots

    @retry_transient
    def cycle_count(self, location_id: str, counts: Any = None,
                    serial_numbers: Any = None) -> Counted:
        """Compare what is counted at a location with its balances; post the differences.
        `serial_numbers=None` means serials were not counted; an empty list means they were
        and none was found, so every serial recorded there is reported missing."""
        self.actor.require(Role.MANAGER, "counting stock")
        lots_counted = parse_counts(counts) if counts else {}
        numbers = None if serial_numbers is None else (
            clean_serial_numbers(serial_numbers) if serial_numbers else [])
        if not lots_counted and numbers is None:
            raise ValidationError.single("counts", "give the counted lots or the serial "
                                         "numbers found (an empty list: none found)")
        with self.writing() as uow:
            location = need_location(uow, location_id)
            counted = count_location(uow, location, lots_counted, numbers)
            uow.events.add("stock.counted", count_data(uow, location, counted))
            return counted

    # --- holds on serials and locations ------------------------------------------------

    def hold_serial(self, serial_id: str, reason: str, kind: str = "quarantine") -> Serial:
        values = self._hold_values(reason, kind)
        with self.writing() as uow:
            serial = need_serial(uow, serial_id)
            if serial.hold is not None:
                raise Conflict(f"serial {serial.serial_number!r} is already on hold")
            uow.serials.set_state(serial.id, values)
            after = need_serial(uow, serial.id)
            self._audit(uow, "serial", "hold", serial, after, values["hold_reason"])
            return after

    def release_serial(self, serial_id: str) -> Serial:
        self.actor.require(Role.MANAGER, "releasing holds")
        with self.writing() as uow:
            serial = need_serial(uow, serial_id)
            if serial.hold is None:
                raise Conflict(f"serial {serial.serial_number!r} is not on hold")
            uow.serials.set_state(serial.id, _NO_HOLD)
            after = need_serial(uow, serial.id)
            self._audit(uow, "serial", "release", serial, after)
            return after

    def hold_location(self, location_id: str, reason: str,
                      kind: str = "quarantine") -> Location:
        values = self._hold_values(reason, kind)
        with self.writing() as uow:
            location = need_location(uow, location_id)
            if location.hold is not None:
                raise Conflict(f"location {location.code!r} is already on hold")
            uow.locations.update(location.id, values)
            after = need_location(uow, location.id)
            self._audit(uow, "location", "hold", location, after, values["hold_reason"])
            return after

    def release_location(self, location_id: str, reason: str | None = None) -> Location:
        """`reason`: why the hold ends, kept in the audit log."""
        self.actor.require(Role.MANAGER, "releasing holds")
        note = clean_text(reason, "reason", max_length=2000)
        with self.writing() as uow:
            location = need_location(uow, location_id)
            if location.hold is None:
                raise Conflict(f"location {location.code!r} is not on hold")
            uow.locations.update(location.id, _NO_HOLD)
            after = need_location(uow, location.id)
            self._audit(uow, "location", "release", location, after, note)
            return after

    def _hold_values(self, reason: str, kind: str) -> dict[str, Any]:
        self.actor.require(Role.MANAGER, "holding stock")
        errors = ErrorCollector()
        text = errors.take(required_text, reason, "reason", max_length=2000)
        hold_kind = errors.take(parse_enum, HoldKind, kind, "kind")
        errors.raise_if_any()
        assert hold_kind is not None
        return {"hold_reason": text, "hold_kind": hold_kind.value,
                "hold_since": self.actor.now()}

    def _audit(self, uow: UnitOfWork, entity: str, action: str, before: Serial | Location,
               after: Serial | Location, reason: str | None = None) -> None:
        record_change(uow, entity, before.id, action, snapshot(before), snapshot(after),
                      reason)


_NO_HOLD: dict[str, Any] = {"hold_reason": None, "hold_kind": None, "hold_since": None}


def _check_release_from_quarantine(lot: LotRecord, source: Location) -> None:
    """A hold blocks transfers out of quarantine (DESIGN §3), not moves into it."""
    if lot.hold is not None and source.kind is LocationKind.QUARANTINE:
        raise LotBlocked(f"lot {lot.batch_number!r} is on hold; it cannot leave "
                         f"{source.code}", batch_id=lot.id)


_HOLD_EXITS = (LocationKind.QUARANTINE, LocationKind.RETURNS)


def _check_location_hold(source: Location, target: Location, reason: str | None) -> None:
    """A hold on a location blocks moving stock out of it, except to a quarantine or returns
    location with a reason (transfers are a manager's already)."""
    if source.hold is None or (target.kind in _HOLD_EXITS and reason and reason.strip()):
        return
    raise LotBlocked(f"location {source.code} is on {source.hold.kind.value} hold "
                     f"({source.hold.reason}); stock may leave it only for a quarantine or "
                     f"returns location, with a reason", location_id=source.id)
