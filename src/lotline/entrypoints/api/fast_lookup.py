"""The serial lookup's lean path: `GET /api/v1/serials/lookup/{number}`, every scan's request.

FastAPI's routing and dependency solving cost a lookup several times its database read. This
innermost middleware answers the plain form of the lookup itself — a GET with no query string,
its credential already resolved by CredentialMiddleware — with the same service call, the same
JSON (written by serial_json.py, sent as two ASGI messages) and the same problem+json errors
as the route in routers/serials.py; every other form (`?product_id=`, HEAD, a number with a
forbidden character, no resolved caller) goes on to that route, which stays the one
documented in the OpenAPI schema. The outer middleware (request id, access log, metrics,
catch-all, credential, body limit, idempotency) run as for any request."""

from __future__ import annotations

from sqlalchemy import Engine

from lotline.bootstrap import Services
from lotline.domain.errors import LotlineError
from lotline.domain.values import forbidden_character
from lotline.entrypoints.api.middleware import ASGIApp, Receive, Scope, Send
from lotline.entrypoints.api.problems import error_response
from lotline.entrypoints.api.serial_json import serial_body
from lotline.service_layer.context import Actor
from lotline.service_layer.serials import SerialService

PREFIX = "/api/v1/serials/lookup/"
# The route's template as FastAPI reports it: the metrics label the lookup with it either way.
TEMPLATE = "/api/v1/serials/lookup/{serial_number}"


class _Route:
    """What middleware.Metrics reads off scope["route"]: the template."""

    path = TEMPLATE


ROUTE = _Route()


# What LotlineJSONResponse would send besides the length, in its order.
JSON_TYPE = (b"content-type", b"application/json")


class FastLookup:
    def __init__(self, app: ASGIApp, engine: Engine, read_engine: Engine | None = None) -> None:
        self.app = app
        self.engine = engine
        self.read_engine = read_engine
        # The serial service of the last caller: the credential cache hands out the same
        # Actor for a while, and a scanner sends one lookup after another.
        self._last: tuple[Actor, SerialService] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        number = _plain_lookup(scope)
        actor = scope.get("state", {}).get("principal") if number is not None else None
        if number is None or not isinstance(actor, Actor):
            await self.app(scope, receive, send)
            return
        scope["route"] = ROUTE
        try:
            serials = self._serials(actor)
            found = serials.lookup(number, None)
            reserved = found.reserved_for
            body = serial_body(found, None if reserved is None else
                               serials.reserved_customers([found]).get(reserved))
        except LotlineError as error:
            await error_response(error)(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", b"%d" % len(body)), JSON_TYPE]})
        await send({"type": "http.response.body", "body": body})

    def _serials(self, actor: Actor) -> SerialService:
        last = self._last
        if last is not None and last[0] is actor:
            return last[1]
        serials = Services(self.engine, actor, read_engine=self.read_engine).serials
        self._last = (actor, serials)
        return serials


def _plain_lookup(scope: Scope) -> str | None:
    """The serial number of a plain lookup request, else None (the route handles it)."""
    if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("query_string"):
        return None
    path = str(scope.get("path", ""))
    if not path.startswith(PREFIX) or scope.get("root_path"):
        return None
    number = path[len(PREFIX):]
    if not number or forbidden_character(number, scan=False):
        return None
    return number
