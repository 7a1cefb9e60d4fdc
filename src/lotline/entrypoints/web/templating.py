"""Jinja2 for the web UI: autoescape on for every template, strict undefined names, and the
filters the pages share (dates, quantities, status words)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from lotline.domain.statuses import SERIAL_STATUSES, TRANSITIONS, SerialStatus
from lotline.domain.vocabularies import VOCABULARIES, shown

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Each serial status's words, in lifecycle order (declared in domain.statuses).
STATUS_WORDS: dict[str, str] = {s.value: info.label for s, info in SERIAL_STATUSES.items()}


def status_word(value: Any, vocabulary: str = "serial") -> str:
    return shown(value, vocabulary).label


def status_tone(value: Any, vocabulary: str = "serial") -> str:
    return shown(value, vocabulary).tone.value


def badge(value: Any, vocabulary: str = "serial") -> Markup:
    """A status as a badge coloured by its declared tone (lotline.css has a rule per tone)."""
    key = str(getattr(value, "value", value))
    words = shown(key, vocabulary)
    return Markup('<span class="badge tone-{}" data-badge="{}">{}</span>').format(
        words.tone.value, key, words.label)


def status_choices(vocabulary: str) -> list[tuple[str, str]]:
    return [(value, words.label) for value, words in VOCABULARIES[vocabulary].items()]


def quantity(value: Any) -> str:
    """A Decimal without trailing zeros (12.500000 -> 12.5, 100 -> 100)."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return str(format(value.normalize(), "f"))
    return str(value)


def day(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def visible(text: Any) -> str:
    """Scanned text with its control characters made visible (GS as the symbol for it)."""
    return "".join(chr(0x2400 + ord(c)) if ord(c) < 32 else c for c in str(text))


def action_label(label: str) -> str:
    return label[:1].upper() + label[1:]


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(status_word=status_word, status_tone=status_tone, badge=badge,
                       qty=quantity, day=day, action_label=action_label, visible=visible)
    env.globals.update(STATUS_WORDS=STATUS_WORDS, TRANSITIONS=TRANSITIONS,
                       SerialStatus=SerialStatus, status_choices=status_choices)
    return env


ENV = _environment()


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, template: str, context: dict[str, Any], *,
           status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page (or an htmx fragment) with the request's session in its context."""
    page = dict(context)
    page.setdefault("request", request)
    page.setdefault("session", getattr(request.state, "web_session", None))
    page.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
    page.setdefault("csp_nonce", getattr(request.state, "csp_nonce", ""))
    page.setdefault("nav", "")
    html = ENV.get_template(template).render(page)
    return HTMLResponse(html, status_code=status, headers=headers)
