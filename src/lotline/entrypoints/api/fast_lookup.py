"""The serial lookup's lean path: `GET /api/v1/serials/lookup/{number}`, every scan's request.

A pass through the middleware stack and FastAPI's routing cost a lookup more than its own
work. This outermost layer answers the plain form of the lookup alone — a GET with no query
string, no body, no cookie and no consistency token, whose number has no forbidden character
— doing what the stack would have done, with the same functions: the request id
(RequestContextMiddleware.start), the credential check (guards.resolve_caller), the same
service call, JSON (serial_json.py) and problem+json errors as the route in routers/serials.py,
the catch-all's 500/503 (guards.unhandled_answer), then the metrics and the access log line
(RequestContextMiddleware.observe). The layers it skips do nothing to such a request: the body
limit and idempotency (a POST's) look at bodies and keys, and consistency at tokens, which it
does not have (its reads go to the primary either way). Every other request goes through the
stack; the route stays the one documented in the OpenAPI schema."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from lotline.bootstrap import Services
from lotline.domain.errors import LotlineError
from lotline.domain.values import forbidden_character
from lotline.entrypoints.api.guards import resolve_caller, unhandled_answer
from lotline.entrypoints.api.middleware import (
    ASGIApp,
    Metrics,
    Receive,
    RequestContextMiddleware,
    Scope,
    Send,
)
from lotline.entrypoints.api.problems import error_response
from lotline.entrypoints.api.serial_json import serial_body
from lotline.service_layer.context import Actor
from lotline.service_layer.identity import IdentityService
from lotline.service_layer.serials import SerialService

PREFIX = "/api/v1/serials/lookup/"
# The route's template as FastAPI reports it: the metrics label the lookup with it either way.
TEMPLATE = "/api/v1/serials/lookup/{serial_number}"
# Request headers that send the request through the stack: a body (the body limit's), a
# cookie or a consistency token (the consistency layer's, with a replica).
STACK_HEADERS = frozenset({b"transfer-encoding", b"cookie", b"lotline-consistency-token"})

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class _Route:
    """What middleware.Metrics reads off scope["route"]: the template."""

    path = TEMPLATE


ROUTE = _Route()


# What LotlineJSONResponse would send besides the length, in its order.
JSON_TYPE = (b"content-type", b"application/json")


class FastLookup:
    def __init__(self, app: ASGIApp, engine: Engine, identity: IdentityService,
                 metrics: Metrics, read_engine: Engine | None = None) -> None:
        self.app = app
        self.engine = engine
        self.read_engine = read_engine
        self.identity = identity
        # Only its start() and observe(): the request id, metrics and access log line.
        self.context = RequestContextMiddleware(app, metrics)
        # The serial service of the last caller: the credential cache hands out the same
        # Actor for a while, and a scanner sends one lookup after another.
        self._last: tuple[Actor, SerialService] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        number = _plain_lookup(scope)
        if number is None:
            await self.app(scope, receive, send)
            return
        request_id = self.context.start(scope)
        started = time.perf_counter()
        status = 500
        try:
            status, headers, body = await self._answer(scope, number)
            headers.append((b"x-request-id", request_id.encode("latin-1")))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            self.context.observe(scope, status, time.perf_counter() - started, request_id)

    async def _answer(self, scope: Scope, number: str) -> Answer:
        try:
            try:
                actor = await resolve_caller(self.identity, scope)
                scope["route"] = ROUTE  # as the router would, once past the credential check
                return self._found(actor, number)
            except LotlineError as error:
                response = error_response(error)
        except Exception as error:  # what the catch-all (UnhandledErrorMiddleware) answers
            response = unhandled_answer(error, scope)
        # What the Response would send (starlette's Response.__call__).
        return response.status_code, list(response.raw_headers), bytes(response.body)

    def _found(self, actor: Actor, number: str) -> Answer:
        serials = self._serials(actor)
        found = serials.lookup(number, None)
        reserved = found.reserved_for
        body = serial_body(found, None if reserved is None else
                           serials.reserved_customers([found]).get(reserved))
        return 200, [(b"content-length", b"%d" % len(body)), JSON_TYPE], body

    def _serials(self, actor: Actor) -> SerialService:
        last = self._last
        if last is not None and last[0] is actor:
            return last[1]
        serials = Services(self.engine, actor, read_engine=self.read_engine).serials
        self._last = (actor, serials)
        return serials


def _plain_lookup(scope: Scope) -> str | None:
    """The serial number of a plain lookup request, else None (the stack handles it)."""
    if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("query_string"):
        return None
    path = str(scope.get("path", ""))
    if not path.startswith(PREFIX) or scope.get("root_path"):
        return None
    number = path[len(PREFIX):]
    if not number or forbidden_character(number, scan=False):
        return None
    for key, value in scope.get("headers", ()):
        if key in STACK_HEADERS or (key == b"content-length" and value != b"0"):
            return None
    return number
