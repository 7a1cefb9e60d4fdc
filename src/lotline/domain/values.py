"""Parsing and normalising the values every door accepts: quantities, money, dates, numbers
and codes. Each parser names the field it is checking in its error."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from lotline.domain.errors import FieldError, ValidationError

V = TypeVar("V")

MAX_DECIMAL_PLACES = 6
MAX_WHOLE_DIGITS = 14
MAX_NUMBER_LENGTH = 100  # serial and batch numbers
MAX_TEXT_LENGTH = 200  # names, codes
MAX_LONG_TEXT_LENGTH = 2000  # reasons, notes, addresses
# C0 controls except tab, LF and CR, and lone surrogates (a pair decodes to one character
# first): refused in every text at every door (docs/decisions.md). PostgreSQL cannot store
# NUL, XLSX cannot hold C0 controls and UTF-8 cannot encode a lone surrogate.
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")
_FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# A barcode reading may also hold GS (U+001D), GS1's FNC1 separator; it is read, not stored.
_FORBIDDEN_IN_SCAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1c\x1e\x1f\ud800-\udfff]")


def forbidden_character(text: str, *, scan: bool = False) -> str | None:
    """Why `text` cannot be taken, or None: `must not contain the control character U+0000`
    (or `the lone surrogate U+D800`). `scan`: a barcode reading, where GS is data."""
    found = (_FORBIDDEN_IN_SCAN if scan else _FORBIDDEN_CHARACTER).search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "lone surrogate" if code >= 0xD800 else "control character"
    return f"must not contain the {kind} U+{code:04X}"


def search_text(q: str | None, field: str = "q") -> str | None:
    """A search fragment, stripped; None when empty. FTS and PostgreSQL reject some
    characters outright, so the text rule applies here too."""
    return refuse_forbidden_characters(q.strip(), field) or None if q else None


def refuse_forbidden_characters(text: str, field: str) -> str:
    problem = forbidden_character(text)
    if problem is not None:
        raise ValidationError.single(field, problem, text)
    return text


def to_decimal(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    """A quantity or an amount: exact, at most 6 decimal places, non-negative unless allowed.

    Floats are accepted only through their shortest repr (`12.5` -> `Decimal("12.5")`) so a JSON
    number never picks up binary rounding noise."""
    if isinstance(value, bool) or value is None:
        raise ValidationError.single(field, "must be a number", value)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError.single(field, "must be a number", value) from None
    if not number.is_finite():
        raise ValidationError.single(field, "must be a finite number", value)
    if not allow_negative and number < 0:
        raise ValidationError.single(field, "must not be negative", value)
    if abs(number) >= Decimal(10) ** MAX_WHOLE_DIGITS:
        raise ValidationError.single(field, "is too large", value)
    if number != number.quantize(Decimal(1).scaleb(-MAX_DECIMAL_PLACES)):
        raise ValidationError.single(
            field, f"has more than {MAX_DECIMAL_PLACES} decimal places", value)
    return normalize(number)


def optional_decimal(value: Any, field: str) -> Decimal | None:
    return None if value is None else to_decimal(value, field)


def whole_units(value: Decimal, field: str) -> int:
    """Serial-tracked quantities count physical units."""
    if value != value.to_integral_value():
        raise ValidationError.single(field, "must be a whole number of units", str(value))
    return int(value)


def normalize(number: Decimal) -> Decimal:
    """Shortest exact form without exponent: 12.50 -> 12.5, 100.0 -> 100, -0 -> 0."""
    if number == 0:
        return Decimal(0)
    if number.is_finite() and number == number.to_integral_value():
        return Decimal(int(number))  # exact at any size (quantize fails past 28 digits)
    return number.normalize()


def decimal_text(number: Decimal) -> str:
    """Canonical string of a Decimal, identical whatever the database handed back."""
    return format(normalize(number), "f")


def to_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text[:10] if "T" in text else text)
        except ValueError:
            pass
    raise ValidationError.single(field, "must be a date YYYY-MM-DD", value)


def optional_date(value: Any, field: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_date(value, field)


def clean_number(value: Any, field: str) -> str:
    """A serial or batch number: scanners add whitespace at the ends; inside it is kept."""
    if not isinstance(value, str):
        raise ValidationError.single(field, "must be a string", value)
    text = value.strip()
    if not text:
        raise ValidationError.single(field, "must not be empty or whitespace", value)
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValidationError.single(
            field, f"is longer than {MAX_NUMBER_LENGTH} characters ({len(text)})", value)
    if _CONTROL_CHARACTER.search(text):
        raise ValidationError.single(field, "must not contain control characters", value)
    return refuse_forbidden_characters(text, field)


def clean_text(value: Any, field: str, *, required: bool = False,
               max_length: int = MAX_TEXT_LENGTH) -> str | None:
    if value is None:
        if required:
            raise ValidationError.single(field, "is required", value)
        return None
    if not isinstance(value, str):
        raise ValidationError.single(field, "must be a string", value)
    text = value.strip()
    if not text:
        if required:
            raise ValidationError.single(field, "must not be empty", value)
        return None
    if len(text) > max_length:
        raise ValidationError.single(
            field, f"is longer than {max_length} characters ({len(text)})", value)
    return refuse_forbidden_characters(text, field)


def required_text(value: Any, field: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    text = clean_text(value, field, required=True, max_length=max_length)
    assert text is not None
    return text


def fold_number(batch_number: str) -> str:
    """Lot numbers compare case-insensitively ("LOT-2025A" == "lot-2025a")."""
    return batch_number.casefold()


def gtin_check_digit(body: str) -> int:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalize_gtin(value: Any, field: str = "gtin") -> str | None:
    """GTIN-8/12/13/14 with a valid check digit, left-padded to 14 digits."""
    text = clean_text(value, field, max_length=14)
    if text is None:
        return None
    if not text.isdigit() or len(text) not in (8, 12, 13, 14):
        raise ValidationError.single(field, "must be 8, 12, 13 or 14 digits", value)
    if gtin_check_digit(text[:-1]) != int(text[-1]):
        raise ValidationError.single(field, "has a wrong check digit", value)
    return text.zfill(14)


def normalize_gln(value: Any, field: str = "gln") -> str | None:
    """A Global Location Number: 13 digits, the last a valid GS1 check digit."""
    text = clean_text(value, field, max_length=40)
    if text is None:
        return None
    if not text.isdigit() or len(text) != 13:
        raise ValidationError.single(field, "must be 13 digits (a GS1 GLN)", value)
    if gtin_check_digit(text[:-1]) != int(text[-1]):
        raise ValidationError.single(field, "has a wrong check digit", value)
    return text


def optional_int(value: Any, field: str, *, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError.single(field, "must be a whole number", value)
    try:
        number = int(value)
    except ValueError:
        raise ValidationError.single(field, "must be a whole number", value) from None
    if number < minimum:
        raise ValidationError.single(field, f"must be at least {minimum}", value)
    return number


class ErrorCollector:
    """Runs parsers and keeps every ValidationError, so one reply names all bad fields."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def take(self, parser: Callable[..., V], *args: Any, **kwargs: Any) -> V | None:
        try:
            return parser(*args, **kwargs)
        except ValidationError as error:
            self.errors.extend(error.errors)
            return None

    def add(self, field: str, message: str, value: Any = None) -> None:
        self.errors.append(FieldError(field, message, value))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def apply_aliases(fields: dict[str, Any], aliases: dict[str, str],
                  allowed: Iterable[str]) -> dict[str, Any]:
    """Rename seed aliases to canonical names; reject unknown fields and conflicting pairs."""
    allowed_set = set(allowed)
    result: dict[str, Any] = {}
    errors = ErrorCollector()
    for name, value in fields.items():
        canonical = aliases.get(name, name)
        if canonical not in allowed_set:
            errors.add(name, "unknown field", value)
            continue
        if canonical in result and result[canonical] != value:
            errors.add(name, f"conflicts with {canonical}", value)
            continue
        result[canonical] = value
    errors.raise_if_any()
    return result
