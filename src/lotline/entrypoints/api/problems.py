"""Every error path answers RFC 9457 problem+json: lotline's typed errors, FastAPI's own 422s,
unknown routes, wrong methods, and anything unexpected (a 500 without internals)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from lotline.domain.errors import LotlineError, RateLimited, Unauthorized, ValidationError
from lotline.entrypoints.api.compat_zoho.errors import enveloped, on_compat_surface
from lotline.entrypoints.api.responses import problem
from lotline.entrypoints.web.core import browser_not_found

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
               413: "payload_too_large", 415: "unsupported_media_type",
               422: "validation_error", 429: "rate_limited"}


def echoable(value: Any) -> Any:
    """A value from the request, safe to echo in JSON (NaN and Infinity, which Python's JSON
    reader lets in, are written as text)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [echoable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): echoable(v) for k, v in value.items()}
    return value


_UNION_MEMBER = re.compile(r"^[A-Z]|[-\[]")

# Members of the problem itself; an error detail with one of these names gets `_value` added.
RESERVED = frozenset({"type", "title", "status", "detail", "code", "errors", "instance"})


def error_response(error: LotlineError) -> Response:
    extra: dict[str, Any] = {(f"{k}_value" if k in RESERVED else k): echoable(v)
                             for k, v in error.details.items() if k != "errors"}
    if isinstance(error, ValidationError):
        extra["errors"] = [echoable(e.as_dict()) for e in error.errors]
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(error.http_status, error.code, error.title, error.message, headers or None,
                   **extra)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location[1:]] if location[:1] in (("body",), ("query",),
                                                                ("path",), ("header",)) \
        else [str(p) for p in location]
    # Pydantic names the union member it tried (`LotScanIn`, `constrained-str`,
    # `function-after[...]`): not a field of the request. A parameter's own name is kept
    # whatever its case (EPCIS's `EQ_bizStep`, `MATCH_epc`).
    kept = 1 if location[:1] in (("query",), ("path",), ("header",)) else 0
    parts = parts[:kept] + [p for p in parts[kept:] if not _UNION_MEMBER.search(p)]
    return ".".join(parts) or str(location[0] if location else "body")


def validation_response(error: RequestValidationError) -> Response:
    errors = []
    for item in error.errors():
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        elif item.get("type") == "string_unicode":
            message = "must not contain a lone surrogate (text must be valid Unicode)"
        elif item.get("type") == "json_invalid":
            message = "malformed JSON: " + str(item.get("ctx", {}).get("error", message))
            item = {**item, "loc": ("body",), "input": None}
        value = item.get("input")
        errors.append({"field": _field(tuple(item.get("loc", ()))), "message": message,
                       "value": echoable(value) if isinstance(value, str | int | float | bool)
                       else None})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return problem(422, "validation_error", "Invalid input", detail, errors=errors)


def _for_door(request: Request, response: Response) -> Response:
    """Seed 003's surface answers errors in its own envelope (DESIGN §9)."""
    return enveloped(response) if on_compat_surface(request) else response


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route fully matches at the request's path (asked of the routes
    themselves, so prefixes and included routers count as when serving)."""
    return [method for method in _METHODS
            if any(route.matches({**scope, "method": method})[0] == Match.FULL
                   for route in routes)]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(LotlineError)
    async def _lotline(request: Request, error: LotlineError) -> Response:
        return _for_door(request, error_response(error))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        return _for_door(request, validation_response(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8, not a form): bad input.
            detail = f"malformed request body: {error.detail}"
            return _for_door(request, problem(
                422, "validation_error", "Invalid input", detail,
                errors=[{"field": "body", "message": detail, "value": None}]))
        code = _HTTP_CODES.get(error.status_code, "error")
        detail = str(error.detail)
        headers = dict(error.headers) if error.headers else {}
        if error.status_code == 404 and detail == "Not Found":
            page = browser_not_found(request)
            if page is not None:
                return page
            detail = f"no route {request.method} {request.url.path}"
        if error.status_code == 405:
            # Starlette names the methods of the first route matching the path only.
            allowed = allowed_methods(request.app.routes, request.scope)
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; use {headers['Allow']}"
        return _for_door(request, problem(error.status_code, code,
                                          code.replace("_", " ").capitalize(), detail,
                                          headers or None))
    # Anything else: guards.UnhandledErrorMiddleware (a 500 or 503 problem, connection kept).
