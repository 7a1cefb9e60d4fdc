"""What a receive request says, decided once for every door: which line a product's lots go
to, how rows of lots (one per serial, or one per lot with its quantity) group into lot
entries, what an entry adds up to, and which lines a reason given once belongs to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.flows import Receipt, ReceiptLine

LOT_COLUMNS = ("product", "lot", "expiry_date", "manufacturing_date", "manufacturer_lot",
               "quantity", "serial_number")
LotEntries = dict[str, list[dict[str, Any]]]


def line_for_product(receipt: Receipt, product_id: str, sku: str) -> ReceiptLine:
    """The receipt's line for a product, else a ValidationError naming the product."""
    line = next((line for line in receipt.lines if line.product_id == product_id), None)
    if line is None:
        raise ValidationError.single("product", f"receipt {receipt.reference!r} has no line "
                                     f"for {sku}", sku)
    return line


def is_line_open(line: ReceiptLine) -> bool:
    """Still expecting units: not all received, and not closed short with a reason."""
    return line.received_quantity < line.expected_quantity and not line.reason


def first_open_line(receipt: Receipt) -> ReceiptLine | None:
    """The first line still expecting units, else the first line (None for no lines)."""
    open_lines = [x for x in receipt.lines if is_line_open(x)]
    candidates = open_lines or receipt.lines
    return candidates[0] if candidates else None


def remaining_quantity(line: ReceiptLine) -> Decimal:
    """What a line still expects (never below zero: an over receipt expects nothing, and a
    line received short with a reason is closed)."""
    if line.reason:
        return Decimal(0)
    return max(line.expected_quantity - line.received_quantity, Decimal(0))


def lot_entry(number: str, expiry: str, made: str, manufacturer_lot: str) -> dict[str, Any]:
    """A lot entry of a receive request with the fields given (empty text = not given)."""
    entry: dict[str, Any] = {}
    for name, value in (("batch_number", number), ("expiry_date", expiry),
                        ("manufacturing_date", made),
                        ("manufacturer_batch_number", manufacturer_lot)):
        if value:
            entry[name] = value
    return entry


def lots_from_rows(rows: Iterable[Mapping[str, str | None]],
                   line_of: Callable[[str], ReceiptLine]) -> LotEntries:
    """Rows of LOT_COLUMNS grouped into the lot entries of each line (by line id): rows of one
    lot (number, dates, manufacturer lot) make one entry, their serials listed and their
    quantities added. `line_of(sku)` names the line of a row's product ("" = not given)."""
    rows = list(rows)
    unknown = sorted({name for row in rows for name in row if name not in LOT_COLUMNS})
    if unknown:
        raise ValidationError.single("lots_file", f"unknown columns {', '.join(unknown)}; "
                                     f"use {', '.join(LOT_COLUMNS)}", ", ".join(unknown))
    by_line: dict[str, dict[tuple[str, ...], dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        line = line_of((row.get("product") or "").strip())
        key = tuple((row.get(name) or "").strip() for name in LOT_COLUMNS[1:5])
        lot = by_line[line.id].setdefault(key, lot_entry(*key))
        serial = (row.get("serial_number") or "").strip()
        if serial:
            lot.setdefault("serial_numbers", []).append(serial)
        quantity = (row.get("quantity") or "").strip()
        if quantity:
            lot["quantity"] = str(Decimal(lot.get("quantity", "0")) + _decimal(quantity))
    return {line_id: list(lots.values()) for line_id, lots in by_line.items()}


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except ArithmeticError:
        raise ValidationError.single("quantity", "must be a number", text) from None


def entry_quantity(entry: Mapping[str, Any]) -> Decimal:
    """What a lot entry adds up to: its quantity, else its serial count (0 for a quantity that
    is not a number: receiving reports it)."""
    if entry.get("quantity") is None:
        return Decimal(len(entry.get("serial_numbers", [])))
    try:
        return Decimal(str(entry["quantity"]).strip())
    except ArithmeticError:
        return Decimal(0)


def receive_request(receipt: Receipt, lots_by_line: LotEntries,
                    reason: str | None) -> list[dict[str, Any]]:
    """The `lines` of a receive call. A reason given once goes to the lines whose lots do not
    add up to what they still expect (short or over), or to every line when all add up."""
    short_or_over = {line.id for line in receipt.lines if line.id in lots_by_line and
                     line.received_quantity + sum(map(entry_quantity, lots_by_line[line.id]),
                                                  Decimal(0)) != line.expected_quantity}
    return [{"line_id": line_id, "lots": lots,
             **({"reason": reason} if reason and (line_id in short_or_over or
                                                  not short_or_over) else {})}
            for line_id, lots in lots_by_line.items()]
