"""Credentials resolved recently in this process.

Every API request turns its bearer token or API key into an Actor; the read behind it was most
of a lookup's database time. A credential resolved once is trusted again for CREDENTIAL_TTL
seconds (never past its token's expiry). Any change of users, API keys or tokens made through
this process's services empties the cache at once; one made by another process (another
worker, the CLI) is seen within CREDENTIAL_TTL (docs/decisions.md)."""

from __future__ import annotations

import datetime as dt
import time

from lotline.service_layer.context import Actor

CREDENTIAL_TTL = 2.0
MAX_ENTRIES = 10_000

# (who resolved it, credential hash) -> (monotonic deadline, expiry of a token, the actor, who)
_RESOLVED: dict[tuple[int, str], tuple[float, dt.datetime | None, Actor, object]] = {}


def cached(owner: object, digest: str, now: dt.datetime) -> Actor | None:
    """The actor `owner` (an IdentityService) resolved for this credential hash lately."""
    entry = _RESOLVED.get((id(owner), digest))
    if entry is None:
        return None
    deadline, expires_at, actor, resolved_by = entry
    if resolved_by is not owner or time.monotonic() > deadline or (
            expires_at is not None and now >= expires_at):
        _RESOLVED.pop((id(owner), digest), None)
        return None
    return actor


def remember(owner: object, digest: str, actor: Actor, expires_at: dt.datetime | None) -> None:
    if len(_RESOLVED) >= MAX_ENTRIES:
        _RESOLVED.clear()
    _RESOLVED[(id(owner), digest)] = (time.monotonic() + CREDENTIAL_TTL, expires_at, actor,
                                      owner)


def forget_credentials() -> None:
    """After a token, key or user changed: every credential is resolved afresh."""
    _RESOLVED.clear()
