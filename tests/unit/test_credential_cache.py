"""A resolved credential is trusted again for CREDENTIAL_TTL seconds, never past its token's
expiry, by the IdentityService that resolved it only, and forgotten on any identity change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from lotline.domain.statuses import Role
from lotline.service_layer import credential_cache as cache
from lotline.service_layer.context import Actor

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ACTOR = Actor(org_id="org-1", name="scanner", role=Role.VIEWER)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    monotonic = [100.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: monotonic[0])
    cache.forget_credentials()
    yield monotonic
    cache.forget_credentials()


def test_trusted_for_the_ttl_then_read_again(clock: list[float]) -> None:
    owner = object()
    cache.remember(owner, "hash-1", ACTOR, None)
    clock[0] += cache.CREDENTIAL_TTL
    assert cache.cached(owner, "hash-1", NOW) is ACTOR
    clock[0] += 0.001
    assert cache.cached(owner, "hash-1", NOW) is None
    assert cache.cached(owner, "hash-1", NOW) is None  # and it is gone


def test_never_past_the_tokens_expiry(clock: list[float]) -> None:
    owner = object()
    cache.remember(owner, "hash-2", ACTOR, NOW + dt.timedelta(seconds=1))
    assert cache.cached(owner, "hash-2", NOW) is ACTOR
    assert cache.cached(owner, "hash-2", NOW + dt.timedelta(seconds=1)) is None


def test_only_for_the_service_that_resolved_it_and_forgotten_on_change(
        clock: list[float]) -> None:
    owner, other = object(), object()
    cache.remember(owner, "hash-3", ACTOR, None)
    assert cache.cached(other, "hash-3", NOW) is None
    cache.forget_credentials()
    assert cache.cached(owner, "hash-3", NOW) is None
