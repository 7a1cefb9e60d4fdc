"""Serial import from a file, against the raw driver (issue 7).

import_serials: a CSV of 1,000,000 serial numbers into one lot through the command line
(`lotline import serials FILE --batch LOT`, a process of its own, timed from start to exit,
its peak memory its own VmHWM), vs. the same number of rows
inserted raw into the same `serials` table of the same database (sqlite3 `executemany` in one
transaction; psycopg `COPY` on PostgreSQL), rows built before the clock starts. Raw goes
first, so ours writes into the fuller table. Targets: ratio >= 0.35, peak < 300 MB.

Prints `import_serials (sqlite): ours X rows/s, raw Y rows/s, ratio R, peak N MB`."""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lotline.adapters.types import sqlite_timestamp
from lotline.domain.ids import new_id
from support import Bench, postgres_bench, serial_numbers, sqlite_bench

ROWS = int(os.environ.get("LOTLINE_BENCH_IMPORT_ROWS", "1000000"))
COLUMNS = ("id", "org_id", "product_id", "batch_id", "scope_key", "serial_number", "status",
           "location_id", "warehouse_id", "purchase_date", "warranty_expiry", "unit_cost",
           "entry_movement_id", "created_at", "updated_at")


def raw_rows(bench: Bench, lot_id: str, prefix: str) -> list[tuple[Any, ...]]:
    """Rows as lotline writes them for this lot (in STOCK, IN_STOCK, one movement id)."""
    svc = bench.svc
    lot = svc.batches.get(lot_id)
    stock = svc.warehouses.location_by_code("STOCK")
    moment = dt.datetime.now(dt.UTC)
    stamp: Any = sqlite_timestamp(moment) if bench.backend == "sqlite" else moment
    head = (svc.org_id, lot.product_id, lot.id, "")
    tail = ("IN_STOCK", stock.id, stock.warehouse_id, None, None, None, new_id(), stamp, stamp)
    return [(new_id(), *head, number, *tail) for number in serial_numbers(prefix, ROWS)]


def write_csv(path: Path, prefix: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("serial_number\n")
        for start in range(0, ROWS, 100_000):
            handle.write("".join(f"{prefix}-{i:08d}\n"
                                 for i in range(start, min(ROWS, start + 100_000))))


# Runs the command line and, at exit, reports the process's own peak resident memory (VmHWM:
# since exec, unlike getrusage, which also counts the forked copy of the parent).
WRAPPER = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write('PEAK_KB ' + line.split()[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['lotline', *sys.argv[1:]]\n"
    "runpy.run_module('lotline', run_name='__main__')\n")


def run_cli(url: str, path: Path, lot_id: str) -> tuple[float, float]:
    """(seconds, peak MB) of `lotline import serials` in a process of its own."""
    command = [sys.executable, "-c", WRAPPER, "--database-url", url, "--organization",
               "bench", "import", "serials", str(path), "--batch", lot_id]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"lotline import failed: {done.stderr or done.stdout}")
    peaks = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    peak_kb = int(peaks[-1]) if peaks else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def line(backend: str, ours: float, raw: float, peak: float) -> str:
    return (f"import_serials ({backend}): ours {ours:.0f} rows/s, raw {raw:.0f} rows/s, "
            f"ratio {ours / raw:.2f}, peak {peak:.0f} MB")


def bench_sqlite() -> str:
    with sqlite_bench() as bench, tempfile.TemporaryDirectory() as directory:
        raw_lot = bench.new_serial_lot("RAW", ROWS)
        rows = raw_rows(bench, raw_lot, "RAW")
        conn = bench.sqlite_connect()
        sql = (f"INSERT INTO serials ({', '.join(COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in COLUMNS)})")
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        before = conn.execute("SELECT coalesce(max(rowid), 0) FROM serials").fetchone()[0]
        conn.executemany(sql, rows)
        conn.execute("INSERT INTO serials_fts(rowid, serial_number) "
                     "SELECT rowid, serial_number FROM serials WHERE rowid > ?", (before,))
        conn.execute("COMMIT")
        raw = ROWS / (time.perf_counter() - start)
        conn.close()
        del rows
        ours_lot = bench.new_serial_lot("OURS", ROWS)
        path = Path(directory) / "serials.csv"
        write_csv(path, "OURS")
        assert bench.sqlite_path is not None
        seconds, peak = run_cli(f"sqlite:///{bench.sqlite_path}", path, ours_lot)
        result = line("sqlite", ROWS / seconds, raw, peak)
        print(result, flush=True)
        return result


def bench_postgres(url: str) -> str:
    with postgres_bench(url) as bench, tempfile.TemporaryDirectory() as directory:
        raw_lot = bench.new_serial_lot("RAW", ROWS)
        rows = raw_rows(bench, raw_lot, "RAW")
        with bench.postgres_connect() as conn:
            start = time.perf_counter()
            with conn.transaction(), conn.cursor() as cursor, cursor.copy(
                    f"COPY serials ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw = ROWS / (time.perf_counter() - start)
        del rows
        ours_lot = bench.new_serial_lot("OURS", ROWS)
        path = Path(directory) / "serials.csv"
        write_csv(path, "OURS")
        seconds, peak = run_cli(bench.svc.engine.url.render_as_string(hide_password=False),
                                path, ours_lot)
        result = line("postgresql", ROWS / seconds, raw, peak)
        print(result, flush=True)
        return result


def main(postgres_url: str | None = None) -> list[str]:
    results = [bench_sqlite()]
    postgres_url = postgres_url or os.environ.get("LOTLINE_TEST_POSTGRES_URL")
    if postgres_url:
        results.append(bench_postgres(postgres_url))
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
