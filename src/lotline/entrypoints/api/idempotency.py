"""`Idempotency-Key` on POSTs: the same key with the same request replays the first response
(status, headers, body); the same key with another request is a 422. Keys are per credential
(the Authorization header, or the web UI's session cookie), so two clients never share them.

The request runs inside an idempotency claim (service_layer/idempotency.py): its first write
claims the key in the same transaction, and the answer is written into the claim before that
transaction commits, so concurrent requests with one key write once and a crash leaves either
nothing or the whole answer. The answer reaches the client only after the commit."""

from __future__ import annotations

import hashlib
import json
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from lotline.bootstrap import SqlAlchemyClaimStore
from lotline.entrypoints.api.middleware import ASGIApp, Message, Receive, Scope, Send
from lotline.entrypoints.api.responses import problem
from lotline.entrypoints.web.session import SESSION_COOKIE
from lotline.service_layer import idempotency
from lotline.service_layer.idempotency import Claim, Outcome

MAX_KEY_LENGTH = 200
# Logging in is not a use case to replay: its failures must count, whatever the headers say.
EXEMPT_PATHS = frozenset({"/api/v1/auth/token"})
# Headers a replay must not copy: the server sets them afresh for each response.
NOT_KEPT = frozenset({b"content-type", b"content-length", b"x-request-id", b"date", b"server"})
RETRY_AFTER_SECONDS = 1


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _credential(scope: Scope) -> str:
    """Whose keys these are: the Authorization header, else the web UI's session cookie."""
    authorization = _header(scope, b"authorization")
    if authorization:
        return authorization
    cookies = SimpleCookie(_header(scope, b"cookie") or "")
    session = cookies.get(SESSION_COOKIE)
    return f"cookie:{session.value}" if session is not None else ""


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        self.claims: idempotency.ClaimStore = SqlAlchemyClaimStore(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only a POST can carry a key: any other request (every lookup) skips the header scan.
        key = _header(scope, b"idempotency-key") \
            if scope["type"] == "http" and scope.get("method") == "POST" else None
        if key is None or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            await problem(422, "validation_error", "Invalid input",
                          f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                          errors=[{"field": "Idempotency-Key", "message": "invalid length",
                                   "value": key[:MAX_KEY_LENGTH]}])(scope, receive, send)
            return
        credential = hashlib.sha256(_credential(scope).encode()).hexdigest()
        fingerprint = _Fingerprint(scope)
        earlier = await run_in_threadpool(self.claims.stored, credential, key)
        if earlier is not None:
            await _drain(fingerprint.reading(receive))
            await _answer_from(earlier, fingerprint.hexdigest(), key, scope, receive, send)
            return
        claim = Claim(credential, key, "")
        await self._run_claimed(claim, fingerprint, scope, receive, send)

    async def _run_claimed(self, claim: Claim, fingerprint: _Fingerprint, scope: Scope,
                           receive: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        outcome: Outcome | None = None
        try:
            with idempotency.claiming(claim):
                await self.app(scope, fingerprint.reading(receive), capture)
            claim.fingerprint = fingerprint.hexdigest()
            outcome = _outcome(messages)
        finally:
            # The work and its answer commit together, before the client hears of either; an
            # error (any answer >= 400) leaves nothing behind, so its retry runs afresh.
            keep = outcome if outcome is not None and outcome.status < 400 else None
            await run_in_threadpool(self.claims.settle, claim, keep)
        assert outcome is not None
        if outcome.status < 400 and claim.owner is None and claim.taken is None:
            await run_in_threadpool(self.claims.remember, claim, outcome)
        if outcome.status >= 400:
            # Lost a race for the key (or met the winner's writes before its answer could be
            # seen): answer what the winner answered.
            earlier = await run_in_threadpool(self.claims.stored, claim.scope, claim.key)
            if earlier is not None:
                await _answer_from(earlier, claim.fingerprint, claim.key, scope, receive, send)
                return
            if claim.taken is not None:
                await _in_progress(claim.key)(scope, receive, send)
                return
        for message in messages:
            await send(message)


class _Fingerprint:
    """SHA-256 of the path, the query and the body, taken as the body streams past."""

    def __init__(self, scope: Scope) -> None:
        self.hash = hashlib.sha256(b"\n".join([
            str(scope.get("path", "")).encode(), bytes(scope.get("query_string", b"")), b""]))

    def reading(self, receive: Receive) -> Receive:
        async def hashing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.hash.update(bytes(message.get("body", b"")))
            return message

        return hashing_receive

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def _outcome(messages: list[Message]) -> Outcome:
    status, content_type, headers, body = 500, "application/json", [], b""
    for message in messages:
        if message["type"] == "http.response.start":
            status = int(message["status"])
            for name, value in message.get("headers", []):
                if bytes(name).lower() == b"content-type":
                    content_type = bytes(value).decode("latin-1")
                elif bytes(name).lower() not in NOT_KEPT:
                    headers.append([bytes(name).decode("latin-1"),
                                    bytes(value).decode("latin-1")])
        elif message["type"] == "http.response.body":
            body += bytes(message.get("body", b""))
    return Outcome(status, content_type, headers, body)


async def _answer_from(earlier: idempotency.StoredClaim, fingerprint: str, key: str,
                       scope: Scope, receive: Receive, send: Send) -> None:
    if earlier.fingerprint != fingerprint:
        await problem(422, "validation_error", "Invalid input",
                      "this Idempotency-Key was used with a different request",
                      errors=[{"field": "Idempotency-Key", "message": "reused with a "
                               "different request", "value": key}])(scope, receive, send)
        return
    stored = earlier.outcome
    headers = [(b"content-type", stored.content_type.encode("latin-1")),
               *((name.encode("latin-1"), value.encode("latin-1"))
                 for name, value in stored.headers),
               (b"idempotent-replayed", b"true")]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


def _in_progress(key: str) -> Any:
    return problem(409, "idempotency_in_progress", "Idempotency key in use",
                   f"a request with the Idempotency-Key {json.dumps(key)} is still running; "
                   f"retry after it ends", {"Retry-After": str(RETRY_AFTER_SECONDS)}, key=key)


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
