"""The worker (issue 17): scheduled checkpoints are signed for each organization whose
ledger moved once its interval has passed, never twice for the same heads; the loop runs
each job on its period, survives a failing job and stops when told."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flow_support import MovableClock

from lotline.adapters.unit_of_work_factory import SqlAlchemyUnitOfWorks
from lotline.service_layer.checkpoints import run_due_checkpoints
from lotline.worker import Job, Worker
from support import Kit

HOUR = dt.timedelta(minutes=60)


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_due_checkpoints_are_signed_once_per_change_and_interval(fresh_database: Any,
                                                                 tmp_path: Path) -> None:
    clock = MovableClock()
    key_file = tmp_path / "ledger.key"
    busy = Kit(fresh_database.services(clock=clock))
    quiet = fresh_database.services(clock=clock)  # an organization without movements

    def run() -> list[tuple[str, int]]:
        made = run_due_checkpoints(SqlAlchemyUnitOfWorks(fresh_database.engine),
                                   interval=HOUR, key_file=key_file, clock=clock)
        return [(c.org_id, c.movement_count) for c in made]

    assert run() == []
    assert not key_file.exists()  # nothing to sign: no key made either
    product = busy.product()
    lot = busy.lot(product, quantity=3)
    assert run() == [(busy.svc.org_id, 1)]
    assert key_file.exists()
    busy.svc.batches.update(lot.id, quantity=5)
    clock.advance(minutes=59)
    assert run() == []  # moved, but the last checkpoint is not an hour old
    clock.advance(minutes=1)
    assert run() == [(busy.svc.org_id, 2)]
    clock.advance(minutes=120)
    assert run() == []  # an hour later, nothing moved: nothing to sign
    assert [c.movement_count for c in busy.svc.checkpoints.list()] == [2, 1]
    assert quiet.checkpoints.list() == []


def test_the_loop_runs_each_job_on_its_period_and_stops_when_told() -> None:
    runs: list[str] = []

    def failing(_stopping: Callable[[], bool]) -> str | None:
        runs.append("failing")
        raise RuntimeError("the database is away")

    jobs = [Job("often", 0.01, lambda _: runs.append("often") and None),
            Job("failing", 0.01, failing), Job("rarely", 3600, lambda _: runs.append("rarely")
                                              and None)]
    stop = threading.Event()
    thread = threading.Thread(target=Worker(jobs).run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 10
    while runs.count("failing") < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(2)
    assert not thread.is_alive()
    assert runs.count("failing") >= 3 and runs.count("often") >= 3  # a failure is no stop
    assert runs.count("rarely") == 1
    assert Worker(jobs).run_once() == ["failing"]
