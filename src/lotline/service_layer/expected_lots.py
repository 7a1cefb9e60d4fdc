"""The lots a supplier announces on a receipt line (ASN): each lot's number as printed, and,
when the ASN says, its expiry and quantity. Kept with the line so the receiving screen can
show what is coming; the lots themselves are made when the units are received."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from lotline.domain.errors import ValidationError
from lotline.domain.flows import ReceiptLine
from lotline.domain.model import Product
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_number,
    fold_number,
    optional_date,
    optional_decimal,
)

LOT_FIELDS = ("batch_number", "expiry_date", "quantity")
MAX_EXPECTED_LOTS = 1000
LOTS_NAMED = 8  # expected lots named in a refusal; more are counted


def parse_expected_lots(value: Any, field: str) -> list[dict[str, Any]]:
    """`[{batch_number, expiry_date?, quantity?}]` as stored (dates and amounts as text)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_EXPECTED_LOTS:
        raise ValidationError.single(field, f"must be a list of at most {MAX_EXPECTED_LOTS} "
                                     "lots {batch_number, expiry_date, quantity}", value)
    errors = ErrorCollector()
    parsed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"{field}.{index}"
        if not isinstance(item, Mapping):
            errors.add(where, "must be an object with batch_number", item)
            continue
        lot = errors.take(apply_aliases, dict(item), {}, LOT_FIELDS) or {}
        number = errors.take(clean_number, lot.get("batch_number"), f"{where}.batch_number")
        expiry = errors.take(optional_date, lot.get("expiry_date"), f"{where}.expiry_date")
        quantity = errors.take(optional_decimal, lot.get("quantity"), f"{where}.quantity")
        if quantity is not None and quantity <= 0:
            errors.add(f"{where}.quantity", "must be greater than 0", str(quantity))
        if number is not None and fold_number(number) in seen:
            errors.add(f"{where}.batch_number", f"lot {number} is listed twice", number)
        if number is not None:
            seen.add(fold_number(number))
            parsed.append({"batch_number": number,
                           "expiry_date": expiry.isoformat() if expiry else None,
                           "quantity": str(quantity) if quantity is not None else None})
    errors.raise_if_any()
    return parsed


def check_expected_lots(lots: list[dict[str, Any]], product: Product, expected: Decimal,
                        field: str) -> None:
    """Announced lots fit the line: a lot-tracked product, and no more than expected."""
    if not lots:
        return
    if not product.tracking.requires_lot:
        raise ValidationError.single(field, f"product {product.sku!r} is not lot-tracked")
    announced = sum((Decimal(lot["quantity"]) for lot in lots if lot["quantity"]), Decimal(0))
    if announced > expected:
        raise ValidationError.single(field, f"the lots add up to {announced}, more than the "
                                     f"{expected} expected on the line", str(announced))


def unexpected_lot(line: ReceiptLine, batch_number: str | None, sku: str) -> str | None:
    """Why lot `batch_number` cannot be received on `line` (the lots it expects, named), or
    None when it can: a line whose ASN announced lots takes those lots only. Every door asks
    this one question (the API's receive, the scan screen), so they cannot disagree."""
    if not line.expected_lots or batch_number is None:
        return None
    if fold_number(batch_number) in {fold_number(lot.batch_number) for lot in line.expected_lots}:
        return None
    named = [lot.batch_number for lot in line.expected_lots[:LOTS_NAMED]]
    more = len(line.expected_lots) - len(named)
    expected = ", ".join(named) + (f" and {more} more" if more > 0 else "")
    return (f"lot {batch_number} is not expected on line {line.line_no} ({sku}); "
            f"the supplier announced {expected}")


def received_so_far(received: list[tuple[str, str, Decimal]], line: ReceiptLine
                    ) -> dict[str, Decimal]:
    """Each expected lot of `line` (by its number as announced) with what its receipt has
    received of it so far (every line of the product counts: a lot is a product's)."""
    by_number: dict[str, Decimal] = {}
    for product_id, number, quantity in received:
        if product_id == line.product_id:
            key = fold_number(number)
            by_number[key] = by_number.get(key, Decimal(0)) + quantity
    return {lot.batch_number: by_number.get(fold_number(lot.batch_number), Decimal(0))
            for lot in line.expected_lots}
