"""Serial numbers as people enter them and as products generate them (pure functions).

Ranges: `SN-0001..SN-0500` expands to 500 numbers, the counter keeping its zero padding;
comma- or newline-separated lists mix ranges and single numbers.

Patterns: `SN-{YYYY}{MM}-{####}` — literal text, date parts `{YYYY}`, `{YY}`, `{MM}`, `{DD}`,
and one counter `{#...}` zero-padded to the number of `#` (it grows past that width rather
than wrapping)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lotline.domain.errors import FieldError, ValidationError

RANGE_SEPARATOR = ".."
# One call registers (moves, counts...) at most this many numbers once its ranges are
# expanded: ranges are counted by arithmetic on their ends before any number is made, so a
# small request naming a million numbers is refused before it costs memory.
MAX_SERIALS_PER_CALL = 100_000
_TAIL_NUMBER = re.compile(r"^(.*?)(\d+)(\D*)$", re.DOTALL)
_TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|#+)\}")
DEFAULT_PATTERN = "SN-{######}"


@dataclass(frozen=True, slots=True)
class SerialRange:
    """`prefix` + counter from `start` to `end` (zero-padded to `width`) + `suffix`."""

    prefix: str
    start: int
    end: int
    width: int
    suffix: str

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    def numbers(self) -> list[str]:
        return [f"{self.prefix}{n:0{self.width}d}{self.suffix}"
                for n in range(self.start, self.end + 1)]


def _split_number(text: str) -> tuple[str, str, str] | None:
    """(prefix, last run of digits, suffix) of a serial number, or None without digits."""
    found = _TAIL_NUMBER.match(text)
    if found is None:
        return None
    prefix, digits, suffix = found.groups()  # the lazy prefix leaves the whole last run
    return prefix, digits, suffix


def parse_range(first: str, last: str, field: str = "serial_numbers") -> SerialRange:
    """The range from `first` to `last` (same prefix and suffix, counter counted up), checked
    and sized without making a single number."""
    a, b = _split_number(first), _split_number(last)
    text = f"{first}{RANGE_SEPARATOR}{last}"
    if a is None or b is None or a[0] != b[0] or a[2] != b[2]:
        raise ValidationError.single(field, "a range needs two numbers that differ only in "
                                            "their last run of digits (SN-0001..SN-0500)", text)
    start, end = int(a[1]), int(b[1])
    if end < start:
        raise ValidationError.single(field, "a range must count up", text)
    if end - start + 1 > MAX_SERIALS_PER_CALL:
        raise ValidationError.single(field, f"a range holds at most {MAX_SERIALS_PER_CALL} "
                                            f"numbers; this one holds {end - start + 1}", text)
    padded = a[1].startswith("0") or len(a[1]) == len(b[1])
    if a[1].startswith("0") and len(a[1]) != len(b[1]):
        raise ValidationError.single(field, "both ends of a zero-padded range need the same "
                                            "number of digits", text)
    return SerialRange(a[0], start, end, len(a[1]) if padded else 0, a[2])


def expand_range(first: str, last: str, field: str = "serial_numbers") -> list[str]:
    """Every number from `first` to `last`: same prefix and suffix, counter counted up."""
    return parse_range(first, last, field).numbers()


def expand_serial_input(values: str | Iterable[Any], field: str = "serial_numbers",
                        limit: int = MAX_SERIALS_PER_CALL) -> list[Any]:
    """Serial numbers as entered: a text of comma- or newline-separated items, or a list of
    items; an item `A..B` is a range. Items are stripped of scanner whitespace; empty ones
    in a text are skipped. Non-string list items pass through for the caller to reject.
    Every range is checked and counted first: more than `limit` numbers in all is refused
    before any is made."""
    items = _items(values, field)
    parsed: list[Any] = []
    errors: list[FieldError] = []
    for index, item in enumerate(items):
        if isinstance(item, str) and RANGE_SEPARATOR in item:
            first, _, last = item.strip().partition(RANGE_SEPARATOR)
            try:
                parsed.append(parse_range(first.strip(), last.strip(), f"{field}.{index}"))
            except ValidationError as error:
                errors.extend(error.errors)
        else:
            parsed.append(item)
    if errors:
        raise ValidationError(errors)
    check_count(sum(p.size if isinstance(p, SerialRange) else 1 for p in parsed), field, limit)
    result: list[Any] = []
    for item in parsed:
        if isinstance(item, SerialRange):
            result.extend(item.numbers())
        else:
            result.append(item)
    return result


def check_count(count: int, field: str = "serial_numbers",
                limit: int = MAX_SERIALS_PER_CALL) -> None:
    if count > limit:
        raise ValidationError.single(field, f"holds {count} serial numbers once its ranges are "
                                            f"expanded; at most {limit} are accepted in one "
                                            "call (split it)", count)


def _items(values: str | Iterable[Any], field: str) -> list[Any]:
    if not isinstance(values, str):
        return list(values)
    items = [part.strip() for part in re.split(r"[,\n\r]", values)]
    items = [item for item in items if item]
    if not items:
        raise ValidationError.single(field, "must not be empty", values)
    return items


def has_ranges(values: Sequence[Any]) -> bool:
    return any(isinstance(v, str) and RANGE_SEPARATOR in v for v in values)


# --- patterns --------------------------------------------------------------------------------


def check_pattern(pattern: str, field: str = "serial_pattern") -> str:
    counters = [m for m in _TOKEN.finditer(pattern) if m.group(1).startswith("#")]
    if len(counters) != 1:
        raise ValidationError.single(field, "needs exactly one counter such as {####}", pattern)
    rest = _TOKEN.sub("", pattern)
    if "{" in rest or "}" in rest:
        raise ValidationError.single(field, "knows only {YYYY} {YY} {MM} {DD} and {#...}",
                                     pattern)
    return pattern


def render_serial(pattern: str, counter: int, day: dt.date) -> str:
    """One serial number from a pattern, a counter value and the day it is made."""
    def replace(match: re.Match[str]) -> str:
        token = match.group(1)
        if token.startswith("#"):
            return f"{counter:0{len(token)}d}"
        return {"YYYY": f"{day:%Y}", "YY": f"{day:%y}", "MM": f"{day:%m}",
                "DD": f"{day:%d}"}[token]

    return _TOKEN.sub(replace, pattern)
