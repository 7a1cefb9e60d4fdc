"""Server time of the web UI's new list pages with 100,000 rows each (issue 12): products,
suppliers, customers, locations and orders (each order with a line), written in bulk; then a
signed-in TestClient asks each list's first page, a search that matches a few rows, a search
that matches none (the whole table read) and the orders' status filters, and each line prints
the median `Server-Timing` over ROUNDS requests after a warm-up. Target: under 100 ms.

`python bench/bench_ui_records.py [postgresql+psycopg://...]`: SQLite, or the given database
(in a schema of its own, dropped at the end)."""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, insert

from lotline.adapters import tables as t
from lotline.adapters.db import make_engine
from lotline.domain.ids import new_id
from lotline.entrypoints.api.app import create_app
from support import postgres_bench

ROWS = int(os.environ.get("LOTLINE_BENCH_RECORD_ROWS", "100000"))
CHUNK = 10_000
ROUNDS = 15
TARGET_MS = 100.0
PASSWORD = "bench-password-1"


def _bulk(engine: Engine, table: Table, make: Callable[[int], dict[str, Any]]) -> list[str]:
    ids: list[str] = []
    with engine.begin() as conn:
        for start in range(0, ROWS, CHUNK):
            rows = [make(n) for n in range(start, min(start + CHUNK, ROWS))]
            conn.execute(insert(table), rows)
            ids += [row["id"] for row in rows]
    return ids


def _load(engine: Engine, org_id: str, warehouse_id: str) -> None:
    now = dt.datetime.now(dt.UTC)
    base = {"org_id": org_id, "created_at": now}
    stamps = {**base, "updated_at": now}
    products = _bulk(engine, t.products, lambda n: {
        "id": new_id(), **stamps, "sku": f"SKU-{n:06d}", "name": f"Product {n}", "uom": "EA",
        "tracking": "lot", "removal_strategy": "fefo", "expiry_alert_days": 30})
    _bulk(engine, t.suppliers, lambda n: {
        "id": new_id(), **stamps, "name": f"Supplier {n:06d}", "code": f"S{n:06d}",
        "city": "Lyon"})
    customers = _bulk(engine, t.customers, lambda n: {
        "id": new_id(), **stamps, "name": f"Customer {n:06d}", "code": f"C{n:06d}"})
    _bulk(engine, t.locations, lambda n: {
        "id": new_id(), **base, "warehouse_id": warehouse_id, "code": f"A-{n:06d}",
        "kind": "storage"})
    statuses = ("shipped",) * 97 + ("open", "allocated", "cancelled")
    orders = _bulk(engine, t.orders, lambda n: {
        "id": new_id(), **stamps, "reference": f"SO-{n:06d}", "customer_id": customers[n],
        "status": statuses[n % len(statuses)]})
    _bulk(engine, t.order_lines, lambda n: {
        "id": new_id(), "org_id": org_id, "order_id": orders[n], "line_no": 1,
        "product_id": products[n], "quantity": 1})
    with engine.begin() as conn:  # statistics, as a database that lived would have them
        conn.exec_driver_sql("ANALYZE")


def _server_ms(client: TestClient, url: str) -> float:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    found = re.match(r"app;dur=([\d.]+)", response.headers["server-timing"])
    assert found
    return float(found.group(1))


def _measure(client: TestClient, url: str) -> float:
    for _ in range(3):
        _server_ms(client, url)
    times = [_server_ms(client, url) for _ in range(ROUNDS)]
    median = statistics.median(times)
    verdict = "ok" if median < TARGET_MS else "SLOW"
    print(f"ui {url}: server {median:.1f} ms median, {max(times):.1f} ms max over {ROUNDS} "
          f"({verdict}, target < {TARGET_MS:.0f} ms)", flush=True)
    return median


PAGES = ("/products", "/products?q=SKU-05432", "/products?q=no-such-thing",
         "/suppliers", "/suppliers?q=S04321", "/suppliers?q=no-such-thing",
         "/customers", "/customers?q=Customer 0999", "/locations", "/locations?q=A-0777",
         "/locations?q=no-such-thing", "/orders", "/orders?status=open",
         "/orders?status=cancelled")


def run(engine: Engine) -> dict[str, float]:
    app = create_app(engine=engine)
    org = app.state.identity.create_organization("bench-records", admin_username="bench",
                                                 admin_password=PASSWORD)
    with engine.connect() as conn:
        warehouse_id = conn.execute(t.warehouses.select().where(
            t.warehouses.c.org_id == org.id)).first().id  # type: ignore[union-attr]
    started = time.perf_counter()
    _load(engine, org.id, warehouse_id)
    print(f"ui records load: {ROWS} rows in each of 6 tables in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    with TestClient(app) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post("/login", data={"username": "bench", "password": PASSWORD,
                                    "csrf_token": token.group(1)})
        return {url: _measure(client, url) for url in PAGES}


def main(postgres_url: str | None = None) -> dict[str, float]:
    if postgres_url:
        with postgres_bench(postgres_url) as bench:
            return run(bench.svc.engine)
    with tempfile.TemporaryDirectory(prefix="lotline-bench-records-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'records.db'}")
        try:
            return run(engine)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
