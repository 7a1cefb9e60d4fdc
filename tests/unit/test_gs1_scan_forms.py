"""Input forms every door reads alike (DESIGN §6): FNC1 substitutes, every GS1 check digit,
nothing of the input silently dropped. Negative vectors for each check-digited AI."""

from __future__ import annotations

import pytest

from lotline.domain import gs1

GTIN = "09506000134352"
GS = "\x1d"


def mod10(body: str) -> str:
    """GenSpecs §7.9, written out independently: weights 3, 1, 3… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def wrong(body: str) -> str:
    """The key with a check digit one off."""
    return body + str((int(mod10(body)) + 1) % 10)


# AI -> a key body (without its check digit) and what follows the key in the value.
KEYED = {
    "00": ("10614141234567890", ""), "01": ("0950600013435", ""),
    "02": ("0950600013435", ""), "253": ("950600013435", "DOC-1"),
    "255": ("950600013435", "42"), "402": ("9506000134352000", ""),
    **{str(ai): ("950600013435", "") for ai in range(410, 418)},
    "8003": ("0950600013435", "A1"), "8006": ("0950600013435", "0102"),
    "8017": ("95060001343520001", ""), "8018": ("95060001343520001", ""),
    "8026": ("0950600013435", "0102"),
}


@pytest.mark.parametrize("ai", sorted(KEYED))
def test_every_check_digited_ai_is_verified(ai: str) -> None:
    body, tail = KEYED[ai]
    good = f"(01){GTIN}({ai}){body}{mod10(body)}{tail}"
    if ai in ("01", "02"):
        good = f"({ai}){body}{mod10(body)}"
    assert gs1.parse(good).error is None, gs1.parse(good).detail
    bad_key = wrong(body)
    bad = good.replace(f"({ai}){body}{mod10(body)}", f"({ai}){bad_key}")
    reading = gs1.parse(bad)
    assert reading.error == gs1.CHECK_DIGIT
    assert reading.detail is not None and reading.detail.startswith(f"AI ({ai}) ")
    assert reading.detail.endswith(f"{bad_key} has a wrong check digit (expected "
                                   f"{mod10(body)}, got {bad_key[-1]})")


@pytest.mark.parametrize("form", ["element", "digital-link"])
def test_check_digits_in_every_encoding(form: str) -> None:
    bad_gln = wrong("950600013435")
    data = (f"]d201{GTIN}414{bad_gln}" if form == "element"
            else f"https://id.gs1.org/414/{bad_gln}")
    reading = gs1.parse(data)
    assert (reading.error, reading.detail) == (
        gs1.CHECK_DIGIT, f"AI (414) LOC No. {bad_gln} has a wrong check digit (expected 2, "
                         f"got {bad_gln[-1]})")


def test_giai_carries_no_check_digit() -> None:
    assert gs1.parse(f"(01){GTIN}(8004)95060001343591").error is None


@pytest.mark.parametrize("plain", ["12345678", "036000291453", "9506000134353",
                                   "09506000134353"])
def test_plain_gtins_of_each_length_with_a_wrong_check_digit(plain: str) -> None:
    reading = gs1.parse(plain)
    assert reading.error == gs1.CHECK_DIGIT and reading.detail is not None
    assert reading.detail.startswith(f"GTIN {plain} has a wrong check digit")


@pytest.mark.parametrize("substitute", gs1.FNC1_SUBSTITUTES)
def test_each_substitute_reads_as_gs(substitute: str) -> None:
    with_gs = gs1.parse(f"01{GTIN}10LOT-A{GS}21SN1")
    typed = gs1.parse(f"01{GTIN}10LOT-A{substitute}21SN1")
    assert typed.data == with_gs.data
    assert typed.data is not None and (typed.data.lot, typed.data.serial) == ("LOT-A", "SN1")
    assert typed.body == f"01{GTIN}10LOT-A{substitute}21SN1"  # kept as typed, for lookups


def test_substitutes_are_the_ones_design_lists() -> None:
    assert set(gs1.FNC1_SUBSTITUTES) == {"{GS}", "<GS>", "\u241d", "~", "|", "^"}
    assert not set("~|^{}\u241d") & gs1.CHARSET_82


def test_a_substitute_is_no_gs_outside_an_element_string() -> None:
    link = gs1.parse(f"https://id.gs1.org/01/{GTIN}/21/A~B")  # `~` is URI-unreserved
    assert link.error == gs1.UNRECOGNISED and "'21A~B'" in str(link.detail)  # read as typed
    assert gs1.parse("SN~1").error == gs1.UNRECOGNISED


@pytest.mark.parametrize(("data", "leftover"), [
    (f"(01){GTIN}(21)SN0001(ABC)", "'(ABC)' is left over after AI (21)"),
    (f"(01){GTIN}(21)q'(\")*,:;<>_(10)L/26+b", "'(\")*,:;<>_' is left over after AI (21)"),
    (f"(01){GTIN}(10)AB)C", "')C' is left over after AI (10)"),
    (f"(01){GTIN}()X", "'()X' is left over after AI (01)"),
])
def test_bracketed_leftovers_are_named(data: str, leftover: str) -> None:
    reading = gs1.parse(data)
    assert reading.data is None and reading.error == gs1.LEFTOVER
    assert reading.detail is not None and reading.detail.startswith(f"bracketed form: {leftover}")


@pytest.mark.parametrize(("data", "detail"), [
    (f"(01){GTIN}(21)123456789012345678901234",
     "AI (21) SERIAL is longer than 20 characters: '1234' is left over"),
    (f"(01){GTIN}0", "AI (01) GTIN is longer than 14 characters: '0' is left over"),
])
def test_overlong_bracketed_values_are_not_truncated(data: str, detail: str) -> None:
    assert (gs1.parse(data).error, gs1.parse(data).detail) == (gs1.INVALID_LENGTH, detail)


def test_spaces_between_bracketed_pairs_are_layout() -> None:
    reading = gs1.parse(f"(01) {GTIN} (10) LOT-A")
    assert reading.data is not None and (reading.data.gtin, reading.data.lot) == (GTIN, "LOT-A")
