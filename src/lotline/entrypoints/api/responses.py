"""JSON responses with Decimals as exact JSON numbers (`12.5`, `100`), problem+json errors."""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse

from lotline.domain.values import decimal_text
from lotline.entrypoints.serialize import to_jsonable

# json.dumps cannot write a Decimal as a number, so Decimals go out as a marked string that is
# unwrapped afterwards. The marker holds a NUL (escaped as \u0000 in JSON text) and a random
# nonce, so no client-supplied string can ever look like one.
_NONCE = secrets.token_hex(8)
_MARK = "\u0000" + _NONCE + ":"
_MARKED = re.compile(r'"\\u0000' + _NONCE + r':(-?[0-9]+(?:\.[0-9]+)?)"')
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _decimal_marker(value: object) -> str | None:
    if isinstance(value, Decimal):
        # JSON has no NaN or Infinity: such a value (only ever echoed from bad input) is null.
        return _MARK + decimal_text(value) if value.is_finite() else None
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_bytes(content: Any) -> bytes:
    text = json.dumps(to_jsonable(content), default=_decimal_marker, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)
    if _NONCE in text:  # some Decimal was marked (a plain `in` is far cheaper than sub)
        text = _MARKED.sub(r"\1", text)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Only an echo of bad input holds a lone surrogate (UTF-8 cannot encode one): it is
        # written as U+FFFD so the problem that names it can always be sent.
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


class LotlineJSONResponse(JSONResponse):
    """JSON with exact Decimals. A JSONResponse subclass, so FastAPI documents each route's
    `response_model` as its response schema (it writes `string` for other classes)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)


def problem(status: int, code: str, title: str, detail: str,
            headers: dict[str, str] | None = None, **extra: Any) -> ProblemResponse:
    body = {"type": f"urn:lotline:problem:{code}", "title": title, "status": status,
            "detail": detail, "code": code, **extra}
    return ProblemResponse(body, status_code=status, headers=headers)
