"""Sending one webhook over HTTP: 10 s timeout, redirects not followed, at most
RESPONSE_BODY_MAX bytes of the answer read (a receiver cannot make the worker read a huge
body). httpx because the project already tests with it and it streams a bounded read. One
client per sender, so successive deliveries to a receiver reuse its keep-alive connection."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from lotline.domain.webhooks import RESPONSE_BODY_KEPT, RESPONSE_BODY_MAX, TIMEOUT_SECONDS


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
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        started = time.monotonic()
        try:
            with self.client.stream("POST", url, headers=headers, content=body) as response:
                received = b""
                for chunk in response.iter_bytes():
                    received += chunk
                    if len(received) >= RESPONSE_BODY_MAX:
                        break
                code = response.status_code
            text = readable(received)
            error = None if 200 <= code < 300 else f"HTTP {code}: {text[:200]}".rstrip(": ")
            return Outcome(code, error, _ms(started), text[:RESPONSE_BODY_KEPT] or None)
        except httpx.HTTPError as failure:
            return Outcome(None, readable(f"{type(failure).__name__}: {failure}")[:2000],
                           _ms(started))

    def close(self) -> None:
        self.client.close()


def readable(raw: bytes | str) -> str:
    """Text a database column takes: undecodable bytes and NUL (PostgreSQL refuses it in
    text) become U+FFFD."""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    return text.replace("\x00", "\ufffd")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
