"""ASGI middleware: request ids, one JSON log line per request, Prometheus metrics per route,
and the request body limit (413 problem beyond it)."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from json.encoder import encode_basestring
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.responses import Response

from lotline.entrypoints.access_log import ACCESS_LOGGER, line_sink
from lotline.entrypoints.api.responses import problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger(ACCESS_LOGGER)
# One encoder for every access-log line: json.dumps(..., ensure_ascii=False) builds a new one
# per call. Same output as json.dumps with that option.
_LINE = json.JSONEncoder(ensure_ascii=False)
_URGENT = {"urgent": True}
_quoted = encode_basestring  # a JSON string literal, non-ASCII kept (ensure_ascii=False)

JSON_BODY_LIMIT = 10 * 1024 * 1024
UPLOAD_BODY_LIMIT = 512 * 1024 * 1024
UPLOAD_PATH_PREFIX = "/api/v1/imports/"
# EPCIS documents stream through to the capture, up to 50 MB (DESIGN §9).
EPCIS_CAPTURE_PATH = "/api/v1/epcis/capture"
EPCIS_BODY_LIMIT = 50 * 1024 * 1024


class Metrics:
    """Request counts and latencies per route template (never per id)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("lotline_http_requests_total", "HTTP requests",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("lotline_http_request_duration_seconds",
                                 "HTTP request latency", ["method", "route"],
                                 registry=self.registry)
        # labels() looks its child up under a lock each time; routes are few, so keep them.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (self.requests.labels(method, route, str(status)),
                                              self.latency.labels(method, route))
        children[0].inc()
        children[1].observe(seconds)


def _route_template(scope: Scope) -> str:
    # FastAPI keeps the full template (prefix included) on the effective route context, in
    # scope["fastapi"] (recent versions) or at the top of the scope.
    fastapi_state = scope.get("fastapi")
    context = (fastapi_state.get("effective_route_context")
               if isinstance(fastapi_state, dict) else None) \
        or scope.get("effective_route_context")
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return str(template or "unmatched")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class RequestContextMiddleware:
    """Request id in and out (X-Request-ID), the access log line and the metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.pid = os.getpid()  # which worker answered, when several serve one address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self.start(scope)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.observe(scope, status, time.perf_counter() - started, request_id)

    @staticmethod
    def start(scope: Scope) -> str:
        """The request's id (the client's X-Request-ID, else a new one), kept in its state."""
        incoming = _header(scope, b"x-request-id")
        # 32 random hex digits, as uuid4().hex without building a UUID object.
        request_id = incoming if incoming and len(incoming) <= 100 else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        return request_id

    def observe(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        """The metrics and the access log line of an answered request."""
        route = _route_template(scope)
        method = str(scope.get("method", ""))
        self.metrics.observe(method, route, status, seconds)
        if not access_log.isEnabledFor(logging.INFO):
            return
        line = _access_line(_utc_second(), request_id, method, scope.get("path"), route,
                            status, round(seconds * 1000, 3),
                            scope.get("state", {}).get("actor"), self.pid)
        # serve's handler takes the line as it is (entrypoints/access_log.py), buffered; a 5xx
        # line is `urgent`, written at once. Other logging setups (tests) get a LogRecord:
        # makeRecord + handle is what info() does, less its search of the stack for the
        # caller's file and line, which the access log's format does not show.
        sink = line_sink(access_log)
        if sink is not None:
            sink.write_line(line, status >= 500)
            return
        access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, "", 0, line, (),
                                                None, None, _URGENT if status >= 500 else None))


def _access_line(ts: str, request_id: str, method: str, path: Any, route: str, status: int,
                 duration_ms: float, actor: Any, pid: int) -> str:
    """The JSON line, as _LINE.encode of the dict in this order would write it: the strings
    escaped by the same function, the float by repr (what json does)."""
    if not (isinstance(path, str) and (actor is None or isinstance(actor, str))):
        return _LINE.encode({
            "ts": ts, "request_id": request_id, "method": method, "path": path, "route": route,
            "status": status, "duration_ms": duration_ms, "actor": actor, "pid": pid})
    quoted_actor = "null" if actor is None else _quoted(actor)
    return (f'{{"ts": {_quoted(ts)}, "request_id": {_quoted(request_id)}, '
            f'"method": {_quoted(method)}, "path": {_quoted(path)}, "route": {_quoted(route)}, '
            f'"status": {status:d}, "duration_ms": {duration_ms!r}, "actor": {quoted_actor}, '
            f'"pid": {pid:d}}}')


_second: tuple[int, str] = (-1, "")


def _utc_second() -> str:
    """The access log's `ts`, formatted once a second rather than once a request."""
    global _second
    now = int(time.time())
    if _second[0] != now:
        _second = (now, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)))
    return _second[1]


class BodyLimitMiddleware:
    """Refuse bodies over the limit (413 problem), by Content-Length or by counting.

    JSON bodies (at most 10 MB) are read here in full and replayed to the app; uploads stream
    through and are cut off with a 413 once they pass 512 MB."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_headers(scope)
        if not chunked and declared in (None, "0"):  # no body: nothing to count or replay
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        upload = path.startswith(UPLOAD_PATH_PREFIX) or path == EPCIS_CAPTURE_PATH
        limit = (EPCIS_BODY_LIMIT if path == EPCIS_CAPTURE_PATH else
                 UPLOAD_BODY_LIMIT if upload else JSON_BODY_LIMIT)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        if upload:
            await self.app(scope, _counting(receive, limit), send)
            return
        body = await _read_body(receive, limit)
        if body is None:
            await _too_large(limit)(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)


def _body_headers(scope: Scope) -> tuple[str | None, bool]:
    """Content-Length (None when absent) and whether the body is chunked: HTTP/1.1 has a
    request body only with one of them (RFC 9112 §6.3)."""
    declared, chunked = None, False
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            declared = bytes(value).decode("latin-1")
        elif key == b"transfer-encoding":
            chunked = True
    return declared, chunked


def _too_large(limit: int) -> Response:
    return problem(413, "payload_too_large", "Payload too large",
                   f"the request body is larger than the limit of {limit} bytes", limit=limit)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, then: Receive | None = None) -> Receive:
    """A receive callable that hands the app a body already read; later calls go to `then`
    (the server's receive, which waits for the client to disconnect) — answering
    `http.disconnect` at once would make file and streaming responses stop half-way."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then() if then is not None else {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counting_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"the upload is larger than the limit of {limit} bytes")
        return message

    return counting_receive
