"""Serial registration and lookup by number, against the raw driver (issue 3).

register_serials: 100,000 serials into one lot through `svc.batch_tracking.register_serials`,
vs. the same rows inserted raw (sqlite3 `executemany` / psycopg `COPY`) into a copy of the
`serials` table with the same columns, constraints, foreign keys, indexes (and, on SQLite, the
FTS5 table and its triggers), in the same database. Target ratio >= 0.5.

lookup_serial: 20,000 random lookups by number among 100,000 serials through
`svc.batch_tracking.lookup_serial`, vs. raw point selects on the same `serials` table
(sqlite3 / a prepared psycopg statement). Target ratio >= 0.25.

Each measurement runs ROUNDS times and the best rate of each side is reported (noise only ever
slows a run down). Registrations alternate which side goes first; lookups alternate in chunks of
a thousand, so both sides meet the same machine load."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lotline.adapters.types import sqlite_timestamp
from lotline.domain.ids import new_id
from support import (
    Bench,
    Result,
    copy_serials_table_postgres,
    copy_serials_table_sqlite,
    interleaved,
    postgres_bench,
    rate,
    report,
    serial_numbers,
    sqlite_bench,
)

SERIALS = 100_000
LOOKUPS = 20_000
WARMUP = 2_000
ROUNDS = 3
RAW_TABLE = "raw_serials"
COLUMNS = ("id", "org_id", "product_id", "batch_id", "scope_key", "serial_number", "status",
           "location_id", "warehouse_id", "purchase_date", "warranty_expiry", "unit_cost",
           "entry_movement_id", "created_at", "updated_at")


def best_of(ours: Callable[[], float], raw: Callable[[], float]) -> tuple[float, float]:
    """The best rate of each side over ROUNDS rounds, alternating which side goes first."""
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for round_no in range(ROUNDS):
        if round_no % 2 == 0:
            ours_rates.append(ours())
            raw_rates.append(raw())
        else:
            raw_rates.append(raw())
            ours_rates.append(ours())
    return max(ours_rates), max(raw_rates)


# --- register_serials ------------------------------------------------------------------------


class RawRows:
    """Rows shaped as lotline writes them for one registration (same lot, location, status,
    timestamps), built before the clock starts."""

    def __init__(self, bench: Bench, lot_id: str) -> None:
        template = bench.svc.serials.search(batch_id=lot_id, limit=1).items[0]
        self.sqlite = bench.backend == "sqlite"
        self.head = (bench.svc.org_id, template.product_id, template.batch_id, "")
        self.tail = ("IN_STOCK", template.location_id, template.warehouse_id, None, None, None)

    def make(self, prefix: str, count: int) -> list[tuple[Any, ...]]:
        movement_id = new_id()
        moment = dt.datetime.now(dt.UTC)
        stamp: Any = sqlite_timestamp(moment) if self.sqlite else moment
        return [(new_id(), *self.head, number, *self.tail, movement_id, stamp, stamp)
                for number in serial_numbers(prefix, count)]


def bench_register(bench: Bench, raw_insert: Callable[[list[tuple[Any, ...]]], None]) -> Result:
    register = bench.svc.batch_tracking.register_serials
    # Warm up both sides (imports, statement caches, the first pages of every index).
    warm_lot = bench.new_serial_lot("WARM", WARMUP)
    register(warm_lot, serial_numbers("WARM", WARMUP))
    raw_rows = RawRows(bench, warm_lot)
    raw_insert(raw_rows.make("RAWWARM", WARMUP))
    rounds = itertools.count()

    def ours() -> float:  # a new lot of SERIALS each round
        lot = bench.new_serial_lot(f"MAIN-{next(rounds)}", SERIALS)
        numbers = serial_numbers(f"SN-{lot[-8:]}", SERIALS)
        return rate(SERIALS, lambda: register(lot, numbers))

    def raw() -> float:
        rows = raw_rows.make(f"RAW-{new_id()[-8:]}", SERIALS)
        return rate(SERIALS, lambda: raw_insert(rows))

    ours_rate, raw_rate = best_of(ours, raw)
    return Result(f"register_serials ({bench.backend})", ours_rate, raw_rate)


def register_sqlite() -> Result:
    with sqlite_bench() as bench:
        conn = bench.sqlite_connect()
        copy_serials_table_sqlite(conn, RAW_TABLE)
        sql = (f"INSERT INTO {RAW_TABLE} ({', '.join(COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in COLUMNS)})")

        def raw_insert(rows: list[tuple[Any, ...]]) -> None:
            # The same work as ours: the rows, then their trigram index entries in one go.
            conn.execute("BEGIN IMMEDIATE")
            before = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {RAW_TABLE}").fetchone()[0]
            conn.executemany(sql, rows)
            conn.execute(f"INSERT INTO {RAW_TABLE}_fts(rowid, serial_number) "
                         f"SELECT rowid, serial_number FROM {RAW_TABLE} WHERE rowid > ?",
                         (before,))
            conn.execute("COMMIT")

        try:
            return report(bench_register(bench, raw_insert))
        finally:
            conn.close()


def register_postgres(url: str) -> Result:
    with postgres_bench(url) as bench, bench.postgres_connect() as conn:
        copy_serials_table_postgres(conn, RAW_TABLE)
        sql = f"COPY {RAW_TABLE} ({', '.join(COLUMNS)}) FROM STDIN"

        def raw_insert(rows: list[tuple[Any, ...]]) -> None:
            with conn.transaction(), conn.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)

        return report(bench_register(bench, raw_insert))


# --- lookup_serial ---------------------------------------------------------------------------


def bench_lookup(bench: Bench, raw_lookup: Callable[[str], Any]) -> Result:
    lot = bench.new_serial_lot("LOOKUP", SERIALS)
    numbers = serial_numbers("LK", SERIALS)
    bench.svc.batch_tracking.register_serials(lot, numbers)
    rng = random.Random(3)
    sample = [rng.choice(numbers) for _ in range(LOOKUPS)]
    lookup = bench.svc.batch_tracking.lookup_serial

    def ours_loop(wanted: Sequence[str]) -> None:
        for number in wanted:
            lookup(number)

    def raw_loop(wanted: Sequence[str]) -> None:
        for number in wanted:
            raw_lookup(number)

    # Warm-up, and a check that both sides find the same rows.
    ours_loop(sample[:WARMUP])
    raw_loop(sample[:WARMUP])
    for number in sample[:10]:
        found = lookup(number)
        assert found is not None and found.serial_number == number, number
        assert raw_lookup(number)[0] == found.id, number
    ours, raw = interleaved(ours_loop, raw_loop, sample, rounds=ROUNDS)
    return Result(f"lookup_serial ({bench.backend})", ours, raw)


def lookup_sqlite() -> Result:
    with sqlite_bench() as bench:
        conn = bench.sqlite_connect()
        cursor = conn.cursor()
        org_id = bench.svc.org_id
        sql = "SELECT * FROM serials WHERE org_id=? AND serial_number=?"

        def raw_lookup(number: str) -> Any:
            return cursor.execute(sql, (org_id, number)).fetchone()

        try:
            return report(bench_lookup(bench, raw_lookup))
        finally:
            conn.close()


def lookup_postgres(url: str) -> Result:
    with postgres_bench(url) as bench, bench.postgres_connect() as conn:
        conn.autocommit = True
        cursor = conn.cursor()
        org_id = bench.svc.org_id
        sql = "SELECT * FROM serials WHERE org_id=%s AND serial_number=%s"

        def raw_lookup(number: str) -> Any:
            return cursor.execute(sql, (org_id, number), prepare=True).fetchone()

        return report(bench_lookup(bench, raw_lookup))


def main(postgres_url: str | None = None) -> list[Result]:
    results = [register_sqlite(), lookup_sqlite()]
    if postgres_url:
        results += [register_postgres(postgres_url), lookup_postgres(postgres_url)]
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOTLINE_TEST_POSTGRES_URL"))
