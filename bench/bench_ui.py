"""Web UI server time with 1,000,000 serials in a SQLite database (issue 8).

The serials go in through the bulk registration path (`svc.serials.register_many` with ranges,
100,000 a call); then a signed-in TestClient asks for the serial list's first page, a tab
switch (the htmx fragment the browser asks for) and a partial-number search, and each line
prints the median server time (the `Server-Timing` header the pages send: the handler's own
time, session check included) over ROUNDS requests after a warm-up. Target: each under 50 ms
(keyset pagination, counts from the maintained projection, FTS5 trigram search)."""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from lotline.adapters.db import make_engine
from lotline.bootstrap import Services
from lotline.domain.statuses import Role
from lotline.entrypoints.api.app import create_app
from lotline.service_layer.context import Actor

SERIALS = int(os.environ.get("LOTLINE_BENCH_UI_SERIALS", "1000000"))
CHUNK = 100_000
ROUNDS = 15
TARGET_MS = 50.0
PASSWORD = "bench-password-1"
# Statuses by chunk: most in stock, some received and expected, so tabs differ in size.
STATUSES = ("RECEIVED", "EXPECTED")


def _load(svc: Services, product_id: str) -> float:
    started = time.perf_counter()
    for index, first in enumerate(range(1, SERIALS + 1, CHUNK)):
        last = min(first + CHUNK - 1, SERIALS)
        status = STATUSES[index - 1] if 1 <= index <= len(STATUSES) else "IN_STOCK"
        svc.serials.register_many([f"U-{first:07d}..U-{last:07d}"], product_id=product_id,
                                  status=status)
    return time.perf_counter() - started


def _server_ms(client: TestClient, url: str, headers: dict[str, str] | None = None) -> float:
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code, response.text[:500])
    found = re.match(r"app;dur=([\d.]+)", response.headers["server-timing"])
    assert found
    return float(found.group(1))


def _measure(client: TestClient, name: str, url: str,
             headers: dict[str, str] | None = None) -> float:
    for _ in range(3):
        _server_ms(client, url, headers)
    times = [_server_ms(client, url, headers) for _ in range(ROUNDS)]
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_MS else "SLOW"
    print(f"ui {name}: server {median:.1f} ms median, {max(times):.1f} ms max over {ROUNDS} "
          f"({verdict}, target < {TARGET_MS:.0f} ms)", flush=True)
    return median


def run(path: Path) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{path}")
    app = create_app(engine=engine)
    org = app.state.identity.create_organization("bench-ui", admin_username="bench",
                                                 admin_password=PASSWORD)
    svc = Services(engine, Actor(org_id=org.id, name="bench", role=Role.ADMIN))
    product = svc.products.create_product(sku="UI-1", name="Bench unit", tracking="serial")
    seconds = _load(svc, product.id)
    print(f"ui load: {SERIALS} serials registered in {seconds:.1f} s "
          f"({SERIALS / seconds:.0f}/s)", flush=True)
    with TestClient(app) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post("/login", data={"username": "bench", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        fragment = {"HX-Request": "true", "HX-Target": "serial-results"}
        results = {
            "first page": _measure(client, "serial list first page", "/serials"),
            "tab switch": _measure(client, "tab switch (Received)", "/serials?status=RECEIVED",
                                   fragment),
            "search": _measure(client, "partial-number search", "/serials?q=0654321",
                               fragment),
        }
    engine.dispose()
    return results


def main(postgres_url: str | None = None) -> dict[str, float]:
    """SQLite only (the UI's queries are the same on PostgreSQL, through pg_trgm)."""
    del postgres_url
    with tempfile.TemporaryDirectory(prefix="lotline-bench-ui-") as directory:
        return run(Path(directory) / "ui.db")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
