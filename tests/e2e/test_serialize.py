"""The wire serialisation every door shares (`lotline.entrypoints.serialize`): exact decimals
as JSON numbers, ISO dates, UTC timestamps, canonical enum values, CSV cells."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from lotline import SerialStatus
from lotline.entrypoints.serialize import csv_cell, dumps, to_csv, to_jsonable


@dataclass(frozen=True)
class Row:
    amount: Decimal
    day: dt.date
    at: dt.datetime
    status: SerialStatus
    tags: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


ROW = Row(amount=Decimal("12.50"), day=dt.date(2026, 5, 1),
          at=dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
          status=SerialStatus.AVAILABLE, tags=("a", "b"),
          extra={"n": Decimal("100.000"), "none": None})


@pytest.mark.parametrize(("number", "text"), [
    (Decimal("12.50"), "12.5"), (Decimal("100.000"), "100"), (Decimal("11.75"), "11.75"),
    (Decimal("0E-6"), "0"), (Decimal("-0.000001"), "-0.000001"), (Decimal("1E+3"), "1000"),
    (Decimal("12345678901234.123456"), "12345678901234.123456"),
])
def test_decimals_are_json_numbers_in_shortest_exact_form(number: Decimal, text: str) -> None:
    assert dumps({"q": number}) == '{"q":' + text + "}"
    assert csv_cell(number) == text


def test_dataclasses_keep_field_names_and_order() -> None:
    assert dumps(ROW) == (
        '{"amount":12.5,"day":"2026-05-01","at":"2026-05-01T10:00:00+00:00",'
        '"status":"IN_STOCK","tags":["a","b"],"extra":{"n":100,"none":null}}')
    assert json.loads(dumps(ROW, indent=2)) == json.loads(dumps(ROW))
    assert to_jsonable([ROW])[0]["amount"] == Decimal("12.5")  # type: ignore[index]


def test_csv_has_a_header_and_compact_json_for_nested_values() -> None:
    assert to_csv([ROW]) == (
        "amount,day,at,status,tags,extra\n"
        '12.5,2026-05-01,2026-05-01T10:00:00+00:00,IN_STOCK,"[""a"",""b""]",'
        '"{""n"":100,""none"":null}"\n')
    assert to_csv([], ["a", "b"]) == "a,b\n"
    assert (csv_cell(None), csv_cell(True), csv_cell("x")) == ("", "true", "x")


def test_unknown_types_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot serialise object"):
        dumps(object())


def test_indented_text_is_laid_out_one_value_per_line() -> None:
    assert dumps({"a": [Decimal("1.50"), "x"], "b": {}, "c": []}, indent=2) == (
        '{\n  "a": [\n    1.5,\n    "x"\n  ],\n  "b": {},\n  "c": []\n}')


def test_a_text_that_looks_like_a_marked_number_stays_text() -> None:
    # Decimals pass through the standard encoder as marked strings (a NUL and a per-process
    # nonce) unwrapped afterwards: a string holding a NUL and digits is not unwrapped.
    for text in ("\u0000:12", "\u0000deadbeefdeadbeef:12", "\\u0000:1"):
        assert json.loads(dumps({"q": text, "n": Decimal("2")})) == {"q": text, "n": 2}


def test_a_decimal_that_is_no_number_is_null() -> None:
    assert dumps([Decimal("NaN"), Decimal("Infinity"), Decimal("-0.0")]) == "[null,null,0]"
