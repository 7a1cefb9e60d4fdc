"""Serial ranges, lists and patterns (domain.serial_numbers), and import file headers."""

from __future__ import annotations

import datetime as dt

import pytest

from lotline.domain.errors import ValidationError
from lotline.domain.exchange import SERIALS, header_key, map_header
from lotline.domain.serial_numbers import (
    check_pattern,
    expand_range,
    expand_serial_input,
    render_serial,
)


def test_range_keeps_zero_padding() -> None:
    numbers = expand_range("SN-0001", "SN-0500")
    assert len(numbers) == 500
    assert numbers[:2] == ["SN-0001", "SN-0002"] and numbers[-1] == "SN-0500"


def test_range_counts_the_last_run_of_digits_and_keeps_a_suffix() -> None:
    assert expand_range("SN-2025-0098", "SN-2025-0101") == [
        "SN-2025-0098", "SN-2025-0099", "SN-2025-0100", "SN-2025-0101"]
    assert expand_range("A9-B", "A11-B") == ["A9-B", "A10-B", "A11-B"]
    assert expand_range("7", "9") == ["7", "8", "9"]


@pytest.mark.parametrize(("first", "last", "message"), [
    ("SN-0010", "SN-0001", "count up"),
    ("SN-0001", "XN-0005", "differ only"),
    ("SN-A", "SN-B", "differ only"),
    ("SN-01", "SN-100", "same number of digits"),
    ("SN-1", "SN-2000000", "at most"),
])
def test_bad_ranges(first: str, last: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        expand_range(first, last)


def test_text_input_mixes_lists_and_ranges() -> None:
    assert expand_serial_input(" A-1, B-01..B-03\nC-9 ,,") == [
        "A-1", "B-01", "B-02", "B-03", "C-9"]
    assert expand_serial_input(["X1..X3", "Y"]) == ["X1", "X2", "X3", "Y"]
    with pytest.raises(ValidationError) as caught:
        expand_serial_input(["A1..A3", "B5..B1", "C..D"])
    assert [e.field for e in caught.value.errors] == ["serial_numbers.1", "serial_numbers.2"]


def test_patterns() -> None:
    day = dt.date(2026, 4, 9)
    assert render_serial("SN-{YYYY}{MM}-{####}", 7, day) == "SN-202604-0007"
    assert render_serial("{YY}{MM}{DD}{##}X", 123, day) == "26040912" + "3X"
    assert check_pattern("SN-{####}") == "SN-{####}"
    for bad in ("SN-{YYYY}", "SN-{##}-{##}", "SN-{####}-{Q}"):
        with pytest.raises(ValidationError):
            check_pattern(bad)


def test_header_mapping_knows_the_seed_names() -> None:
    header = ["\ufeffSerial Number", "LOT", "item_id", "Expiration-Date", "status", "notes"]
    mapped = map_header(header, SERIALS)
    assert mapped.index == {"serial_number": 0, "batch_number": 1, "product": 2, "status": 4}
    assert mapped.ignored == ["Expiration-Date", "notes"]
    assert header_key(" Warranty Expiry ") == "warranty_expiry"


def test_header_problems_are_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        map_header(["serial;batch_number;status"], SERIALS)
    assert "missing required column serial_number" in caught.value.message
    assert "is the delimiter ';'?" in caught.value.message
    with pytest.raises(ValidationError, match="second time"):
        map_header(["serial", "serial_number"], SERIALS)
