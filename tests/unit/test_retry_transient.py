"""Deadlocks and serialisation failures are retried a bounded number of times (issue 17,
finding 7), then answered as a 409 conflict — never a database error."""

from __future__ import annotations

from typing import Any

import psycopg.errors
import pytest
from sqlalchemy.exc import OperationalError

from lotline.adapters.transaction_errors import is_transient
from lotline.errors import Conflict
from lotline.service_layer import retry
from lotline.service_layer.retry import TransientConflict, retry_transient


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BACKOFF_SECONDS", 0.0)


def failing(times: int, calls: list[int]) -> Any:
    @retry_transient
    def step(value: str) -> str:
        calls.append(1)
        if len(calls) <= times:
            raise TransientConflict()
        return value
    return step


def test_a_step_that_deadlocks_twice_succeeds_on_its_third_attempt() -> None:
    calls: list[int] = []
    assert failing(2, calls)("done") == "done"
    assert len(calls) == 3


def test_a_step_that_keeps_deadlocking_is_a_409_after_three_attempts() -> None:
    calls: list[int] = []
    with pytest.raises(Conflict) as caught:
        failing(5, calls)("never")
    assert len(calls) == 3
    assert caught.value.http_status == 409 and caught.value.code == "conflict"
    assert "retry the request" in caught.value.message


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    @retry_transient
    def step() -> None:
        calls.append(1)
        raise Conflict("order is shipped")

    with pytest.raises(Conflict, match="order is shipped"):
        step()
    assert len(calls) == 1


def test_deadlock_and_serialisation_failures_are_transient_raw_or_wrapped() -> None:
    deadlock = psycopg.errors.DeadlockDetected("deadlock detected")
    serialisation = psycopg.errors.SerializationFailure("could not serialize")
    assert is_transient(deadlock) and is_transient(serialisation)
    assert is_transient(OperationalError("COPY", {}, deadlock))
    assert not is_transient(psycopg.errors.UniqueViolation("duplicate key"))
    assert not is_transient(ValueError("40P01"))
