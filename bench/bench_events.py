"""What the change feed costs, and how fast the worker delivers webhooks (issue 14).

events_order_flow: single-line orders allocated, picked and shipped through the library
(`bench_flows.ours_flow`: three units of work, three events — order.allocated, order.picked,
order.shipped) with events, vs. without, in alternating chunks of one run on one lot.
events_register_serials: 100,000 serials registered in one call (one `serial.registered`
event holding the count and a link to the serials), with and without it, ROUNDS pairs.
"Without" is the same code with this benchmark's switch off: no event's data is built (the
reads of product, customer and lot numbers included) and no outbox row written. The overhead
is the median over on/off pairs of time with / time without. Target: <= 1.15x.

webhook_worker: DELIVERIES events delivered by `deliver_due` (one HTTP client, keep-alive,
batches of 100 per transaction) to a receiver on 127.0.0.1 that answers 204; deliveries/s.
Goal >= 500/s on SQLite.

Prints `name: with events X/s, without Y/s, overhead Rx` and `webhook_worker (backend):
N deliveries/s`; PostgreSQL too when a URL is given. `LOTLINE_BENCH_ORDERS` sets the orders."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import insert, literal_column

from bench_flows import Side, ours_flow
from lotline.adapters import tables as t
from lotline.adapters.repositories.events import PG_TXID
from lotline.adapters.webhook_http import HttpSender
from lotline.service_layer import event_data
from lotline.service_layer.unit_of_work import EventOutbox
from lotline.service_layer.webhook_delivery import deliver_due
from support import Bench, postgres_bench, rate, serial_numbers, sqlite_bench

CHUNK = 100
ORDERS = max(CHUNK, int(os.environ.get("LOTLINE_BENCH_ORDERS", "1000")) // CHUNK * CHUNK)
WARMUP = 50
SERIALS = 100_000
ROUNDS = 3
DELIVERIES = 5000
TARGET = 1.15


@dataclass(frozen=True)
class Overhead:
    """Rates over the whole run; the overhead is the median of the time ratios of
    neighbouring on/off pairs, which a burst of load on the shared machine moves less."""

    name: str
    with_events: float  # operations per second
    without: float
    pair_ratios: tuple[float, ...]  # time with events / time without, pair by pair

    @property
    def ratio(self) -> float:
        return statistics.median(self.pair_ratios)

    def line(self) -> str:
        verdict = "ok" if self.ratio <= TARGET else f"over the {TARGET}x target"
        return (f"{self.name}: with events {self.with_events:.0f}/s, without "
                f"{self.without:.0f}/s, overhead {self.ratio:.3f}x ({verdict}; median of "
                f"{len(self.pair_ratios)} pairs)")


class EventSwitch:
    """While off, no event is built or written: the outbox insert is skipped and every
    `event_data` builder the use cases imported answers {} at once. This benchmark's switch
    alone (installed for the run, removed after); nothing in lotline has one."""

    def __init__(self) -> None:
        self.on = True

    @contextmanager
    def installed(self) -> Iterator[EventSwitch]:
        patched: list[tuple[Any, str, Any]] = [(EventOutbox, "add", EventOutbox.add)]
        EventOutbox.add = self._switched(EventOutbox.add, None)  # type: ignore[method-assign]
        builders = {id(f): f for name, f in vars(event_data).items()
                    if callable(f) and getattr(f, "__module__", "") == event_data.__name__}
        for module in [m for name, m in sys.modules.items()
                       if name.startswith("lotline.service_layer.")]:
            for name, value in list(vars(module).items()):
                if id(value) in builders and module is not event_data:
                    patched.append((module, name, value))
                    setattr(module, name, self._switched(value, {}))
        try:
            yield self
        finally:
            for owner, name, original in patched:
                setattr(owner, name, original)

    def _switched(self, original: Callable[..., Any], off: Any) -> Callable[..., Any]:
        switch = self

        def call(*args: Any, **kwargs: Any) -> Any:
            return original(*args, **kwargs) if switch.on else off
        return call


def order_flow(bench: Bench, switch: EventSwitch) -> Overhead:
    """One product, lot and queue of orders for both: chunks of CHUNK orders alternate
    between events on and off (which goes first alternating too). Two sides of their own
    differed by 15-20% with events on in both, more than what was measured."""
    total = 2 * ORDERS + WARMUP
    side = Side(bench, "EVENTS", total)
    flow = ours_flow(bench, side)
    flow(range(WARMUP))
    spent = {True: 0.0, False: 0.0}
    ratios = []
    for index, start in enumerate(range(WARMUP, total, 2 * CHUNK)):
        pair = {}
        for on, part in zip((True, False) if index % 2 == 0 else (False, True),
                            (range(start, start + CHUNK),
                             range(start + CHUNK, start + 2 * CHUNK)), strict=True):
            switch.on = on
            began = time.perf_counter()
            flow(part)
            pair[on] = time.perf_counter() - began
            spent[on] += pair[on]
        ratios.append(pair[True] / pair[False])
    switch.on = True
    return Overhead(f"events_order_flow ({bench.backend})", ORDERS / spent[True],
                    ORDERS / spent[False], tuple(ratios))


def register_serials(bench: Bench, switch: EventSwitch) -> Overhead:
    register = bench.svc.batch_tracking.register_serials
    lots = iter(range(10**6))

    def one(on: bool) -> float:
        lot = bench.new_serial_lot(f"EV-{next(lots)}", SERIALS)
        numbers = serial_numbers(f"EV-{lot[-8:]}", SERIALS)
        switch.on = on
        try:
            return rate(SERIALS, lambda: register(lot, numbers))
        finally:
            switch.on = True

    warm = bench.new_serial_lot("EV-WARM", 2000)
    register(warm, serial_numbers("EV-WARM", 2000))
    rates: dict[bool, list[float]] = {True: [], False: []}
    for round_no in range(ROUNDS):
        for on in (True, False) if round_no % 2 == 0 else (False, True):
            rates[on].append(one(on))
    ratios = tuple(off / on for on, off in zip(rates[True], rates[False], strict=True))
    return Overhead(f"events_register_serials ({bench.backend})", max(rates[True]),
                    max(rates[False]), ratios)


RECEIVER = """
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
count = 0
lock = threading.Lock()
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        global count
        self.rfile.read(int(self.headers["content-length"]))
        with lock:
            count += 1
        self.send_response(204)
        self.end_headers()
    def do_GET(self):
        body = str(count).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class CountingReceiver:
    """A process of its own (as a real receiver is: no GIL shared with the worker) on
    127.0.0.1, speaking HTTP/1.1: 204 to every POST; GET answers how many it got."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", RECEIVER],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.base = f"http://127.0.0.1:{self.process.stdout.readline().strip()}"
        self.url = f"{self.base}/hook"

    def count(self) -> int:
        return int(httpx.get(self.base, timeout=30).text)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def worker_throughput(bench: Bench) -> float:
    """Deliveries per second of one worker emptying a queue of DELIVERIES events."""
    os.environ["LOTLINE_WEBHOOKS_ALLOW_PRIVATE"] = "1"
    receiver = CountingReceiver()
    sender = HttpSender()
    try:
        bench.svc.webhooks.create(receiver.url, ["batch.created"])
        now = dt.datetime.now(dt.UTC)
        # As the unit of work writes them (on PostgreSQL with the transaction's id, which
        # the feed orders by), in bulk.
        statement = insert(t.events)
        if bench.backend == "postgresql":
            statement = statement.values(txid=literal_column(PG_TXID))
        with bench.svc.engine.begin() as conn:
            conn.execute(statement, [
                {"org_id": bench.svc.org_id, "type": "batch.created", "occurred_at": now,
                 "actor": "bench", "data": {"batch_id": f"b-{i}", "lot_number": f"L-{i}"}}
                for i in range(DELIVERIES)])
        started, made = time.perf_counter(), 0
        while made < DELIVERIES:
            made += deliver_due(bench.svc.uows, sender)
            assert time.perf_counter() - started < 300, f"{made} of {DELIVERIES} sent"
        elapsed = time.perf_counter() - started
        assert receiver.count() == DELIVERIES
        return DELIVERIES / elapsed
    finally:
        sender.close()
        receiver.close()


def run(bench: Bench) -> None:
    switch = EventSwitch()
    with switch.installed():
        print(order_flow(bench, switch).line(), flush=True)
        print(register_serials(bench, switch).line(), flush=True)
    per_second = worker_throughput(bench)
    print(f"webhook_worker ({bench.backend}): {per_second:.0f} deliveries/s "
          f"({DELIVERIES} to a local receiver; goal >= 500/s)", flush=True)


def main(postgres_url: str | None = None) -> None:
    with sqlite_bench() as bench:
        run(bench)
    if postgres_url:
        with postgres_bench(postgres_url) as bench:
            run(bench)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOTLINE_TEST_POSTGRES_URL"))
