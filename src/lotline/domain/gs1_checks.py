"""GS1 checks that need no parser: the mod-10 check digit of every key that carries one
(GenSpecs §7.9) and the text of a bracketed (HRI) form that is no `(AI)value` pair."""

from __future__ import annotations

import re

from lotline.domain.values import gtin_check_digit

HRI_ELEMENT = re.compile(r"\((\d{2,4})\)([^()]*)")

# AIs carrying a mod-10 check digit (GenSpecs §7.9): AI -> how many leading digits of the
# value it covers (GTINs, SSCC, GDTI, GCN, GSIN, GLNs, GRAI, ITIP, GSRN). GIAI has none.
CHECK_DIGITED = {"00": 18, "01": 14, "02": 14, "03": 14, "253": 13, "255": 13, "402": 17,
                 **{str(ai): 13 for ai in range(410, 418)},
                 "8003": 14, "8006": 14, "8017": 18, "8018": 18, "8026": 14}


def check_digit_error(ai: str, value: str, title: str = "") -> str | None:
    """Why an AI's check digit is wrong, naming the AI; None when right or not check-digited."""
    span = CHECK_DIGITED.get(ai)
    if span is None or len(value) < span or not value[:span].isdigit():
        return None
    key = value[:span]
    expected = gtin_check_digit(key[:-1])
    if expected == int(key[-1]):
        return None
    name = f" {title}" if title else ""
    return f"AI ({ai}){name} {key} has a wrong check digit (expected {expected}, got {key[-1]})"



def hri_leftover(hri: str) -> str | None:
    """What of a bracketed form is no `(AI)value` pair, named; None when nothing is.
    Parentheses delimit AIs, so a value holding one cannot be read from this form."""
    position = 0
    for match in HRI_ELEMENT.finditer(hri):
        if match.start() > position:
            break
        position = match.end()
    if position == len(hri):
        return None
    end = next((m.start() for m in HRI_ELEMENT.finditer(hri, position)), len(hri))
    after = re.findall(r"\((\d{2,4})\)", hri[:position])
    where = f" after AI ({after[-1]})" if after else ""
    return (f"bracketed form: {hri[position:end]!r} is left over{where} (a value holding "
            "a parenthesis cannot be read from the bracketed form; scan the barcode itself)")
