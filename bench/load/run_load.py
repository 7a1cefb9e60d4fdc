"""The load and fault test of issue 18: `make bench-load` (not part of `make test`).

A private PostgreSQL primary with a streaming hot standby (tests/replica/replica_pair.py),
`lotline serve --workers 2` on the primary with reads that may lag routed to the standby
(LOTLINE_DATABASE_READ_URL), and locust (headless, 127.0.0.1 only) running the mixed
workload of locustfile.py for LOTLINE_LOAD_SECONDS (180). During the run: the standby is
restarted, one HTTP worker is killed with SIGKILL, then the primary is restarted. Afterwards:
throughput, p50/p95/p99, answers by kind; every write that was answered 2xx is checked against
the database; `ledger verify` must pass (every chain, and the balances recomputed from the
ledger). Exit status 1 when a check fails (a 500, a lost write, a ledger problem)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from seed import seed
from verify import check_journal, verify_ledger

HERE = Path(__file__).resolve().parent
# The test suite's own primary + hot standby (initdb/pg_basebackup into a temp folder).
sys.path.insert(0, str(HERE.parents[1] / "tests" / "replica"))
from replica_pair import Pair, free_port, start_pair, stop_pair  # noqa: E402

SECONDS = int(os.environ.get("LOTLINE_LOAD_SECONDS", "180"))
USERS = int(os.environ.get("LOTLINE_LOAD_USERS", "16"))
WORKERS = 2


def start_server(primary: str, standby: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOTLINE_DATABASE_READ_URL": standby,
           "LOTLINE_WEBHOOKS_ALLOW_PRIVATE": "1"}
    command = [sys.executable, "-m", "lotline", "--database-url", primary, "serve",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_ready(f"http://127.0.0.1:{port}", 60)
    return server


def wait_ready(base: str, seconds: float) -> float:
    """Poll /readyz until it answers 200: the seconds that took."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return time.monotonic() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base} not ready after {seconds} s")


def worker_pids(server_pid: int) -> list[int]:
    """The live HTTP worker processes uvicorn's supervisor started (not its resource tracker,
    not a killed one it has yet to reap)."""
    found = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                continue
            if b"resource_tracker" not in cmdline and state != "Z":
                found.append(int(pid))
    return found


def restart(pair: Pair, data: Path) -> float:
    """Restart one cluster (fast shutdown: sessions are cut); the seconds it took."""
    began = time.monotonic()
    pair.pg_ctl(data, "restart", "-m", "fast")
    return time.monotonic() - began


def fault_plan(pair: Pair, server: subprocess.Popen[bytes], base: str,
               log: list[str]) -> list[tuple[float, Callable[[], None]]]:
    def restart_standby() -> None:
        log.append(f"standby restarted in {restart(pair, pair.standby_dir):.2f} s")

    def kill_worker() -> None:
        pids = worker_pids(server.pid)
        os.kill(pids[0], signal.SIGKILL)
        began = time.monotonic()
        while time.monotonic() - began < 30:
            now = worker_pids(server.pid)
            if len(now) == len(pids) and pids[0] not in now:
                log.append(f"HTTP worker {pids[0]} killed with SIGKILL (of {pids}); replaced "
                           f"after {time.monotonic() - began:.1f} s: {now}")
                return
            time.sleep(0.2)
        log.append(f"HTTP worker {pids[0]} killed; not replaced within 30 s: {now}")

    def restart_primary() -> None:
        took = restart(pair, pair.primary_dir)
        ready = wait_ready(base, 60)
        log.append(f"primary restarted in {took:.2f} s; /readyz answered 200 again "
                   f"{ready:.2f} s after it was back")

    return [(0.3, restart_standby), (0.5, kill_worker), (0.7, restart_primary)]


def run_faults(plan: list[tuple[float, Callable[[], None]]], began: float,
               log: list[str]) -> threading.Thread:
    def run() -> None:
        for share, fault in plan:
            time.sleep(max(0.0, began + share * SECONDS - time.monotonic()))
            try:
                fault()
            except Exception as error:
                log.append(f"fault {fault.__name__} failed: {error!r}")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def run_locust(base: str, work: Path, setup: Path) -> dict[str, int]:
    env = {**os.environ, "LOTLINE_LOAD_SETUP": str(setup),
           "LOTLINE_LOAD_JOURNAL": str(work / "journal.jsonl"),
           "LOTLINE_LOAD_OUTCOMES": str(work / "outcomes.json")}
    locust = Path(sys.executable).parent / "locust"
    subprocess.run([str(locust), "-f", str(HERE / "locustfile.py"), "--headless", "-u",
                    str(USERS), "-r", str(USERS), "-t", f"{SECONDS}s", "--host", base,
                    "--csv", str(work / "load"), "--only-summary", "--stop-timeout", "10",
                    "--exit-code-on-error", "0"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=(work / "locust.log").open("wb"))
    return dict(json.loads((work / "outcomes.json").read_text()))


def print_stats(work: Path) -> None:
    with (work / "load_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    print(f"{'request':34} {'count':>7} {'fail':>6} {'req/s':>7} {'p50':>6} {'p95':>6} "
          f"{'p99':>6}  (ms)")
    for row in rows:
        print(f"{(row['Type'] + ' ' + row['Name']).strip()[:34]:34} {row['Request Count']:>7} "
              f"{row['Failure Count']:>6} {float(row['Requests/s']):7.1f} {row['50%']:>6} "
              f"{row['95%']:>6} {row['99%']:>6}")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="lotline-load-"))
    pair = start_pair()
    server = None
    try:
        primary, standby = pair.primary_url, pair.standby_url
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(primary, standby, port, work / "server.log")
        setup = work / "setup.json"
        setup.write_text(json.dumps(seed(primary, base)))
        fault_log: list[str] = []
        faults = run_faults(fault_plan(pair, server, base, fault_log), time.monotonic(),
                            fault_log)
        outcomes = run_locust(base, work, setup)
        faults.join(timeout=120)
        return report(work, primary, outcomes, fault_log)
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        stop_pair(pair)


def report(work: Path, primary: str, outcomes: dict[str, int], fault_log: list[str]) -> int:
    print(f"load: {USERS} users, {SECONDS} s, {WORKERS} workers + primary + hot standby "
          f"(work files in {work})")
    print_stats(work)
    print("answers by kind: " + ", ".join(f"{kind} {count}" for kind, count in
                                          sorted(outcomes.items())))
    for line in fault_log:
        print(f"fault: {line}")
    lost = check_journal(primary, work / "journal.jsonl")
    problems = verify_ledger(primary)
    server_errors = sum(count for kind, count in outcomes.items() if kind.startswith("5")
                        and kind != "503 with Retry-After")
    print(f"after: {len(lost)} acknowledged writes missing; {server_errors} 5xx other than "
          f"503 with Retry-After; ledger verify: "
          f"{'ok' if not problems else f'{len(problems)} problems'}")
    for line in (lost + problems)[:20]:
        print(f"  {line}")
    return 1 if lost or problems or server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
