"""Confirmation of actions that cannot be undone (scrap, consume, void, ship units not picked,
revoke a key, close a recall), without JavaScript: the action's POST without `confirmed=yes`
changes nothing and redirects to a GET page that says what will happen and posts the same
fields again with `confirmed=yes` (so a reload of either page never acts)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.responses import Response

from lotline.entrypoints.web.core import Web, page, redirect

CONFIRMED = "confirmed"


def confirmed(form: FormData) -> bool:
    return form.get(CONFIRMED) == "yes"


def ask(url: str, fields: Mapping[str, str]) -> Response:
    """Send the browser to the confirmation page at `url` with the fields it will post."""
    query = urlencode({name: value for name, value in fields.items() if value})
    return redirect(url + (f"?{query}" if query else ""))


def confirm_page(web: Web, *, nav: str, question: str, consequence: str, action: str,
                 fields: Mapping[str, str], yes: str, back: str) -> Response:
    return page(web, "confirm.html", {
        "nav": nav, "question": question, "consequence": consequence, "action": action,
        "fields": {name: value for name, value in fields.items() if value}, "yes": yes,
        "back": back})
