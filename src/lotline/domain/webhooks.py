"""Webhooks (DESIGN §9): URL rules, secrets, Standard Webhooks signatures, retry schedule."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from lotline.domain.errors import ValidationError

URL_MAX = 2000
# Seconds after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then disabled.
DEFAULT_SCHEDULE: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
TIMEOUT_SECONDS = 10.0
LEASE_SECONDS = 60.0  # how long a worker holds an endpoint; > the timeout, never ends mid-attempt
RESPONSE_BODY_MAX = 4096  # what is read of a receiver's answer (the rest is not awaited)
RESPONSE_BODY_KEPT = 1000  # characters of it kept in the attempts log
TEST_EVENT_TYPE = "webhook.test"  # sent by POST /webhooks/{id}/test; not in the change feed
SECRET_PREFIX = "whsec_"

Resolver = Callable[[str], Sequence[str]]


def resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


def check_url(url: object, *, allow_http: bool, allow_private: bool,
              resolver: Resolver = resolve) -> str:
    """The URL as given, or a ValidationError naming `url`: https (http only when the
    installation allows it), at most URL_MAX characters, and not a private, loopback or
    link-local address (every address the host resolves to) unless allowed."""
    def bad(message: str) -> ValidationError:
        return ValidationError.single("url", message, url if isinstance(url, str) else None)

    if not isinstance(url, str) or not url.strip():
        raise bad("is required")
    if len(url) > URL_MAX:
        raise bad(f"is longer than {URL_MAX} characters")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        raise bad("must start with https://" + (" or http://" if allow_http else ""))
    if not parts.hostname:
        raise bad("has no host")
    if allow_private:
        return url
    try:
        addresses = resolver(parts.hostname)
    except OSError as error:
        raise bad(f"host {parts.hostname!r} does not resolve ({error})") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved \
                or ip.is_multicast or ip.is_unspecified:
            raise bad(f"resolves to {address}, a private, loopback or link-local address "
                      "(allowed only with LOTLINE_WEBHOOKS_ALLOW_PRIVATE=1)")
    return url


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def next_attempt(schedule: Sequence[int], attempts: int,
                 now: dt.datetime) -> dt.datetime | None:
    """When to try again after `attempts` failed attempts; None when the schedule is spent."""
    if attempts > len(schedule):
        return None
    return now + dt.timedelta(seconds=schedule[attempts - 1])


def parse_schedule(text: str) -> tuple[int, ...]:
    """`LOTLINE_WEBHOOKS_RETRY_SCHEDULE`: seconds, comma-separated (`5,300,1800`)."""
    try:
        schedule = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"LOTLINE_WEBHOOKS_RETRY_SCHEDULE must be whole seconds separated "
                         f"by commas, not {text!r}") from error
    if not schedule or any(s < 0 for s in schedule):
        raise ValueError("LOTLINE_WEBHOOKS_RETRY_SCHEDULE must list at least one delay >= 0")
    return schedule
