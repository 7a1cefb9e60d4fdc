"""The cost curve (issue 18): the same reads at 10k, 1M and 10M serials, PostgreSQL only.

One organization in a schema of its own (dropped at the end) is grown in turn to each size by
`lotline.demo_scale.grow_scale_demo` (COPY; lots of 100 serials, 10 orders a lot, 8 shipped
with 3 units each), and at each size these are timed through the library, beside the raw SQL
that returns the same rows on the same server:

  lookup        svc.serials.lookup(number) of random serials
  first page    svc.serials.search(limit=50)
  deep page     svc.serials.search(limit=50, cursor=<a serial halfway down the list>)
  search        svc.serials.search(q="<lot>-0") — a fragment matching 10 serials
  search common svc.serials.search(q="SCALE-") — a fragment every serial matches: first page
  counts        svc.serials.counts() — the status-count projection (raw: count(*) by status)
  trace         svc.trace.forward(lot) of random lots — 8 orders, 24 shipped units each
  recall        svc.recalls.create(batch_ids=[lot]) — the report stored with the recall

Each figure is the median of its runs in milliseconds. Expected: lookup, pages, the common
search, counts, trace and recall flat (their results do not grow with the table). Measured
(docs/scaling.md): they are; the rare-fragment search grows with the trigram posting lists
(5 → 9 → 30 ms), and the raw `LIKE ... ORDER BY id LIMIT 51` becomes a walk of the whole
organization at 10M (the planner expects many matches), which lotline's search avoids.
`ledger verify` runs on the generated data at the sizes up to VERIFY_UP_TO.

    python bench/bench_scale.py [POSTGRES_URL] [--sizes 10000,1000000,10000000]

`make bench` (run_all) runs the 10k size only; `make bench-scale` the whole curve."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from lotline.adapters.repositories.common import encode_cursor
from lotline.adapters.scale_rows import SERIALS_PER_LOT, lot_number, serial_number
from lotline.demo_scale import SCALE_PRODUCTS, grow_scale_demo
from support import Bench, postgres_bench

QUICK_SIZES = (10_000,)
CURVE_SIZES = (10_000, 1_000_000, 10_000_000)
VERIFY_UP_TO = 1_000_000
SAMPLES = {"lookup": 300, "search": 100, "counts": 50, "trace": 30, "recall": 15}
RAW = {
    "lookup": "SELECT * FROM serials WHERE org_id = %s AND serial_number = %s",
    "first page": "SELECT * FROM serials WHERE org_id = %s ORDER BY id LIMIT 51",
    "deep page": "SELECT * FROM serials WHERE org_id = %s AND id > %s ORDER BY id LIMIT 51",
    "search": "SELECT * FROM serials WHERE org_id = %s AND serial_number LIKE %s "
              "ORDER BY id LIMIT 51",
    "search common": "SELECT * FROM serials WHERE org_id = %s AND serial_number LIKE %s "
                     "ORDER BY id LIMIT 51",
    "counts": "SELECT status, count(*) FROM serials WHERE org_id = %s GROUP BY status",
    "trace": "SELECT o.reference, c.id, c.name, s.serial_number, m.quantity, m.occurred_at "
             "FROM movements m JOIN orders o ON o.id = m.order_id "
             "JOIN customers c ON c.id = o.customer_id JOIN serials s ON s.id = m.serial_id "
             "WHERE m.org_id = %s AND m.batch_id = %s AND m.kind = 'shipment' "
             "ORDER BY c.name, o.reference, s.serial_number",
}
RAW["recall"] = RAW["trace"]
Row = tuple[int, str, float, float | None, str]


def _median_ms(run: Callable[[Any], object], args: list[Any]) -> float:
    spent = []
    for arg in args:
        began = time.perf_counter()
        run(arg)
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent)


class Curve:
    def __init__(self, bench: Bench, size: int) -> None:
        self.bench, self.size, self.svc = bench, size, bench.svc
        self.lots = -(-size // SERIALS_PER_LOT)
        self.rng = random.Random(size)
        self.raw = bench.postgres_connect()
        self.org = self.svc.org_id

    def _raw(self, sql: str) -> Callable[[Any], object]:
        return lambda params: self.raw.execute(sql, params).fetchall()

    def _numbers(self, count: int) -> list[str]:
        return [serial_number(f"SCALE-{lot % SCALE_PRODUCTS + 1:02d}", lot,
                              self.rng.randrange(SERIALS_PER_LOT))
                for lot in (self.rng.randrange(self.lots) for _ in range(count))]

    def _lot_ids(self, count: int) -> list[str]:
        numbers = [lot_number(self.rng.randrange(self.lots)) for _ in range(count)]
        rows = self.raw.execute("SELECT batch_number, id FROM batches WHERE org_id = %s AND "
                                "batch_number = ANY(%s)", (self.org, numbers)).fetchall()
        ids = dict(rows)
        return [ids[number] for number in numbers]

    def measure(self) -> list[Row]:
        s, org = self.svc, self.org
        middle = self.raw.execute(RAW["lookup"], (org, serial_number(
            "SCALE-" f"{self.lots // 2 % SCALE_PRODUCTS + 1:02d}", self.lots // 2, 0))
        ).fetchone()
        assert middle is not None
        deep = encode_cursor([middle[0]])
        fragments = [f"-{self.rng.randrange(self.lots):06d}-0"
                     for _ in range(SAMPLES["search"])]
        cases: list[tuple[str, Callable[[Any], object], list[Any], list[Any], str]] = [
            ("lookup", s.serials.lookup, (n := self._numbers(SAMPLES["lookup"])),
             [(org, x) for x in n], "1 serial"),
            ("first page", lambda _: s.serials.search(limit=50), [None] * 50, [(org,)] * 50,
             "50 serials"),
            ("deep page", lambda c: s.serials.search(limit=50, cursor=c), [deep] * 50,
             [(org, middle[0])] * 50, "50 serials"),
            ("search", lambda q: s.serials.search(q=q, limit=50), fragments,
             [(org, f"%{q}%") for q in fragments], "10 serials"),
            ("search common", lambda q: s.serials.search(q=q, limit=50), ["SCALE-"] * 50,
             [(org, "%SCALE-%")] * 50, "50 serials"),
            ("counts", lambda _: s.serials.counts(), [None] * SAMPLES["counts"],
             [(org,)] * 5, "9 statuses"),
            ("trace", s.trace.forward, (lots := self._lot_ids(SAMPLES["trace"])),
             [(org, x) for x in lots], "8 orders, 24 units"),
            ("recall", lambda b: s.recalls.create(reason="cost curve", batch_ids=[b]),
             (lots := self._lot_ids(SAMPLES["recall"])), [(org, x) for x in lots],
             "8 orders, 24 units"),
        ]
        rows: list[Row] = []
        for name, ours, args, raw_args, result in cases:
            ours(args[0])  # warm: plans, caches
            ours_ms = _median_ms(ours, args)
            raw_ms = _median_ms(self._raw(RAW[name]), raw_args)
            rows.append((self.size, name, ours_ms, raw_ms, result))
        self.raw.close()
        return rows


def _verify(bench: Bench) -> str:
    began = time.perf_counter()
    report = bench.svc.ledger.verify()
    status = "ok" if report.ok else f"{len(report.problems)} problems: {report.problems[:3]}"
    return (f"ledger verify: {status} ({report.streams} streams, {report.movements} movements, "
            f"{report.serials} serials, {time.perf_counter() - began:.1f} s)")


def print_curve(rows: list[Row]) -> None:
    print(f"{'serials':>11}  {'operation':<13} {'ours ms':>9} {'raw ms':>9} {'ratio':>6}  result")
    for size, name, ours, raw, result in rows:
        ratio = f"{ours / raw:.2f}" if raw else "-"
        raw_text = f"{raw:9.2f}" if raw is not None else f"{'-':>9}"
        print(f"{size:>11,}  {name:<13} {ours:9.2f} {raw_text} {ratio:>6}  {result}",
              flush=True)


def run_curve(postgres_url: str, sizes: tuple[int, ...]) -> list[Row]:
    rows: list[Row] = []
    with postgres_bench(postgres_url) as bench:
        for size in sizes:
            began = time.perf_counter()
            phases = grow_scale_demo(bench.svc, size)
            spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
            print(f"scale: grew to {size:,} serials in {time.perf_counter() - began:.0f} s "
                  f"({spent})", flush=True)
            if size <= VERIFY_UP_TO:
                print(f"scale {size:,}: {_verify(bench)}", flush=True)
            rows.extend(Curve(bench, size).measure())
            print_curve([row for row in rows if row[0] == size])
    return rows


def main(postgres_url: str | None, sizes: tuple[int, ...] = QUICK_SIZES) -> None:
    if not postgres_url:
        print("scale: skipped (PostgreSQL only: set LOTLINE_TEST_POSTGRES_URL)")
        return
    free = shutil.disk_usage(os.environ.get("LOTLINE_BENCH_DISK", "/")).free / 2**30
    print(f"scale: {free:.0f} GiB free; sizes {', '.join(f'{n:,}' for n in sizes)}", flush=True)
    if max(sizes) >= 10_000_000 and free < 10:
        raise SystemExit("scale: fewer than 10 GiB free; the 10M size needs about 8")
    rows = run_curve(postgres_url, sizes)
    print("\ncost curve:")
    print_curve(rows)


def _arguments(argv: list[str]) -> tuple[str | None, tuple[int, ...]]:
    url = os.environ.get("LOTLINE_TEST_POSTGRES_URL") or None
    sizes = CURVE_SIZES
    rest = list(argv)
    while rest:
        item = rest.pop(0)
        if item == "--sizes":
            sizes = tuple(int(n) for n in rest.pop(0).split(","))
        else:
            url = item
    return url, sizes


if __name__ == "__main__":
    main(*_arguments(sys.argv[1:]))
