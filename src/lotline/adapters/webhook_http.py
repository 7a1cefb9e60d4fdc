"""Sending one webhook over HTTP: 10 s timeout (per connect, send and read, as any HTTP
client's), redirects not followed (a 3xx is a failed attempt), at most RESPONSE_BODY_MAX bytes
of the answer read, so a receiver cannot make the worker read a huge body.

The standard library's `http.client`, one kept-alive connection per receiver (scheme, host,
port): it sends headers and body in one write and costs a third of httpx per request, which
set the worker's pace (about 1,700 against 500 requests/s to a local receiver). HTTPS
verifies certificates and host names with the default TLS context."""

from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from lotline.domain.webhooks import RESPONSE_BODY_KEPT, RESPONSE_BODY_MAX, TIMEOUT_SECONDS

Origin = tuple[str, str, int]
USER_AGENT = "lotline-webhooks"
# What a kept-alive connection that the receiver has closed meanwhile raises on reuse.
STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    response_body: str | None = None  # the start of the receiver's answer, as text

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class HttpSender:
    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self.tls = ssl.create_default_context()
        self.connections: dict[Origin, http.client.HTTPConnection] = {}

    def send(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        started = time.monotonic()
        parts = urlsplit(url)
        origin = (parts.scheme, parts.hostname or "",
                  parts.port or (443 if parts.scheme == "https" else 80))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            code, received = self._post(origin, target, {**headers, "user-agent": USER_AGENT},
                                        body)
        except (OSError, http.client.HTTPException) as failure:
            self._drop(origin)
            text = readable(f"{type(failure).__name__}: {failure}")
            return Outcome(None, text[:2000], _ms(started))
        text = readable(received)
        error = None if 200 <= code < 300 else f"HTTP {code}: {text[:200]}".rstrip(": ")
        return Outcome(code, error, _ms(started), text[:RESPONSE_BODY_KEPT] or None)

    def _post(self, origin: Origin, target: str, headers: dict[str, str],
              body: bytes) -> tuple[int, bytes]:
        reused = origin in self.connections
        try:
            return self._exchange(self._connection(origin), origin, target, headers, body)
        except STALE:
            if not reused:
                raise
            self._drop(origin)  # closed by the receiver while idle: once more, anew
            return self._exchange(self._connection(origin), origin, target, headers, body)

    def _exchange(self, conn: http.client.HTTPConnection, origin: Origin, target: str,
                  headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        received = response.read(RESPONSE_BODY_MAX)
        if response.will_close or not response.isclosed():  # not all read: not reusable
            self._drop(origin)
        return response.status, received

    def _connection(self, origin: Origin) -> http.client.HTTPConnection:
        conn = self.connections.get(origin)
        if conn is None:
            scheme, host, port = origin
            conn = (http.client.HTTPSConnection(host, port, timeout=self.timeout,
                                                context=self.tls) if scheme == "https"
                    else http.client.HTTPConnection(host, port, timeout=self.timeout))
            self.connections[origin] = conn
        return conn

    def _drop(self, origin: Origin) -> None:
        conn = self.connections.pop(origin, None)
        if conn is not None:
            conn.close()

    def close(self) -> None:
        for origin in list(self.connections):
            self._drop(origin)


def readable(raw: bytes | str) -> str:
    """Text a database column takes: undecodable bytes and NUL (PostgreSQL refuses it in
    text) become U+FFFD."""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return text.replace("\x00", "\ufffd")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
