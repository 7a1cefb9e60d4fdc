"""The receiving screen's scans not yet received: lots with quantities and serial numbers,
carried in the page (a hidden JSON field) between scans, so the server keeps no state and a
receipt line is received in one all-or-nothing call once its count is complete."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.model import Product
from lotline.domain.statuses import Tracking
from lotline.domain.values import fold_number

MAX_PENDING_UNITS = 100_000


@dataclass
class PendingLot:
    batch_number: str | None
    expiry_date: str | None
    quantity: int = 0
    serial_numbers: list[str] = field(default_factory=list)

    def as_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"quantity": self.quantity}
        if self.batch_number:
            entry["batch_number"] = self.batch_number
        if self.expiry_date:
            entry["expiry_date"] = self.expiry_date
        if self.serial_numbers:
            entry["serial_numbers"] = list(self.serial_numbers)
        return entry


@dataclass
class Pending:
    lots: list[PendingLot] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(lot.quantity for lot in self.lots)

    def serials(self) -> set[str]:
        return {number for lot in self.lots for number in lot.serial_numbers}

    def lot(self, batch_number: str | None, expiry_date: str | None) -> PendingLot:
        folded = fold_number(batch_number) if batch_number else None
        for lot in self.lots:
            if (fold_number(lot.batch_number) if lot.batch_number else None) == folded:
                if expiry_date and not lot.expiry_date:
                    lot.expiry_date = expiry_date
                return lot
        new = PendingLot(batch_number=batch_number, expiry_date=expiry_date)
        self.lots.append(new)
        return new

    def remove(self, scanned: str) -> str | None:
        """Take back one scan: a serial number, else a lot's whole quantity (by its number,
        or "" for units without a lot). What was removed, or None when nothing matched."""
        for lot in self.lots:
            if scanned in lot.serial_numbers:
                lot.serial_numbers.remove(scanned)
                lot.quantity -= 1
                return scanned
        for lot in self.lots:
            if (lot.batch_number or "") == scanned and not lot.serial_numbers:
                lot.quantity = 0
                return f"lot {scanned}" if scanned else "the units without a lot"
        return None

    def dump(self) -> str:
        return json.dumps([{"batch_number": lot.batch_number, "expiry_date": lot.expiry_date,
                            "quantity": lot.quantity, "serial_numbers": lot.serial_numbers}
                           for lot in self.lots if lot.quantity], separators=(",", ":"))

    def entries(self) -> list[dict[str, Any]]:
        return [lot.as_entry() for lot in self.lots if lot.quantity]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def load_pending(raw: str) -> Pending:
    """The page's pending scans; anything malformed is a ValidationError, not a crash."""
    if not raw.strip():
        return Pending()
    try:
        items = json.loads(raw)
        lots = [PendingLot(batch_number=_text(item.get("batch_number")),
                           expiry_date=_text(item.get("expiry_date")),
                           quantity=int(item.get("quantity", 0)),
                           serial_numbers=[str(n) for n in item.get("serial_numbers", [])])
                for item in items]
    except (ValueError, TypeError, AttributeError):
        raise ValidationError.single("pending", "the scanned units on this page could not "
                                                "be read; clear them and scan again") from None
    pending = Pending(lots)
    if pending.count > MAX_PENDING_UNITS or any(lot.quantity < 0 for lot in lots):
        raise ValidationError.single("pending", "too many scanned units on one page")
    return pending


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    message: str
    notice: bool = False  # done, but not as planned (a swapped unit): said, not only ticked


def add_units(pending: Pending, product: Product, remaining: Decimal, *, lot: str | None,
              expiry: str | None, serial: str | None, quantity: int) -> Outcome:
    """Add a scan's units to the pending lots, or say why not (nothing changes then)."""
    needs_lot = product.tracking.requires_lot
    if needs_lot and not lot:
        return Outcome(False, f"{product.sku} is lot-tracked: scan the lot label (or type the "
                              "lot number) first")
    if product.tracking.uses_serials:
        if serial is None:
            return Outcome(True, f"Lot {lot} selected: scan each unit's serial number")
        if serial in pending.serials():
            return Outcome(False, f"{serial} is already scanned")
        quantity = 1
    elif serial is not None:
        return Outcome(False, f"{product.sku} takes no serial numbers")
    if quantity <= 0:
        return Outcome(False, "the quantity must be at least 1")
    if pending.count + quantity > remaining:
        return Outcome(False, f"that makes {pending.count + quantity}, more than the "
                              f"{remaining} still expected on this line")
    untracked = product.tracking is Tracking.NONE
    target = pending.lot(None if untracked else lot, None if untracked else expiry)
    target.quantity += quantity
    if serial is not None:
        target.serial_numbers.append(serial)
    what = serial if serial is not None else f"{quantity} × {product.sku}"
    return Outcome(True, f"{what}" + (f" in lot {lot}" if lot else "") + " scanned")
