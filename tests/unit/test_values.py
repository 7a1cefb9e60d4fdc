"""Parsing of the values every door accepts (DESIGN §3): exact decimals, dates, serial and lot
numbers, GTINs, lot-number folding, seed aliases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.domain.errors import ValidationError
from lotline.domain.lots import parse_batch_fields
from lotline.domain.values import (
    clean_number,
    decimal_text,
    fold_number,
    gtin_check_digit,
    normalize,
    normalize_gtin,
    optional_date,
    to_date,
    to_decimal,
)


def field_error(excinfo: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    (error,) = excinfo.value.errors
    return error.field, error.message


# --- to_decimal --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (12.5, "12.5"),
    (0.1, "0.1"),            # through repr, not the binary expansion 0.1000000000000000055...
    (11.75, "11.75"),
    (100.0, "100"),
    (1e-6, "0.000001"),
    (500, "500"),
    ("12.50", "12.5"),
    ("100.0", "100"),
    ("  7 ", "7"),
    ("1E+2", "100"),
    (Decimal("12.500000"), "12.5"),
    (Decimal("0.000"), "0"),
    ("-0", "0"),
    ("99999999999999.999999", "99999999999999.999999"),
])
def test_to_decimal_exact_and_normalised(value: object, text: str) -> None:
    result = to_decimal(value, "quantity")
    assert isinstance(result, Decimal)
    assert str(result) == text
    assert decimal_text(result) == text


def test_float_noise_is_never_accepted_as_an_exact_value() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 as a float: more than 6 decimal places, refused.
    with pytest.raises(ValidationError) as caught:
        to_decimal(0.1 + 0.2, "unit_cost")
    assert field_error(caught) == ("unit_cost", "has more than 6 decimal places")


@pytest.mark.parametrize("value", ["1.0000001", 0.1234567, Decimal("3.1415926")])
def test_more_than_six_decimal_places_is_rejected(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(value, "quantity")
    assert field_error(caught) == ("quantity", "has more than 6 decimal places")
    assert caught.value.errors[0].value == value


def test_six_places_of_trailing_zeros_beyond_are_fine() -> None:
    assert str(to_decimal("1.1234560000", "quantity")) == "1.123456"


@pytest.mark.parametrize("value", [-1, "-0.5", -0.000001, Decimal("-3")])
def test_negatives_are_rejected(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(value, "quantity")
    assert field_error(caught) == ("quantity", "must not be negative")


def test_negatives_allowed_where_asked() -> None:
    assert to_decimal("-2.50", "quantity_delta", allow_negative=True) == Decimal("-2.5")


@pytest.mark.parametrize("value", [10**14, "100000000000000", 1e15, "-100000000000000"])
def test_huge_values_are_rejected(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(value, "quantity", allow_negative=True)
    assert field_error(caught) == ("quantity", "is too large")


@pytest.mark.parametrize(("value", "message"), [
    (None, "must be a number"), (True, "must be a number"), ("abc", "must be a number"),
    ("", "must be a number"), ([1], "must be a number"), ("NaN", "must be a finite number"),
    ("Infinity", "must be a finite number"), (float("inf"), "must be a finite number"),
])
def test_non_numbers_are_rejected(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        to_decimal(value, "unit_cost")
    assert field_error(caught) == ("unit_cost", message)


@pytest.mark.parametrize(("raw", "text"), [
    ("12.50", "12.5"), ("100.0", "100"), ("100", "100"), ("1E+3", "1000"), ("0.0100", "0.01"),
    ("-0.00", "0"), ("120", "120"),
])
def test_normalize(raw: str, text: str) -> None:
    assert str(normalize(Decimal(raw))) == text


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("2026-03-15", dt.date(2026, 3, 15)),
    (" 2026-03-15 ", dt.date(2026, 3, 15)),
    ("2026-03-15T10:30:00+00:00", dt.date(2026, 3, 15)),
    (dt.date(2027, 3, 15), dt.date(2027, 3, 15)),
    (dt.datetime(2027, 3, 15, 23, 59, tzinfo=dt.UTC), dt.date(2027, 3, 15)),
])
def test_to_date(value: object, expected: dt.date) -> None:
    assert to_date(value, "expiry_date") == expected


@pytest.mark.parametrize("value", ["15/03/2026", "2026-02-30", "2026-13-01", "", 20260315, None])
def test_bad_dates_are_rejected_naming_the_field(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        to_date(value, "expiry_date")
    assert field_error(caught) == ("expiry_date", "must be a date YYYY-MM-DD")
    assert caught.value.errors[0].value == value


def test_optional_date_treats_empty_as_missing() -> None:
    assert optional_date(None, "d") is None
    assert optional_date("  ", "d") is None
    assert optional_date("2026-01-02", "d") == dt.date(2026, 1, 2)


# --- serial and lot numbers --------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("SN-00042", "SN-00042"),
    ("  SN-00042\t\n", "SN-00042"),       # scanners add whitespace at the ends
    ("SN 00042", "SN 00042"),             # inside it is kept
    ("sn-00042", "sn-00042"),             # never case-folded
    ("x" * 100, "x" * 100),
])
def test_clean_number(value: str, expected: str) -> None:
    assert clean_number(value, "serial_number") == expected


@pytest.mark.parametrize(("value", "message"), [
    ("", "must not be empty or whitespace"),
    ("   \t ", "must not be empty or whitespace"),
    ("x" * 101, "is longer than 100 characters (101)"),
    ("SN\x001", "must not contain control characters"),
    ("SN\x1b[31m", "must not contain control characters"),
    ("SN\x7f", "must not contain control characters"),
    ("SN\n1", "must not contain control characters"),
    (42, "must be a string"),
    (None, "must be a string"),
])
def test_bad_numbers_are_rejected(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_number(value, "batch_number")
    assert field_error(caught) == ("batch_number", message)


def test_lot_numbers_fold_case_insensitively() -> None:
    assert fold_number("LOT-2025A") == fold_number("lot-2025a") == "lot-2025a"
    assert fold_number("STRASSE") == fold_number("straße")
    assert fold_number("LOT-2025A") != fold_number("LOT-2025B")


# --- GTIN --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "digit"), [
    ("400638133393", 1), ("03600029145", 2), ("9638507", 4), ("0950110153000", 3),
])
def test_gtin_check_digit(body: str, digit: int) -> None:
    assert gtin_check_digit(body) == digit


@pytest.mark.parametrize(("value", "expected"), [
    ("4006381333931", "04006381333931"),    # GTIN-13
    ("036000291452", "00036000291452"),     # GTIN-12 (UPC-A)
    ("96385074", "00000096385074"),         # GTIN-8
    ("09501101530003", "09501101530003"),   # GTIN-14
    (" 4006381333931 ", "04006381333931"),
    (None, None),
    ("", None),
])
def test_normalize_gtin_pads_to_14(value: object, expected: str | None) -> None:
    assert normalize_gtin(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("4006381333932", "has a wrong check digit"),
    ("09501101530004", "has a wrong check digit"),
    ("400638133393", "has a wrong check digit"),
    ("40063813339", "must be 8, 12, 13 or 14 digits"),
    ("400638133393A", "must be 8, 12, 13 or 14 digits"),
    ("1234567", "must be 8, 12, 13 or 14 digits"),
])
def test_bad_gtins(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_gtin(value)
    assert field_error(caught) == ("gtin", message)


# --- batch fields and the seed aliases ---------------------------------------------------------

def test_batch_field_aliases_from_the_seeds() -> None:
    parsed = parse_batch_fields({
        "item_id": "p-1", "batch_number": " LOT-1 ", "manufacturer_date": "2026-03-15",
        "expiration_date": "2027-03-15", "initial_quantity": "500.0",
        "batch_custom_fields": [{"label": "Origin", "value": "PT"}], "unit_cost": 12.50,
    })
    assert parsed["product_id"] == "p-1"
    assert parsed["batch_number"] == "LOT-1"
    assert parsed["manufacturing_date"] == dt.date(2026, 3, 15)
    assert parsed["expiry_date"] == dt.date(2027, 3, 15)
    assert str(parsed["quantity"]) == "500"
    assert str(parsed["unit_cost"]) == "12.5"
    assert [(f.label, f.value) for f in parsed["custom_fields"]] == [("Origin", "PT")]
    assert parse_batch_fields({"manufactured_date": "2026-01-01", "in_quantity": 3}) == {
        "manufacturing_date": dt.date(2026, 1, 1), "quantity": Decimal(3)}


def test_batch_fields_report_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_batch_fields({"batch_number": "  ", "quantity": -1, "unit_cost": "x",
                            "expiry_date": "soon", "colour": "red"})
    assert sorted(e.field for e in caught.value.errors) == ["colour"]  # unknown fields first
    with pytest.raises(ValidationError) as caught:
        parse_batch_fields({"batch_number": "  ", "quantity": -1, "unit_cost": "x",
                            "expiry_date": "soon"})
    assert sorted(e.field for e in caught.value.errors) == [
        "batch_number", "expiry_date", "quantity", "unit_cost"]


def test_expiry_before_manufacturing_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_batch_fields({"manufacturing_date": "2026-03-15", "expiry_date": "2026-03-14"})
    assert field_error(caught) == (
        "expiry_date", "2026-03-14 is before the manufacturing date 2026-03-15")
    same_day = parse_batch_fields({"manufacturing_date": "2026-03-15",
                                   "expiry_date": "2026-03-15"})
    assert same_day["expiry_date"] == dt.date(2026, 3, 15)


def test_conflicting_alias_pair_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_batch_fields({"expiry_date": "2027-01-01", "expiration_date": "2027-02-01"})
    assert field_error(caught) == ("expiration_date", "conflicts with expiry_date")
    agreeing = parse_batch_fields({"quantity": 5, "initial_quantity": 5})
    assert agreeing == {"quantity": Decimal(5)}
