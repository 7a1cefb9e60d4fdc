"""Concurrent writers of one organization (issue 18, "no hot row").

WRITERS processes, each with its own services and connections (processes, not threads: the
library is Python, one core per process under the GIL), write to lots of their own in ONE
organization — one round is five units of work: an advance shipping notice and its receipt of
3 units into the writer's lot of a lot-tracked product, an adjustment of -1 on that lot, and
one serial of the writer's lot of a lot- and serial-tracked product marked DEFECTIVE and put
back IN_STOCK (two status changes, each moving the per-status counts). All writers share the
two products, the warehouse and the organization, so a row per product or per organization
that every writer updates would queue them; the ledger chains run per lot.

Then one process does the same total number of rounds on one lot (each process first does
WARMUP_ROUNDS untimed). Prints, for PostgreSQL:

    writers (postgresql): 1 writer X rounds/s, 8 writers Y rounds/s, ratio R
      writer CPU per round (the Python processes), machine CPU busy during each run
      per run: the server's CPU per round (its backends, from /proc), and how often a
      backend in a transaction was waiting on a lock, by state and wait event

`pg_stat_activity` is sampled every few milliseconds; a backend waiting on a heavyweight lock
(`wait_event_type = 'Lock'`: a row's transaction id, a tuple) is queueing behind another
writer, and the statements it waited in are printed. Without a PostgreSQL URL (argument or
LOTLINE_TEST_POSTGRES_URL) the SQLite figures are printed, for information only: SQLite has
one writer at a time by design. LOTLINE_BENCH_WRITER_ROUNDS: rounds per writer (default 40)."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import psycopg

import lotline
from lotline.bootstrap import Services
from support import Bench, postgres_bench, sqlite_bench

WRITERS = 8
ROUNDS = int(os.environ.get("LOTLINE_BENCH_WRITER_ROUNDS", "40"))
APPLICATION = "lotline-bench-writers"
WARMUP_ROUNDS = 3  # per process, before the clock starts


@dataclass(frozen=True)
class Lane:
    """What one writer writes: its lot of each product and the serial it flips."""

    index: int
    lot_number: str
    serial_id: str
    receipt_line_product: str
    supplier_id: str


def _prepare(svc: Services, lanes: int) -> list[Lane]:
    lot_product = svc.products.create_product(sku="W-LOT", name="Writer lot", tracking="lot")
    unit_product = svc.products.create_product(sku="W-UNIT", name="Writer unit",
                                               tracking="lot_serial")
    supplier = svc.suppliers.create_supplier(name="Writer supply")
    result = []
    for index in range(lanes):
        number = f"LANE-{index}"
        receipt = _receive(svc, lot_product.id, supplier.id, number, f"SETUP-{index}", 100_000)
        svc.receipts.putaway(receipt)  # the adjustments take from STOCK
        batch = svc.batch_tracking.create_batch(product_id=unit_product.id,
                                                batch_number=f"UNITS-{index}", quantity=1)
        serial = svc.batch_tracking.register_serial(batch_id=batch.id,
                                                    serial_number=f"W-SN-{index}")
        result.append(Lane(index, number, serial.id, lot_product.id, supplier.id))
    return result


def _receive(svc: Services, product_id: str, supplier_id: str, lot_number: str,
             reference: str, quantity: int) -> str:
    receipt = svc.receipts.create_receipt(
        reference=reference, supplier_id=supplier_id,
        lines=[{"product_id": product_id, "expected_quantity": quantity, "unit_cost": "2"}])
    svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
        {"batch_number": lot_number, "quantity": quantity}]}])
    return receipt.id


def _round(svc: Services, lane: Lane, batch_id: str, number: int) -> None:
    _receive(svc, lane.receipt_line_product, lane.supplier_id, lane.lot_number,
             f"W{lane.index}-{number}", 3)
    svc.stock.adjust(quantity_delta=-1, reason="bench count", batch_id=batch_id)
    svc.serials.change_status(lane.serial_id, "DEFECTIVE", reason="bench")
    svc.serials.change_status(lane.serial_id, "IN_STOCK")


def _writer(url: str, lane: Lane, rounds: int, start: Barrier, offset: int,
            spent: Queue[float]) -> None:
    svc = lotline.create_services(url, organization="bench")
    batch_id = next(b.id for b in svc.batches.by_number(lane.lot_number,
                                                          lane.receipt_line_product))
    for number in range(offset + rounds, offset + rounds + WARMUP_ROUNDS):
        _round(svc, lane, batch_id, number)  # untimed: this process's first statements
    start.wait()
    began = time.process_time()
    for number in range(offset, offset + rounds):
        _round(svc, lane, batch_id, number)
    spent.put(time.process_time() - began)
    svc.engine.dispose()


@dataclass(frozen=True)
class Run:
    rate: float  # rounds per second, all writers together
    client_cpu_ms: float  # CPU seconds the writer processes spent per round, in ms
    machine_busy: float  # share of the machine's CPU time busy (any process) during the run


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _run(url: str, lanes: list[Lane], rounds: int, offset: int) -> Run:
    """len(lanes) writer processes, `rounds` each, started together."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(lanes) + 1)
    spent: Queue[float] = context.Queue()
    workers = [context.Process(target=_writer, args=(url, lane, rounds, start, offset, spent))
               for lane in lanes]
    for worker in workers:
        worker.start()
    start.wait()
    began, cpu_before = time.perf_counter(), _cpu_times()
    cpu = sum(spent.get() for _ in workers)
    elapsed, cpu_after = time.perf_counter() - began, _cpu_times()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a writer failed (exit code {worker.exitcode})")
    total = len(lanes) * rounds
    busy = (cpu_after[0] - cpu_before[0]) / max(1, cpu_after[1] - cpu_before[1])
    return Run(total / elapsed, 1000 * cpu / total, busy)


class LockSampler:
    """Samples pg_stat_activity for the benchmark's own backends (by application_name)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.active = 0
        self.states: Counter[str] = Counter()
        self.queued: Counter[str] = Counter()  # the statements waiting on a lock
        self.first_ticks: dict[int, int] = {}
        self.last_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, "
                    "CASE WHEN wait_event_type = 'Lock' THEN left(query, 60) END, pid "
                    "FROM pg_stat_activity WHERE application_name = %s "
                    "AND pid <> pg_backend_pid()", (APPLICATION,)).fetchall()
                self._read_cpu(row[4] for row in rows)
                rows = [row for row in rows if row[0] != "idle"]
                self.active += len(rows)
                self.states.update(_state_name(*row[:3]) for row in rows)
                self.queued.update(row[3] for row in rows if row[3] is not None)
                time.sleep(0.005)

    def _read_cpu(self, pids: Iterable[int]) -> None:
        """Each backend's CPU ticks (utime + stime, /proc/<pid>/stat): first and last seen."""
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended, or the server is not on this machine
                continue
            ticks = int(fields[11]) + int(fields[12])
            self.first_ticks.setdefault(pid, ticks)
            self.last_ticks[pid] = ticks

    def server_cpu_seconds(self) -> float:
        ticks = sum(self.last_ticks[pid] - self.first_ticks[pid] for pid in self.last_ticks)
        return ticks / os.sysconf("SC_CLK_TCK")

    def lines(self) -> list[str]:
        waiting = sum(n for name, n in self.states.items() if name.startswith("active Lock"))
        detail = ", ".join(f"{name} {n}" for name, n in self.states.most_common())
        return [f"lock waits: {waiting} of {self.active} samples of writer backends in a "
                "transaction were waiting on a lock",
                f"  backend states sampled: {detail or 'none'}",
                *(f"  waiting on a lock ({n} samples): {sql}"
                  for sql, n in self.queued.most_common(5))]


def _state_name(state: str, kind: str | None, event: str | None) -> str:
    """`active CPU` (running), `active Lock:tuple` (queued behind a row), `idle in
    transaction Client:ClientRead` (waiting for its Python writer), ..."""
    if kind is None:
        return f"{state} CPU"
    return f"{state} {kind}:{event}"


def _timed(url: str, lanes: list[Lane], rounds: int, offset: int,
           sampler: Callable[[], LockSampler] | None) -> tuple[Run, list[str]]:
    """The run, and what sampling the server during it showed (PostgreSQL)."""
    if sampler is None:
        return _run(url, lanes, rounds, offset), []
    with sampler() as sampling:
        run = _run(url, lanes, rounds, offset)
    # The backends' CPU includes each process's untimed warm-up rounds: spread over all.
    server_ms = 1000 * sampling.server_cpu_seconds() / (len(lanes) * (rounds + WARMUP_ROUNDS))
    name = f"{len(lanes)} writer{'s' if len(lanes) > 1 else ''}"
    return run, [f"  {name}: server CPU per round {server_ms:.1f} ms (PostgreSQL backends)",
                 *(f"  {name}: {line}" for line in sampling.lines())]


def _measure(bench: Bench, url: str, sampler: Callable[[], LockSampler] | None
             ) -> tuple[Run, Run, list[str]]:
    lanes = _prepare(bench.svc, WRITERS)
    _run(url, lanes[:1], 5, 0)  # the lot's first rows, the server's first plans
    one, seen_one = _timed(url, lanes[:1], WRITERS * ROUNDS, 10, sampler)
    many, seen_many = _timed(url, lanes, ROUNDS, 100_000, sampler)
    return one, many, seen_one + seen_many


def _lines(backend: str, one: Run, many: Run) -> list[str]:
    return [f"writers ({backend}): 1 writer {one.rate:.1f} rounds/s, {WRITERS} writers "
            f"{many.rate:.1f} rounds/s, ratio {many.rate / one.rate:.2f}",
            f"  writer CPU per round: 1 writer {one.client_cpu_ms:.1f} ms, {WRITERS} writers "
            f"{many.client_cpu_ms:.1f} ms; machine CPU busy: 1 writer {one.machine_busy:.0%}, "
            f"{WRITERS} writers {many.machine_busy:.0%} of {os.cpu_count()} cores"]


def main(postgres_url: str | None = None) -> None:
    if postgres_url is None:  # the SQLite figure, for information only
        with sqlite_bench() as bench:
            assert bench.sqlite_path is not None
            one, many, _ = _measure(bench, f"sqlite:///{bench.sqlite_path}", None)
            for line in _lines("sqlite", one, many):
                print(line + (" (for information: SQLite has one writer)" if "ratio" in line
                              else ""), flush=True)
        return
    with postgres_bench(postgres_url) as bench:
        assert bench.postgres_dsn is not None
        url = bench.svc.engine.url.render_as_string(hide_password=False)
        url += f"&application_name={APPLICATION}"
        dsn = bench.postgres_dsn
        one, many, seen = _measure(bench, url, lambda: LockSampler(dsn))
        for line in [*_lines("postgresql", one, many), *seen]:
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOTLINE_TEST_POSTGRES_URL"))
