"""What the read replica costs and saves (issue 18): on a primary and hot standby of its own
(tests/replica/replica_pair.py), how long a list read takes on each, what a consistency token
costs, and how often a client that has just written is served by the standby (it has replayed
the write within the wait) rather than sent back to the primary.

    .venv/bin/python bench/replica_reads.py [ROUNDS]

Not part of `make bench` (it starts two PostgreSQL servers of its own); prints one line per
measurement."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "replica"))

from replica_pair import start_pair, stop_pair, unavailable_reason

from lotline.adapters.replica import write_position
from lotline.bootstrap import Services, create_services, engine_for
from lotline.service_layer.consistency import ReadSession


def _served_by(engine: Engine, counts: dict[str, int], name: str) -> None:
    """Count the products statements `engine` runs while counts["on"] is set."""
    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if counts["on"] and "FROM products" in statement:
            counts[name] += 1
    event.listen(engine, "before_cursor_execute", record)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def _timed(call: object, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return samples


def measure(svc: Services, primary: Engine, standby: Engine, rounds: int) -> None:
    counts = {"primary": 0, "standby": 0, "on": 0}
    _served_by(primary, counts, "primary")
    _served_by(standby, counts, "standby")
    for i in range(50):
        svc.products.create_product(sku=f"B-{i:03d}", name="Bench", tracking="none")
    time.sleep(0.5)
    on_primary = Services(primary, svc.actor)
    fresh = Services(primary, svc.actor, read_engine=standby, read_session=ReadSession())
    print(f"list of 50 on the primary (no replica): "
          f"{_ms(_timed(on_primary.products.list, rounds))}")
    print(f"list of 50 on the standby (no token): {_ms(_timed(fresh.products.list, rounds))}")
    print(f"reading the primary's position (a token): "
          f"{_ms(_timed(lambda: write_position(primary), rounds))}")
    waits: list[float] = []
    counts.update(primary=0, standby=0)
    for i in range(rounds):
        svc.products.create_product(sku=f"W-{i:04d}", name="Written", tracking="none")
        counts["on"] = 1
        started = time.perf_counter()
        assert svc.products.list(q=f"W-{i:04d}").items
        waits.append(time.perf_counter() - started)
        counts["on"] = 0
    print(f"write then list by the same client, {rounds} rounds: served by the standby "
          f"{counts['standby']}, by the primary {counts['primary']}; list {_ms(waits)}")


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 200
    reason = unavailable_reason()
    if reason is not None:
        print(f"replica_reads: skipped: {reason}")
        return 0
    pair = start_pair()
    primary, standby = engine_for(pair.primary_url), engine_for(pair.standby_url)
    try:
        svc = create_services(engine=primary, read_engine=standby, organization="bench")
        measure(svc, primary, standby, rounds)
    finally:
        primary.dispose()
        standby.dispose()
        stop_pair(pair)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
