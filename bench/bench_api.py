"""The HTTP API against the library and against a bare endpoint (issue 4), each through a real
`lotline serve` process (uvicorn, one worker) on loopback.

api_bulk_serials: `POST /api/v1/serials/bulk` with 10,000 serial numbers in one request
(client-side JSON encoding, HTTP, validation, the registration, the response) vs. the
library's `svc.batch_tracking.register_serials` of 10,000 in this process, on the same database,
each into a new lot per round; best of ROUNDS, the two sides alternating who goes first.
Target ratio >= 0.5.

api_lookup: `GET /api/v1/serials/lookup/{n}` (random numbers among 10,000) on `lotline serve`
vs. bench/api_baseline.py: the same path answered by a bare endpoint returning a constant, with
the same token check, middleware (request id, JSON access log, metrics, body limit,
idempotency), logging configuration and process model (uvicorn, one worker). Load from `wrk`
when installed (Debian package `wrk`), else an asyncio httpx loop; CONNECTIONS connections for
LOAD_SECONDS, best of two runs each, interleaved. Prints requests/s of both, the ratio (target
>= 0.5) and the lookup's p99 latency at CONNECTIONS connections and on one connection.

api_lookup_sequential: the same lookup on one connection, one request at a time, against a
constant endpoint with no middleware at all (no token check, no logging, no metrics) served by
the same `lotline serve` process (bench/../entrypoints/api/bench_probe.py, present only when
LOTLINE_BENCH_CONSTANT is set): what a request costs beyond the server and the socket. Best of
two runs each, interleaved; target ratio >= 0.6.

api_serial_search: 1,000,000 serials loaded through `POST /serials/bulk` (100,000 a request),
then `GET /api/v1/serials?q=...` (first page of 50) for fragments matching one, a few dozen, a
few thousand and all the serials: the median time of 5 requests each (SQLite FTS5 trigram,
PostgreSQL pg_trgm).

Server logs go to a temporary file (the access log is written, as in production).

LOTLINE_BENCH_API_PARTS (comma-separated among bulk, lookup, search; all by default) runs only
those parts: without bulk, the lookups' 10,000 serials are registered through the library.
LOTLINE_BENCH_LOAD_SECONDS shortens (or lengthens) each load run of the lookup (8 s)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from lotline.bootstrap import Services
from lotline.domain.statuses import Role
from support import Bench, Result, postgres_bench, rate, report, serial_numbers, sqlite_bench

BULK = 10_000
ROUNDS = 3
CONNECTIONS = 16
LOAD_SECONDS = int(os.environ.get("LOTLINE_BENCH_LOAD_SECONDS", "8"))
WARMUP_SECONDS = 2
SEARCH_SERIALS = int(os.environ.get("LOTLINE_BENCH_SEARCH_SERIALS", "1000000"))
SEARCH_CHUNK = 100_000
SEARCH_REPEAT = 5
PARTS = ("bulk", "lookup", "search")
STARTUP_SECONDS = 120
BENCH_DIR = Path(__file__).resolve().parent
API = "/api/v1"
CONSTANT_ENV = "LOTLINE_BENCH_CONSTANT"  # lotline.entrypoints.api.bench_probe.ENV_VAR
CONSTANT_PATH = "/_bench/constant/"  # its PATH_PREFIX
PASSWORD = "bench-password-not-secret"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server subprocess on a free port, its log in a temporary file."""

    def __init__(self, command: list[str], log_dir: Path, name: str,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"{name}.log"
        with self.log.open("w") as log:
            self.popen = subprocess.Popen(
                [part.replace("{port}", str(self.port)) for part in command],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env={**{k: v for k, v in os.environ.items() if k != "LOTLINE_DATABASE_URL"},
                     **(env or {})})
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not start:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@contextmanager
def server(command: list[str], log_dir: Path, name: str,
           env: dict[str, str] | None = None) -> Iterator[Server]:
    running = Server(command, log_dir, name, env)
    try:
        yield running
    except BaseException:
        running.stop()
        print(f"--- {name}'s log ends with:\n{running.log.read_text()[-4000:]}", file=sys.stderr)
        raise
    finally:
        running.stop()


def database_url(bench: Bench) -> str:
    return bench.svc.engine.url.render_as_string(hide_password=False)


def lotline_serve(url: str) -> list[str]:
    return [sys.executable, "-m", "lotline", "--database-url", url, "serve", "--port", "{port}",
            "--workers", "1"]


def baseline_serve(url: str) -> list[str]:
    return [sys.executable, str(BENCH_DIR / "api_baseline.py"), url, "{port}"]


def admin_token(svc: Services, base: str) -> str:
    username = f"bench-admin-{os.getpid()}-{time.monotonic_ns()}"
    svc.users.create_user(username, PASSWORD, Role.ADMIN)
    response = httpx.post(f"{base}{API}/auth/token", timeout=60,
                          json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["access_token"])


# --- bulk registration -------------------------------------------------------------------------


def bench_bulk(bench: Bench, client: httpx.Client) -> str:
    """The api_bulk_serials line; returns the prefix of 10,000 numbers registered (lookups)."""
    warm = bench.new_serial_lot("API-WARM", 100)
    posted = client.post(f"{API}/serials/bulk", json={
        "batch_id": warm, "serial_numbers": serial_numbers("API-WARM", 100)})
    assert posted.status_code == 201, posted.text
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for round_no in range(ROUNDS):
        api_lot = bench.new_serial_lot(f"API-R{round_no}", BULK)
        lib_lot = bench.new_serial_lot(f"LIB-R{round_no}", BULK)
        api_numbers = serial_numbers(f"API-R{round_no}", BULK)
        lib_numbers = serial_numbers(f"LIB-R{round_no}", BULK)

        def ours(lot: str = api_lot, numbers: list[str] = api_numbers) -> float:
            def call() -> None:
                response = client.post(f"{API}/serials/bulk",
                                       json={"batch_id": lot, "serial_numbers": numbers})
                assert response.status_code == 201, response.text[:500]
                assert response.json()["count"] == BULK
            return rate(BULK, call)

        def raw(lot: str = lib_lot, numbers: list[str] = lib_numbers) -> float:
            return rate(BULK, lambda: bench.svc.batch_tracking.register_serials(lot, numbers))

        for side in (ours, raw) if round_no % 2 == 0 else (raw, ours):
            (ours_rates if side is ours else raw_rates).append(side())
    report(Result(f"api_bulk_serials ({bench.backend})", max(ours_rates), max(raw_rates)))
    return "API-R0"


# --- lookup under load -------------------------------------------------------------------------

WRK_SCRIPT = """
math.randomseed(42)
request = function()
  return wrk.format("GET", string.format("{path}%08d", math.random(0, {count} - 1)))
end
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def load_wrk(base: str, token: str, path: str, seconds: int, script_dir: Path,
             connections: int = CONNECTIONS) -> tuple[float, float]:
    """Requests/s and p99 latency (ms) of wrk on GET `path` + a random number of BULK."""
    script = script_dir / "lookup.lua"
    script.write_text(WRK_SCRIPT.replace("{path}", path).replace("{count}", str(BULK)))
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         "-H", f"Authorization: Bearer {token}", base],
        capture_output=True, text=True, check=True)
    out = done.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    return rps, p99


def load_httpx(base: str, token: str, path: str, seconds: int, _script_dir: Path,
               connections: int = CONNECTIONS) -> tuple[float, float]:
    """Requests/s and p99 latency (ms) of an asyncio httpx loop (wrk absent)."""
    import random

    numbers = [f"{i:08d}" for i in range(BULK)]

    async def run() -> tuple[int, list[float], float]:
        latencies: list[float] = []
        stop_at = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            async def worker(seed: int) -> None:
                pick = random.Random(seed)
                while time.perf_counter() < stop_at:
                    began = time.perf_counter()
                    response = await client.get(f"{path}{pick.choice(numbers)}")
                    if response.status_code != 200:
                        raise RuntimeError(f"lookup answered {response.status_code}")
                    latencies.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            await asyncio.gather(*(worker(i) for i in range(connections)))
            return len(latencies), latencies, time.perf_counter() - began

    count, latencies, elapsed = asyncio.run(run())
    return count / elapsed, statistics.quantiles(latencies, n=100)[98]


def bench_lookup(bench: Bench, url: str, token: str, prefix: str, log_dir: Path) -> None:
    load: Callable[..., tuple[float, float]]
    load, tool = (load_wrk, "wrk") if shutil.which("wrk") else (load_httpx, "httpx")
    lookup = f"{API}/serials/lookup/{prefix}-"
    with server(lotline_serve(url), log_dir, "lotline-lookup",
                {CONSTANT_ENV: "1"}) as ours, \
            server(baseline_serve(url), log_dir, "baseline") as base:
        for target in (ours, base):
            check = httpx.get(f"{target.base}{lookup}00000042",
                              headers={"Authorization": f"Bearer {token}"})
            assert check.status_code == 200, check.text
            load(target.base, token, lookup, WARMUP_SECONDS, log_dir)
        results: dict[str, list[tuple[float, float]]] = {"ours": [], "base": []}
        for order in (("ours", "base"), ("base", "ours")):
            for side in order:
                target = ours if side == "ours" else base
                results[side].append(load(target.base, token, lookup, LOAD_SECONDS, log_dir))
        # One connection, one request at a time: the lookup against a constant endpoint with
        # no middleware on the same server (latency without queueing, too).
        alone: dict[str, list[tuple[float, float]]] = {lookup: [], CONSTANT_PATH: []}
        for order in ((lookup, CONSTANT_PATH), (CONSTANT_PATH, lookup)):
            for path in order:
                alone[path].append(load(ours.base, token, path, LOAD_SECONDS, log_dir,
                                        connections=1))
    ours_rps, ours_p99 = max(results["ours"])
    base_rps, _ = max(results["base"])
    alone_rps, alone_p99 = max(alone[lookup])
    constant_rps, _ = max(alone[CONSTANT_PATH])
    print(f"api_lookup ({bench.backend}, {tool}, {CONNECTIONS} connections, 1 worker): "
          f"ours {ours_rps:.0f} req/s, bare endpoint {base_rps:.0f} req/s, ratio "
          f"{ours_rps / base_rps:.2f}, lookup p99 {ours_p99:.1f} ms ({alone_p99:.1f} ms on one "
          "connection)", flush=True)
    print(f"api_lookup_sequential ({bench.backend}, {tool}, 1 connection): lookup "
          f"{alone_rps:.0f} req/s ({1000 / alone_rps:.2f} ms a request), constant endpoint "
          f"without middleware {constant_rps:.0f} req/s ({1000 / constant_rps:.2f} ms), ratio "
          f"{alone_rps / constant_rps:.2f}", flush=True)


# --- substring search over a million -----------------------------------------------------------


def bench_search(bench: Bench, client: httpx.Client) -> None:
    product = bench.svc.products.create_product(sku="BENCH-SEARCH", name="Search bench unit",
                                                tracking="serial")
    began = time.perf_counter()
    for start in range(0, SEARCH_SERIALS, SEARCH_CHUNK):
        numbers = [f"SRCH-{i:07d}" for i in range(start, start + SEARCH_CHUNK)]
        response = client.post(f"{API}/serials/bulk", timeout=600,
                               json={"product_id": product.id, "serial_numbers": numbers})
        assert response.status_code == 201, response.text[:500]
    load_rate = SEARCH_SERIALS / (time.perf_counter() - began)
    timings: list[str] = []
    for q, expected in (("SRCH-0123456", 1), ("12345", None), ("999", None), ("SRCH", 50)):
        durations: list[float] = []
        for _ in range(SEARCH_REPEAT):
            began = time.perf_counter()
            response = client.get(f"{API}/serials", params={"q": q, "limit": 50})
            durations.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.text[:500]
        items = response.json()["items"]
        assert expected is None or len(items) == expected, (q, len(items))
        assert all(q in item["serial_number"] for item in items)
        timings.append(f"q={q} {statistics.median(durations):.1f} ms")
    print(f"api_serial_search ({bench.backend}, {SEARCH_SERIALS:,} serials loaded through "
          f"POST /serials/bulk at {load_rate:.0f}/s): " + ", ".join(timings) +
          f" (median of {SEARCH_REPEAT}, first page of 50)", flush=True)


# --- driver ------------------------------------------------------------------------------------


def chosen_parts() -> set[str]:
    wanted = os.environ.get("LOTLINE_BENCH_API_PARTS", ",".join(PARTS))
    parts = {part.strip() for part in wanted.split(",") if part.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"LOTLINE_BENCH_API_PARTS: unknown {sorted(unknown)}, not in {PARTS}")
    return parts


def lookup_serials_by_library(bench: Bench) -> str:
    """The lookups' BULK serials without the bulk part: the prefix they were registered under."""
    lot = bench.new_serial_lot("API-R0", BULK)
    bench.svc.batch_tracking.register_serials(lot, serial_numbers("API-R0", BULK))
    return "API-R0"


def run(bench: Bench) -> None:
    url = database_url(bench)
    parts = chosen_parts()
    with tempfile.TemporaryDirectory(prefix="lotline-bench-api-") as directory:
        log_dir = Path(directory)
        with server(lotline_serve(url), log_dir, "lotline") as ours:
            token = admin_token(bench.svc, ours.base)
            if "bulk" in parts:
                with httpx.Client(base_url=ours.base, timeout=300,
                                  headers={"Authorization": f"Bearer {token}"}) as client:
                    prefix = bench_bulk(bench, client)
        if "lookup" in parts:
            if "bulk" not in parts:
                prefix = lookup_serials_by_library(bench)
            bench_lookup(bench, url, token, prefix, log_dir)
        if "search" not in parts:
            return
        with server(lotline_serve(url), log_dir, "lotline-search") as ours, \
                httpx.Client(base_url=ours.base, timeout=300,
                             headers={"Authorization": f"Bearer {token}"}) as client:
            bench_search(bench, client)


def main(postgres_url: str | None = None) -> None:
    with sqlite_bench() as bench:
        run(bench)
    if postgres_url:
        with postgres_bench(postgres_url) as bench:
            run(bench)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOTLINE_TEST_POSTGRES_URL"))

