"""JSON responses with Decimals as exact JSON numbers (`12.5`, `100`), problem+json errors."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import JSONResponse

from lotline.entrypoints.serialize import json_text, to_jsonable

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_bytes(content: Any) -> bytes:
    text = json_text(to_jsonable(content))
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
