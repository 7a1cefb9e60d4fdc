"""GS1 barcodes and Digital Link URIs: parsing what a scanner sends (DESIGN §6, §8,
shared/standards/gs1/README.md); building the canonical Digital Link for a unit or a lot lives
in gs1_build and the parser-free checks in gs1_checks, both re-exported here.

biip (imported on first use) does the element-string and Digital Link grammar; this module
routes the input to the right biip entry point (HRI, `]Q1`/`]d1` + URI, upper-case schemes
and plain GTINs are the gaps the README lists) and hands back only its own types, so nothing
else sees biip's."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lotline.domain.gs1_build import (
    CHARSET_82,
    DEFAULT_DOMAIN,
    GS,
    MAX_LOT_LENGTH,
    MAX_SERIAL_LENGTH,
    check_gs1_text,
    check_gtin,
    digital_link,
    element_string,
)
from lotline.domain.gs1_checks import CHECK_DIGITED, HRI_ELEMENT, check_digit_error, hri_leftover
from lotline.domain.values import gtin_check_digit

if TYPE_CHECKING:
    from biip.gs1_element_strings import GS1ElementStrings

# FNC1 as keyboard-wedge scanners send it when they cannot type GS (DESIGN §6), longest first.
# None of them is in character set 82, so inside an element string each can only mean GS.
FNC1_SUBSTITUTES = ("{GS}", "<GS>", "\u241d", "~", "|", "^")
# The symbology identifiers DESIGN §6 lists (a scanner may prefix any of them).
SYMBOLOGY_IDENTIFIERS = ("]C1", "]e0", "]d2", "]Q3", "]Q1", "]d1", "]J1")
# Symbology identifiers whose symbol starts with FNC1: the data is a GS1 element string.
GS1_SYMBOLOGIES = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})
# Plain (non-GS1-mode) symbols that may carry a Digital Link URI.
URI_SYMBOLOGIES = frozenset({"]Q1", "]d1", "]Q0", "]d0"})
SYMBOLOGY_ID = re.compile(r"\][A-Za-z][0-9A-Za-z]")

# The error categories of the conformance vectors.
CHECK_DIGIT = "check digit"
INVALID_DATE = "invalid date"
INVALID_LENGTH = "invalid length"
QUALIFIER_ORDER = "qualifier order"
UNRECOGNISED = "unrecognised input"
LEFTOVER = "leftover text"  # part of a bracketed form is no (AI)value pair: never dropped


@dataclass(frozen=True, slots=True)
class GS1Data:
    """What a barcode says. Every field is None when the barcode does not carry it."""

    form: str  # element-string | hri | digital-link | plain-gtin
    symbology: str | None = None
    gtin: str | None = None  # AI 01 or a plain EAN/UPC/GTIN-14, always 14 digits
    lot: str | None = None  # AI 10
    serial: str | None = None  # AI 21
    expiry_date: dt.date | None = None  # AI 17, DD=00 -> last day of the month
    best_before: dt.date | None = None  # AI 15
    production_date: dt.date | None = None  # AI 11
    quantity: int | None = None  # AI 30
    count: int | None = None  # AI 37
    sscc: str | None = None  # AI 00
    content_gtin: str | None = None  # AI 02

    @property
    def has_key(self) -> bool:
        """Carries an identification key (GTIN, SSCC or content GTIN)."""
        return bool(self.gtin or self.sscc or self.content_gtin)


@dataclass(frozen=True, slots=True)
class GS1Parse:
    """The outcome of reading one scan: `data` when it is a valid GS1 encoding, else the
    `error` category (one of the constants above) and a `detail` naming the problem.

    `body` is the scanned text without its symbology identifier and scanner whitespace: what
    a serial or lot number lookup should try when the scan is not GS1."""

    body: str
    symbology: str | None
    data: GS1Data | None = None
    error: str | None = None
    detail: str | None = None


class _Failed(Exception):
    def __init__(self, category: str, detail: str) -> None:
        super().__init__(detail)
        self.category = category
        self.detail = detail


def split_symbology(text: str) -> tuple[str | None, str]:
    """(`]xy` symbology identifier or None, the rest). Scanner whitespace and leading or
    trailing GS characters are not data (str.strip removes both: GS is whitespace)."""
    stripped = text.strip()
    if SYMBOLOGY_ID.match(stripped):
        return stripped[:3], stripped[3:].strip()
    return None, stripped


def parse(text: str) -> GS1Parse:
    """Read a scan: a GS1 element string (FNC1 as GS or one of FNC1_SUBSTITUTES, with or
    without a symbology identifier), the bracketed HRI form, a Digital Link URI, or a plain
    EAN-8, UPC-A, EAN-13 or GTIN-14. Never raises on bad input.

    An element string holding a substitute is read with it as GS first; when that is not GS1
    at all, as typed (serial numbers are free text). `body` stays the text as typed."""
    symbology, body = split_symbology(text)
    substituted = substitute_fnc1(body)
    if substituted != body and _is_element_string(symbology, substituted):
        first = _attempt(symbology, substituted.strip(GS))
        if first.data is not None or first.error != UNRECOGNISED:
            return replace(first, body=body)
    return _attempt(symbology, body)


def substitute_fnc1(body: str) -> str:
    for substitute in FNC1_SUBSTITUTES:
        body = body.replace(substitute, GS)
    return body


def _is_element_string(symbology: str | None, body: str) -> bool:
    stripped = body.strip(GS)
    if stripped[:4].lower() == "http" or stripped.startswith("("):
        return False
    return symbology in GS1_SYMBOLOGIES or (symbology is None and stripped[:1].isdigit())


def _attempt(symbology: str | None, body: str) -> GS1Parse:
    try:
        data = _route(symbology, body)
    except _Failed as failure:
        return GS1Parse(body, symbology, error=failure.category, detail=failure.detail)
    return GS1Parse(body, symbology, data=data)


def _route(symbology: str | None, body: str) -> GS1Data:
    if not body:
        raise _Failed(UNRECOGNISED, "the scan is empty")
    if body[:4].lower() == "http" and (symbology is None or symbology in URI_SYMBOLOGIES
                                       or symbology in GS1_SYMBOLOGIES):
        return _digital_link(body, symbology)
    if body.startswith("(") and symbology is None:
        return _hri(body)
    if symbology in GS1_SYMBOLOGIES:
        return _element_string(body, symbology)
    if body.isdigit() and len(body) in (8, 12, 13, 14):
        return _plain_gtin(body, symbology)
    if symbology is None and body[:1].isdigit():
        return _element_string(body, symbology)
    raise _Failed(UNRECOGNISED, "not a GS1 barcode, Digital Link or GTIN")


def _plain_gtin(digits: str, symbology: str | None) -> GS1Data:
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise _Failed(CHECK_DIGIT, f"GTIN {digits} has a wrong check digit (expected "
                                   f"{gtin_check_digit(digits[:-1])}, got {digits[-1]})")
    return GS1Data(form="plain-gtin", symbology=symbology, gtin=digits.zfill(14))


def _digital_link(uri: str, symbology: str | None) -> GS1Data:
    import biip
    from biip.gs1_digital_link_uris import GS1DigitalLinkURI

    try:
        parsed = GS1DigitalLinkURI.parse(uri)
    except biip.ParseError as error:
        raise _Failed(_category(str(error)), str(error)) from None
    return _fields(parsed.element_strings, "digital-link", symbology)




def _hri(text: str) -> GS1Data:
    """`(AI)value(AI)value…`: parentheses delimit AIs, so a value holding one cannot be read
    from this form; whatever is not an `(AI)value` pair is named, never dropped."""
    import biip
    from biip.gs1_messages import GS1Message

    hri = "".join(text.split())  # spaces between pairs are layout (not in character set 82)
    leftover = hri_leftover(hri)
    if leftover is not None:
        raise _Failed(LEFTOVER, leftover)
    for ai, value in HRI_ELEMENT.findall(hri):
        _hri_length(ai, value)
    try:
        message = GS1Message.parse_hri(hri)
    except biip.ParseError as error:
        raise _Failed(_category(str(error)), str(error)) from None
    for element, (ai, value) in zip(message.element_strings, HRI_ELEMENT.findall(hri),
                                    strict=True):
        if element.ai.ai != ai or element.value != value:
            raise _Failed(INVALID_LENGTH, f"AI ({ai}) {element.ai.data_title}: "
                                          f"{value[len(element.value):]!r} is left over after "
                                          f"{element.value!r}")
    return _fields(message.element_strings, "hri", None)


def _hri_length(ai: str, value: str) -> None:
    import biip
    from biip.gs1_application_identifiers import GS1ApplicationIdentifier

    try:
        known = GS1ApplicationIdentifier.extract(ai)
    except biip.ParseError:
        return  # the parser names an unknown AI itself
    # The format after the AI's own digits, e.g. "N2+N14" -> 14, "N3+N13[+X..17]" -> 30.
    limit = sum(int(n) for n in re.findall(r"[NX](?:\.\.)?(\d+)", known.format)[1:])
    if known.ai == ai and len(value) > limit:
        raise _Failed(INVALID_LENGTH, f"AI ({ai}) {known.data_title} is longer than {limit} "
                                      f"characters: {value[limit:]!r} is left over")


def _element_string(body: str, symbology: str | None) -> GS1Data:
    import biip
    from biip.gs1_messages import GS1Message

    data = body.strip(GS)
    try:
        message = GS1Message.parse(data)
    except biip.ParseError as error:
        raise _Failed(*_message_failure(data, str(error))) from None
    return _fields(message.element_strings, "element-string", symbology)


def _message_failure(data: str, message: str) -> tuple[str, str]:
    """Tell an overlong variable field (the parser then stumbles on its tail) from garbage."""
    tail = re.search(r"Failed to get GS1 Application Identifier from '(.*)'\.$", message)
    if tail is None or not tail.group(1) or tail.group(1) == data:
        return _category(message), message
    import biip
    from biip.gs1_messages import GS1Message

    head = data[:len(data) - len(tail.group(1))]
    try:
        last = GS1Message.parse(head).element_strings[-1]
    except (biip.ParseError, IndexError):
        return UNRECOGNISED, message
    limit = _max_length(last.ai.format)
    if limit is not None and len(last.value) >= limit:
        return INVALID_LENGTH, (f"AI ({last.ai.ai}) {last.ai.data_title} is longer than "
                                f"{limit} characters")
    return UNRECOGNISED, message


def _max_length(ai_format: str) -> int | None:
    found = re.search(r"\.\.(\d+)$", ai_format)
    return int(found.group(1)) if found else None


def _category(message: str) -> str:
    lowered = message.lower()
    if "check digit" in lowered:
        return CHECK_DIGIT
    if "date" in lowered or re.search(r"ai \((11|12|13|15|16|17)\) pattern", lowered):
        return INVALID_DATE
    if "qualifier" in lowered:
        return QUALIFIER_ORDER
    if "too long" in lowered or "too short" in lowered or "length" in lowered:
        return INVALID_LENGTH
    return UNRECOGNISED


def _fields(strings: GS1ElementStrings, form: str, symbology: str | None) -> GS1Data:
    values: dict[str, Any] = {}
    for element in strings:
        ai = element.ai.ai
        wrong = check_digit_error(ai, element.value, element.ai.data_title)
        if wrong is not None:
            raise _Failed(CHECK_DIGIT, wrong)
        if ai in ("01", "02"):
            if element.gtin is None:
                raise _Failed(CHECK_DIGIT, element.gtin_error or f"AI ({ai}) is not a GTIN")
            values["gtin" if ai == "01" else "content_gtin"] = element.gtin.as_gtin_14()
        elif ai in _DATE_AIS:
            if element.date is None:
                raise _Failed(INVALID_DATE, f"AI ({ai}) {element.value!r} is not a date")
            values[_DATE_AIS[ai]] = element.date
        elif ai in ("30", "37"):
            values["quantity" if ai == "30" else "count"] = int(element.value)
        elif ai in _TEXT_AIS:
            values[_TEXT_AIS[ai]] = element.value
    if not values:
        raise _Failed(UNRECOGNISED, "no GTIN, SSCC, lot, serial, date or count in the barcode")
    return GS1Data(form=form, symbology=symbology, **values)


_DATE_AIS = {"17": "expiry_date", "15": "best_before", "11": "production_date"}
_TEXT_AIS = {"10": "lot", "21": "serial", "00": "sscc"}


__all__ = ["CHARSET_82", "CHECK_DIGITED", "DEFAULT_DOMAIN", "FNC1_SUBSTITUTES", "GS",
           "MAX_LOT_LENGTH",
           "MAX_SERIAL_LENGTH", "GS1Data", "GS1Parse", "check_digit_error", "check_gs1_text",
           "check_gtin", "digital_link", "element_string", "parse", "substitute_fnc1"]
