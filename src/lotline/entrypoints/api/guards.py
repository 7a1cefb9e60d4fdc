"""The outer guards of every request: one catch-all that turns anything unexpected into a
problem (500, or 503 with Retry-After when the database is out of reach) while the connection
stays usable, and the credential check of /api/v1, made before any body is read."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool

from lotline.domain.errors import LotlineError, Unauthorized
from lotline.entrypoints.api.compat_zoho import PREFIX as COMPAT_PREFIX
from lotline.entrypoints.api.compat_zoho.errors import enveloped
from lotline.entrypoints.api.middleware import ASGIApp, Message, Receive, Scope, Send
from lotline.entrypoints.api.problems import error_response
from lotline.entrypoints.api.responses import problem
from lotline.service_layer.context import Actor
from lotline.service_layer.identity import IdentityService

log = logging.getLogger("lotline.api")

API_PREFIX = "/api/v1/"
# Reached without a credential: logging in itself (its body is small and capped).
OPEN_PATHS = frozenset({"/api/v1/auth/token"})
DATABASE_RETRY_AFTER = 5


def database_unavailable(error: BaseException) -> bool:
    """The database could not be reached or dropped the connection: the request may succeed
    if retried, so it is a 503, not the server's fault."""
    if isinstance(error, PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, OperationalError | InterfaceError))


class UnhandledErrorMiddleware:
    """Catch what nothing else handled and answer it, instead of letting it reach the server
    (uvicorn closes a keep-alive connection on an exception that escapes the app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:  # half an answer is out: nothing sound can follow on this connection
                raise
            answer = unhandled_answer(error, scope)
            path = str(scope.get("path", ""))
            if path == COMPAT_PREFIX or path.startswith(COMPAT_PREFIX + "/"):
                answer = enveloped(answer)  # seed 003's surface has its own error envelope
            await answer(scope, receive, send)


def unhandled_answer(error: Exception, scope: Scope) -> Any:
    """The problem answering an exception nothing handled (logged here): 503 or 500."""
    request_id = scope.get("state", {}).get("request_id")
    if database_unavailable(error):
        log.warning("database unavailable on %s %s (request %s): %s", scope.get("method"),
                    scope.get("path"), request_id, str(error).splitlines()[0])
        return problem(503, "database_unavailable", "Service unavailable",
                       "the database cannot be reached right now; retry shortly",
                       {"Retry-After": str(DATABASE_RETRY_AFTER)}, request_id=request_id)
    log.error("unhandled error on %s %s (request %s)", scope.get("method"), scope.get("path"),
              request_id, exc_info=error)
    return problem(500, "internal_error", "Internal server error",
                   "the server failed to handle this request; it has been logged",
                   request_id=request_id)


class CredentialMiddleware:
    """Every /api/v1 route but logging in needs a valid credential, checked here from the
    Authorization header alone, before the body is read: an unauthenticated upload costs
    nothing. The actor is left in the scope for the routes' dependency."""

    def __init__(self, app: ASGIApp, identity: IdentityService) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(API_PREFIX) or path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        try:
            await resolve_caller(self.identity, scope)
        except LotlineError as error:
            await error_response(error)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def resolve_caller(identity: IdentityService, scope: Scope) -> Actor:
    """The actor of the request's Authorization header, left in its state (`principal`, and
    `actor` for the access log); a LotlineError (401) when there is none or it is not valid."""
    secret = bearer_secret(_authorization(scope))
    # A login token is one indexed read, cheaper than a trip through the thread pool (as
    # security.current_actor judged); an API key may be touched, a write.
    actor = identity.resolve(secret) if identity.resolves_by_reading(secret) \
        else await run_in_threadpool(identity.resolve, secret)
    state = scope.setdefault("state", {})
    state["principal"], state["actor"] = actor, actor.name
    return actor


def bearer_secret(header: str | None) -> str:
    scheme, _, secret = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("an Authorization: Bearer <token or API key> header is required")
    return secret.strip()


def _authorization(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            return bytes(value).decode("latin-1")
    return None
