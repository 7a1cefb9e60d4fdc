"""Errors in the user's words (DESIGN §6): the services name fields by their request paths
(`lines.0.lots.0.batch_number`, `data`), which a person on the floor never typed; a page says
which line and product instead (`Line 1 (WIDGET-1): lots add up to 8 …`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lotline.domain.errors import LotlineError, ValidationError

FIELD_WORDS = {"batch_number": "lot number", "serial_numbers": "serial numbers",
               "expiry_date": "expiry date", "quantity": "quantity", "reason": "reason",
               "manufacturing_date": "manufacturing date", "line_id": "line"}
# Labels a message can start with that are paths or rule names, not words.
LEADING_LABEL = re.compile(r"^(?:data|pending|check digit|unrecognised input): ")
LINE_PATH = re.compile(r"^lines\.(\d+)(?:\.(.*))?$")


def _plain(message: str) -> str:
    while (found := LEADING_LABEL.match(message)) is not None:
        message = message[found.end():]
    return message


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _item(path: str, message: str, lines: Sequence[tuple[int, str]]) -> str:
    found = LINE_PATH.match(path)
    if found is None:
        words = FIELD_WORDS.get(path.rsplit(".", 1)[-1])
        return _capital(_plain(f"{words} {message}" if words else message))
    index, rest = int(found.group(1)), found.group(2) or ""
    number, sku = lines[index] if index < len(lines) else (index + 1, "")
    words = FIELD_WORDS.get(rest.rsplit(".", 1)[-1])
    said = _plain(f"{words} {message}" if words else message)
    return f"Line {number}" + (f" ({sku})" if sku else "") + f": {said}"


def in_user_words(error: LotlineError, lines: Sequence[tuple[int, str]] = (), *,
                  sentence: bool = True) -> str:
    """The error's message for a page; `lines` are the request's lines as (number, SKU).
    `sentence=False` for a message that goes on after other words (no capital letter)."""
    if isinstance(error, ValidationError) and error.errors:
        return "; ".join(_item(item.field, item.message, lines) for item in error.errors)
    return _capital(_plain(error.message)) if sentence else _plain(error.message)
