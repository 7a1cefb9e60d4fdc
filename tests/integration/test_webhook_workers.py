"""Two `lotline worker` processes against one PostgreSQL deliver 10,000 events (issue 14):
every delivery arrives, none twice. The receiver is a process of its own on 127.0.0.1 that
counts requests by endpoint and `webhook-id`; the workers are stopped with SIGTERM once it
has them all."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, literal_column

from lotline.adapters import tables as t
from lotline.adapters.repositories.events import PG_TXID

EVENTS = 10_000
DEADLINE_SECONDS = 120.0
RECEIVER = """
import collections, json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
seen = collections.Counter()
lock = threading.Lock()
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        with lock:
            seen[self.path + " " + self.headers["webhook-id"]] += 1
        self.send_response(204)
        self.end_headers()
    def do_GET(self):
        with lock:
            body = json.dumps({"requests": sum(seen.values()), "distinct": len(seen),
                               "repeated": [k for k, n in seen.items() if n > 1][:10]}).encode()
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


def lotline(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("lotline")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "lotline",
                                                          *args]


def add_events(database: Any, org_id: str) -> None:
    """EVENTS outbox rows, half `batch.created`, half `batch.updated`, written as the unit
    of work writes them (with the transaction's id) but in bulk."""
    now = dt.datetime.now(dt.UTC)
    rows = [{"org_id": org_id, "type": "batch.created" if i % 2 else "batch.updated",
             "occurred_at": now, "actor": "test", "data": {"n": i}} for i in range(EVENTS)]
    with database.engine.begin() as conn:
        conn.execute(insert(t.events).values(txid=literal_column(PG_TXID)), rows)


@pytest.mark.slow
@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_two_workers_deliver_10000_events_none_twice(fresh_database: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", "1")
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE,
                                text=True)
    workers: list[subprocess.Popen[str]] = []
    try:
        assert receiver.stdout is not None
        base = f"http://127.0.0.1:{receiver.stdout.readline().strip()}"
        svc = fresh_database.services()
        for path, kind in (("created", "batch.created"), ("updated", "batch.updated")):
            svc.webhooks.create(f"{base}/{path}", [kind])
        add_events(fresh_database, svc.actor.org_id)
        workers = [subprocess.Popen(lotline("--database-url", fresh_database.url, "worker"),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True) for _ in range(2)]
        deadline = time.monotonic() + DEADLINE_SECONDS
        while (counts := httpx.get(base, timeout=30).json())["requests"] < EVENTS:
            assert time.monotonic() < deadline, counts
            assert all(w.poll() is None for w in workers), [w.stderr for w in workers]
            time.sleep(0.2)
        time.sleep(1)  # a late duplicate would show now
        counts = httpx.get(base, timeout=30).json()
        assert counts == {"requests": EVENTS, "distinct": EVENTS, "repeated": []}
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        logs = [worker.communicate(timeout=60)[1] for worker in workers]
        receiver.kill()
        receiver.wait()
    assert [w.returncode for w in workers] == [0, 0], logs
    made = [sum(int(line.split("webhook-delivery: ")[1].split()[0])
                for line in log.splitlines() if "webhook-delivery: " in line) for log in logs]
    assert sum(made) == EVENTS and all(made), made  # both workers took part
    delivered = [d["status"] for d in svc.webhooks.deliveries(
        svc.webhooks.list()[0]["id"], limit=500)]
    assert delivered == ["delivered"] * 500
