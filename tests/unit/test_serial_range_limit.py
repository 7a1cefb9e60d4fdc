"""Range expansion cannot pass the per-call limit (issue 17, finding 8): ranges are counted by
arithmetic on their ends before a single number is made, so a million-unit range is refused
cheaply, with a 422 naming the limit."""

from __future__ import annotations

import tracemalloc

import pytest

from lotline.domain.serial_numbers import MAX_SERIALS_PER_CALL, expand_serial_input
from lotline.errors import ValidationError
from lotline.service_layer.registration import clean_serial_numbers

LIMIT_MESSAGE = ("holds {count} serial numbers once its ranges are expanded; at most 100000 are "
                 "accepted in one call (split it)")


def refusal(values: object) -> tuple[ValidationError, int]:
    """The error, and the peak bytes Python allocated while refusing."""
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as caught:
            clean_serial_numbers(values)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return caught.value, peak


def test_a_million_unit_range_is_refused_for_less_than_5_mb() -> None:
    error, peak = refusal(["RG-000001..RG-1000000"])
    assert [(e.field, e.message, e.value) for e in error.errors] == [
        ("serial_numbers.0", "a range holds at most 100000 numbers; this one holds 1000000",
         "RG-000001..RG-1000000")]
    assert error.http_status == 422
    assert peak < 5 * 1024 * 1024, peak


def test_ranges_under_the_limit_each_are_counted_together() -> None:
    error, peak = refusal("RG-000001..RG-060000, RG-100001..RG-160000\nEXTRA-1")
    assert [(e.field, e.message, e.value) for e in error.errors] == [
        ("serial_numbers", LIMIT_MESSAGE.format(count=120001), 120001)]
    assert peak < 5 * 1024 * 1024, peak
    four_of_a_million = [f"R{n}-0000001..R{n}-1000000" for n in range(4)]
    error, peak = refusal(four_of_a_million)
    assert [e.field for e in error.errors] == [f"serial_numbers.{n}" for n in range(4)]
    assert peak < 5 * 1024 * 1024, peak


def test_exactly_the_limit_expands() -> None:
    numbers = expand_serial_input(["RG-000001..RG-099999", "LAST"])
    assert len(numbers) == MAX_SERIALS_PER_CALL
    assert (numbers[0], numbers[-2], numbers[-1]) == ("RG-000001", "RG-099999", "LAST")
