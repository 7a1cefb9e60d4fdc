"""The background worker: periodic jobs run in one loop, each on its own period, until told
to stop. `lotline worker` runs it as a process; `lotline serve` runs it in a thread of its
own process (one per server, however many HTTP workers it starts).

A job is a name, a period and a function, which is handed a predicate telling it that the
worker is stopping (a long job ends its turn early). Jobs: signed ledger checkpoints and
webhook delivery. A job that fails is logged and tried again at its next turn; the loop goes
on."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

from lotline.adapters.unit_of_work_factory import SqlAlchemyUnitOfWorks
from lotline.adapters.webhook_http import HttpSender
from lotline.config import checkpoint_interval_minutes, webhook_lease_seconds, webhook_schedule
from lotline.service_layer.checkpoints import run_due_checkpoints
from lotline.service_layer.webhook_delivery import deliver_due

log = logging.getLogger("lotline.worker")
# The checkpoint job looks every minute (or every interval, when shorter); which
# organizations are due is decided from their last stored checkpoint, so a restart neither
# skips nor repeats one.
CHECKPOINT_POLL_SECONDS = 60.0
JOIN_SECONDS = 10.0
WEBHOOK_TURN_SECONDS = 30.0  # then the other jobs have their turn
WEBHOOK_PERIOD_SECONDS = 0.5
Stopping = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Stopping], str | None]  # what it did, for the log; None: nothing


class Worker:
    def __init__(self, jobs: Sequence[Job], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.jobs = list(jobs)
        self.clock = clock

    def run(self, stop: threading.Event) -> None:
        """Every job at once, then each on its period, until `stop` is set."""
        next_run = dict.fromkeys((job.name for job in self.jobs), self.clock())
        while not stop.is_set():
            for job in self.jobs:
                if stop.is_set():
                    return
                if next_run[job.name] <= self.clock():
                    self._run(job, stop.is_set)
                    next_run[job.name] = self.clock() + job.every_seconds
            if next_run:
                stop.wait(max(0.0, min(next_run.values()) - self.clock()))
            else:
                stop.wait()

    def run_once(self) -> list[str]:
        """Every job once; the names of those that failed."""
        return [job.name for job in self.jobs if not self._run(job, lambda: False)]

    def _run(self, job: Job, stopping: Stopping) -> bool:
        try:
            outcome = job.run(stopping)
        except Exception:
            log.exception("job %s failed; it runs again in %.0f s", job.name, job.every_seconds)
            return False
        if outcome:
            log.info("%s: %s", job.name, outcome)
        return True


def checkpoint_job(engine: Engine, interval_minutes: float) -> Job:
    interval = dt.timedelta(minutes=interval_minutes)
    uows = SqlAlchemyUnitOfWorks(engine)

    def run(_stopping: Stopping) -> str | None:
        made = run_due_checkpoints(uows, interval=interval)
        if not made:
            return None
        return (f"signed {len(made)} ledger checkpoint{'s' if len(made) != 1 else ''} "
                f"({', '.join(c.id for c in made)})")

    return Job("ledger-checkpoints", min(CHECKPOINT_POLL_SECONDS, interval.total_seconds()),
               run)


def webhook_job(engine: Engine, schedule: Sequence[int], lease_seconds: float) -> Job:
    """Deliver what is due: passes one after the other while there is work, for at most
    WEBHOOK_TURN_SECONDS; a stop request is seen between attempts (the one in flight is
    finished and recorded). One HTTP client for the job: keep-alive to each receiver."""
    sender, uows = HttpSender(), SqlAlchemyUnitOfWorks(engine)

    def run(stopping: Stopping) -> str | None:
        ends, made = time.monotonic() + WEBHOOK_TURN_SECONDS, 0
        while not stopping() and time.monotonic() < ends:
            attempts = deliver_due(uows, sender, schedule=schedule, lease_seconds=lease_seconds,
                                   stop=lambda: stopping() or time.monotonic() > ends)
            made += attempts
            if not attempts:
                break
        return f"{made} webhook attempts" if made else None

    return Job("webhook-delivery", WEBHOOK_PERIOD_SECONDS, run)


def default_jobs(engine: Engine) -> list[Job]:
    """The jobs of an installation, from its settings (ValueError naming a bad one)."""
    return [checkpoint_job(engine, checkpoint_interval_minutes()),
            webhook_job(engine, webhook_schedule(), webhook_lease_seconds())]


@contextmanager
def worker_in_background(jobs: Sequence[Job]) -> Iterator[Worker]:
    """Run the jobs in a daemon thread for the duration of the block."""
    worker = Worker(jobs)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="lotline-worker",
                              daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(JOIN_SECONDS)
