"""`Idempotency-Key` on POSTs: the same key with the same request replays the first response;
the same key with another request is a 422. Keys are per credential (the Authorization header),
so two clients never share them."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from lotline.adapters import tables as t
from lotline.adapters.db import WRITE_OPTION
from lotline.domain.ids import new_id
from lotline.entrypoints.api.middleware import ASGIApp, Message, Receive, Scope, Send, replay
from lotline.entrypoints.api.responses import problem
from lotline.service_layer.context import utc_now

MAX_KEY_LENGTH = 200
# Outcomes that say nothing about the request itself are not kept: a retry should run again.
NOT_STORED = frozenset({401, 429})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        if key is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            await problem(422, "validation_error", "Invalid input",
                          f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                          errors=[{"field": "Idempotency-Key", "message": "invalid length",
                                   "value": key[:MAX_KEY_LENGTH]}])(scope, receive, send)
            return
        body = await _whole_body(receive)
        credential = hashlib.sha256((_header(scope, b"authorization") or "").encode()).hexdigest()
        request_hash = hashlib.sha256(b"\n".join([
            str(scope.get("path", "")).encode(), bytes(scope.get("query_string", b"")),
            body])).hexdigest()
        stored = await run_in_threadpool(self._stored, credential, key)
        if stored is not None:
            await self._replay(stored, request_hash, scope, receive, send)
            return
        await self._run_and_store(scope, replay(body, receive), send, credential, key,
                                  request_hash)

    def _stored(self, credential: str, key: str) -> Any:
        k = t.idempotency_keys.c
        with self.engine.connect().execution_options(**{WRITE_OPTION: False}) as conn:
            return conn.execute(select(t.idempotency_keys).where(
                k.credential_hash == credential, k.key == key)).first()

    async def _replay(self, stored: Any, request_hash: str, scope: Scope, receive: Receive,
                      send: Send) -> None:
        if stored.request_hash != request_hash:
            await problem(422, "validation_error", "Invalid input",
                          "this Idempotency-Key was used with a different request",
                          errors=[{"field": "Idempotency-Key", "message": "reused with a "
                                   "different request", "value": stored.key}])(
                scope, receive, send)
            return
        await send({"type": "http.response.start", "status": stored.status_code,
                    "headers": [(b"content-type", stored.content_type.encode()),
                                (b"idempotent-replayed", b"true")]})
        await send({"type": "http.response.body", "body": bytes(stored.body)})

    async def _run_and_store(self, scope: Scope, receive: Receive, send: Send, credential: str,
                             key: str, request_hash: str) -> None:
        captured: dict[str, Any] = {"status": 500, "content_type": "", "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = int(message["status"])
                captured["content_type"] = next(
                    (bytes(v).decode() for k, v in message.get("headers", [])
                     if k == b"content-type"), "application/json")
            elif message["type"] == "http.response.body":
                captured["body"] += bytes(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if captured["status"] < 500 and captured["status"] not in NOT_STORED:
            await run_in_threadpool(self._store, credential, key, request_hash, captured)

    def _store(self, credential: str, key: str, request_hash: str,
               captured: dict[str, Any]) -> None:
        try:
            with self.engine.connect() as conn, conn.begin():
                conn.execute(insert(t.idempotency_keys).values(
                    id=new_id(), credential_hash=credential, key=key, request_hash=request_hash,
                    status_code=captured["status"], content_type=captured["content_type"],
                    body=captured["body"], created_at=utc_now()))
        except IntegrityError:
            pass  # a concurrent retry with the same key stored its (identical) outcome first


async def _whole_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
