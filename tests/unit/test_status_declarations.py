"""Each status declared once (domain.statuses.SERIAL_STATUSES, domain.vocabularies): every
status has every attribute, the rules read from the declaration agree with DESIGN §2, and
every tone has a style in the stylesheet with readable contrast (WCAG AA, 4.5:1)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from lotline.domain.statuses import (
    BLOCKED_BY_HOLD,
    CUSTODY_STATUSES,
    IMPORT_STATUSES,
    INITIAL_STATUSES,
    KEEP,
    SERIAL_STATUSES,
    TRANSITIONS,
    LocationKind,
    SerialStatus,
    SerialStatusInfo,
    Tab,
    Tone,
)
from lotline.domain.vocabularies import VOCABULARIES, Shown, allowed_values_sql, shown
from lotline.entrypoints.web.templating import ENV, STATUS_WORDS, badge

S = SerialStatus
WEB = Path(__file__).resolve().parents[2] / "src" / "lotline" / "entrypoints" / "web"
CSS = (WEB / "static" / "lotline.css").read_text()
STANDARD_CODES = {kind.name for kind in LocationKind} | {"STOCK"}


def canonical() -> list[SerialStatus]:
    return [member for name, member in S.__members__.items() if name == member.value]


def test_every_serial_status_is_declared_once_and_nothing_else_is() -> None:
    assert list(SERIAL_STATUSES) == canonical()
    assert all(isinstance(info, SerialStatusInfo) for info in SERIAL_STATUSES.values())


@pytest.mark.parametrize("status", canonical(), ids=str)
def test_every_serial_status_has_every_attribute(status: SerialStatus) -> None:
    info = SERIAL_STATUSES[status]
    for field in dataclasses.fields(SerialStatusInfo):
        value = getattr(info, field.name)
        if field.name == "arrives_at":
            assert value is None or value == KEEP or value in STANDARD_CODES, status
            assert (value is not None) is info.custody, status
        elif field.name == "label":
            assert isinstance(value, str) and value.strip() and value[0].isupper(), status
        elif field.name == "tone":
            assert isinstance(value, Tone), status
        elif field.name == "tab":
            assert isinstance(value, Tab), status
        else:
            assert isinstance(value, bool), (status, field.name)


def test_a_declaration_missing_an_attribute_cannot_be_made() -> None:
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'final'"):
        SerialStatusInfo(label="Lost", tone=Tone.BAD, tab=Tab.ALWAYS, asks_reason=True,  # type: ignore[call-arg]
                         custody=False, arrives_at=None, initial=False, importable=False,
                         blocked_by_hold=False, counts_in_lot=True, reserved=False)


def test_the_rules_read_from_the_declaration_are_design_section_2s() -> None:
    assert {S.RECEIVED, S.IN_STOCK, S.ALLOCATED, S.PICKED, S.RETURNED,
            S.DEFECTIVE} == CUSTODY_STATUSES
    assert {S.ALLOCATED, S.PICKED, S.SHIPPED} == BLOCKED_BY_HOLD
    assert {S.EXPECTED, S.RECEIVED, S.IN_STOCK} == INITIAL_STATUSES
    assert INITIAL_STATUSES <= IMPORT_STATUSES
    assert {S.EXPECTED, S.RECEIVED, S.IN_STOCK, S.RETURNED, S.DEFECTIVE,
            S.SHIPPED, S.SCRAPPED, S.CONSUMED} == IMPORT_STATUSES
    assert {s for s, i in SERIAL_STATUSES.items() if i.final} == {
        s for s, targets in TRANSITIONS.items() if not targets} == {
        S.SCRAPPED, S.CONSUMED, S.CANCELLED}
    assert {s for s, i in SERIAL_STATUSES.items() if i.asks_reason} == {
        S.DEFECTIVE, S.SCRAPPED, S.CANCELLED}
    assert {s for s, i in SERIAL_STATUSES.items() if not i.counts_in_lot} == {S.CANCELLED}
    assert {s for s, i in SERIAL_STATUSES.items() if i.tab is Tab.WHEN_USED} == {
        S.CONSUMED, S.INSTALLED, S.CANCELLED}


def test_the_web_words_are_the_declared_labels_in_lifecycle_order() -> None:
    assert list(STATUS_WORDS.items())[:4] == [("EXPECTED", "Expected"), ("RECEIVED", "Received"),
                                              ("IN_STOCK", "In stock"),
                                              ("ALLOCATED", "Allocated")]
    assert str(badge(S.IN_STOCK)) == (
        '<span class="badge tone-ok" data-badge="IN_STOCK">In stock</span>')
    assert str(badge("partially_received", "receipt")) == (
        '<span class="badge tone-warn" data-badge="partially_received">Partially received</span>')
    assert shown("lost") == Shown("lost", Tone.NEUTRAL)


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_every_status_of_every_vocabulary_has_words_and_a_tone(vocabulary: str) -> None:
    assert VOCABULARIES[vocabulary]
    for value, words in VOCABULARIES[vocabulary].items():
        assert re.fullmatch(r"[A-Za-z_]+", value)
        assert words.label.strip() and isinstance(words.tone, Tone), (vocabulary, value)


def test_check_constraint_sql_lists_exactly_the_declared_values() -> None:
    assert allowed_values_sql("status", "recall") == "status IN ('open', 'closed')"
    assert allowed_values_sql("to_status", "serial", nullable=True).startswith(
        "to_status IS NULL OR to_status IN ('EXPECTED', 'RECEIVED', 'IN_STOCK', ")


def _variables() -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", CSS)
    assert root is not None
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", root.group(1)))


def _tone_rule(tone: Tone) -> dict[str, str]:
    """The background and colour of a tone's rule, variables resolved."""
    rule = re.search(rf"\.tone-{tone.value}\b[^{{]*\{{([^}}]*)\}}", CSS)
    assert rule is not None, f"lotline.css has no rule for .tone-{tone.value}"
    props = dict(re.findall(r"([\w-]+):\s*([^;]+);", rule.group(1)))
    variables = _variables()
    return {k: variables.get(v[4:-1], v) if v.startswith("var(") else v
            for k, v in props.items()}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    assert round(contrast("#1b7f3b", "#e5f5ea"), 2) == 4.48  # the old "In stock" badge
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0


@pytest.mark.parametrize("tone", list(Tone), ids=lambda t: t.value)
def test_every_tone_has_a_readable_style(tone: Tone) -> None:
    rule = _tone_rule(tone)
    assert contrast(rule["color"], rule["background"]) >= 4.5, (tone, rule)


def test_templates_colour_statuses_only_through_tones() -> None:
    templates = [p.read_text() for p in (WEB / "templates").rglob("*.html")]
    for text in templates:
        assert not re.search(r'class="badge (status|rs|os)-', text)
    used = {m for text in templates for m in re.findall(r"tone-([a-z]+)", text)}
    assert used <= {t.value for t in Tone}
    rendered = ENV.from_string("{{ 'SCRAPPED'|badge }} {{ 'open'|badge('order') }}").render()
    assert rendered == ('<span class="badge tone-bad" data-badge="SCRAPPED">Scrapped</span> '
                        '<span class="badge tone-neutral" data-badge="open">Open</span>')
