"""The replica tests' own primary and hot standby (replica_pair.py), started once per run and
removed at its end, failed or not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from replica_pair import Pair, start_pair, stop_pair, unavailable_reason


@pytest.fixture(scope="session")
def pg_pair() -> Iterator[Pair]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"no PostgreSQL primary/standby pair: {reason}")
    pair = start_pair()
    try:
        yield pair
    finally:
        stop_pair(pair)
