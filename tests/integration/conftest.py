"""Fixtures of the integration tests; the helpers themselves live in `support`."""

from __future__ import annotations

from typing import Any

import pytest
from flow_support import Flows, MovableClock

from lotline.bootstrap import Services
from support import Kit, fixed_clock


@pytest.fixture
def kit(svc: Services) -> Kit:
    return Kit(svc)


@pytest.fixture
def fixed_svc(database: Any) -> Services:
    """Services for a new organization whose clock stands still at support.FIXED_NOW."""
    return database.services(clock=fixed_clock())  # type: ignore[no-any-return]


@pytest.fixture
def fixed_kit(fixed_svc: Services) -> Kit:
    return Kit(fixed_svc)


@pytest.fixture
def flows(kit: Kit) -> Flows:
    return Flows(kit)


@pytest.fixture
def clock() -> MovableClock:
    """A clock the test moves by hand (starts at support.FIXED_NOW)."""
    return MovableClock()


@pytest.fixture
def clocked(database: Any, clock: MovableClock) -> Flows:
    """Flows for a new organization whose services run on `clock`."""
    return Flows(Kit(database.services(clock=clock)))
