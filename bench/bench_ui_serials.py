"""Web UI server time over a lived-in serials table (issue 12, "Done when"): the serial list's
first page, tab switches (full page and the htmx fragment the tabs ask for) and partial-number
searches, each the median of ROUNDS requests after a warm-up. Target: each under 50 ms.

The data is `lotline demo-scale`'s generator (`seed_large_demo`, orders left out): serials of
12 products over lots of 10,000, every status of the lifecycle mixed row by row (55 % in stock,
22 % shipped, ... 3 % expected), written by the serial import pipeline (staged, one INSERT ...
SELECT). Unlike bench_ui.py (statuses by blocks of 100,000 on one product) a tab here reads
rows spread over the whole table.

What is measured is the server's own time: the `Server-Timing: app;dur=` header the web pages
send (the handler, session check included, template rendered), read from a signed-in
in-process TestClient; the client's transport is not counted.

Found with it: a search whose matches spread over many lots took 414 ms at 1,000,000 serials
(the list built each row's lot view, with a count of the lot's serials in stock, to print the
lot's number); the list now reads the page's lot numbers at once (8 ms).

`python bench/bench_ui_serials.py [postgresql+psycopg://...]`: SQLite, or the given database
(a schema of its own, dropped at the end). LOTLINE_BENCH_UI_SERIALS sets the count
(default 1,000,000)."""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lotline.adapters.db import make_engine
from lotline.bootstrap import Services
from lotline.demo_scale import seed_large_demo
from lotline.domain.statuses import Role
from lotline.entrypoints.api.app import create_app
from lotline.service_layer.context import Actor
from support import postgres_bench

SERIALS = int(os.environ.get("LOTLINE_BENCH_UI_SERIALS", "1000000"))
ROUNDS = 15
TARGET_MS = 50.0
PASSWORD = "bench-password-1"
FRAGMENT = {"HX-Request": "true", "HX-Target": "serial-results"}
# (name, url, htmx fragment?) — lot SL00042 is in the middle of the table at 1,000,000.
PAGES = (
    ("serial list first page", "/serials", False),
    ("tab Shipped (page)", "/serials?status=SHIPPED", False),
    ("tab Shipped (fragment)", "/serials?status=SHIPPED", True),
    ("tab Expected (fragment)", "/serials?status=EXPECTED", True),
    ("tab Defective (fragment)", "/serials?status=DEFECTIVE", True),
    ("search middle fragment 'SL00042-0043'", "/serials?q=SL00042-0043", True),
    ("search '4321' (many matches)", "/serials?q=4321", True),
    ("search in tab 'SL00042-0043' + Shipped", "/serials?q=SL00042-0043&status=SHIPPED", True),
    ("search 'no-such-serial' (no match)", "/serials?q=no-such-serial", True),
)


def _server_ms(client: TestClient, url: str, fragment: bool) -> float:
    response = client.get(url, headers=FRAGMENT if fragment else {})
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    found = re.match(r"app;dur=([\d.]+)", response.headers["server-timing"])
    assert found
    return float(found.group(1))


def _measure(client: TestClient, name: str, url: str, fragment: bool) -> float:
    for _ in range(3):
        _server_ms(client, url, fragment)
    times = [_server_ms(client, url, fragment) for _ in range(ROUNDS)]
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_MS else "SLOW"
    print(f"ui serials {name}: server {median:.1f} ms median, {max(times):.1f} ms max over "
          f"{ROUNDS} ({verdict}, target < {TARGET_MS:.0f} ms)", flush=True)
    return median


def run(engine: Engine, database: str) -> dict[str, float]:
    app = create_app(engine=engine)
    org = app.state.identity.create_organization("bench-ui-serials", admin_username="bench",
                                                 admin_password=PASSWORD)
    svc = Services(engine, Actor(org_id=org.id, name="bench", role=Role.ADMIN))
    started = time.perf_counter()
    summary = seed_large_demo(svc, serials=SERIALS, orders=0)
    with engine.begin() as conn:  # statistics, as a database that lived would have them
        conn.exec_driver_sql("ANALYZE")
    print(f"ui serials load ({database}): {summary.serials} serials in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    with TestClient(app) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post("/login", data={"username": "bench", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        return {name: _measure(client, name, url, fragment) for name, url, fragment in PAGES}


def main(postgres_url: str | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="lotline-bench-ui-serials-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'ui-serials.db'}")
        try:
            results = run(engine, "sqlite")
        finally:
            engine.dispose()
    if postgres_url:
        with postgres_bench(postgres_url) as bench:
            results |= {f"postgresql {name}": ms
                        for name, ms in run(bench.svc.engine, "postgresql").items()}
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
