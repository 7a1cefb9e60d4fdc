"""The mixed workload of the load test (run by bench/load/run_load.py; locust, headless).

70% reads (serial lookup, serial and lot lists, a lot's forward trace), 20% scans and serial
status changes, 10% flows (a lot received; an order created, allocated, picked and shipped).
Each simulated user owns its own serials, so the final status of every unit it changed is
known; every write answered 2xx is appended to a journal (one JSON line) that the runner
checks against the database afterwards. Responses are classed by status so the report can
tell a 503 with Retry-After (the database restarting) from a 500 (a fault of ours)."""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

SETUP: dict[str, Any] = json.loads(Path(os.environ["LOTLINE_LOAD_SETUP"]).read_text())
JOURNAL = Path(os.environ["LOTLINE_LOAD_JOURNAL"])
API = "/api/v1"
_user_numbers = itertools.count()
_journal_lock = threading.Lock()
OUTCOMES: dict[str, int] = {}


def journal(entry: dict[str, Any]) -> None:
    with _journal_lock, JOURNAL.open("a") as out:
        out.write(json.dumps(entry) + "\n")


def classify(status: int, headers: Any) -> str:
    if 200 <= status < 300:
        return "2xx"
    if status == 503:
        return "503 with Retry-After" if headers.get("Retry-After") else "503 without Retry-After"
    if status == 0:
        return "connection error"
    return str(status)


@events.request.add_listener
def count_outcome(response: Any = None, exception: Any = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    kind = classify(status, getattr(response, "headers", {}) or {})
    with _journal_lock:
        OUTCOMES[kind] = OUTCOMES.get(kind, 0) + 1


@events.quitting.add_listener
def write_outcomes(environment: Any, **_: Any) -> None:
    Path(os.environ["LOTLINE_LOAD_OUTCOMES"]).write_text(json.dumps(OUTCOMES))


def problem_code(response: Any) -> str:
    """The problem's `code` (or its title), so the failure table tells 409s apart."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    return f"{body.get('code') or body.get('title') or ''}: {str(body.get('detail', ''))[:120]}"


class WarehouseUser(FastHttpUser):
    wait_time = between(0.0, 0.05)

    def on_start(self) -> None:
        self.number = next(_user_numbers)
        slices = SETUP["serial_slices"]
        self.serials: list[dict[str, str]] = slices[self.number % len(slices)]
        self.defective: set[str] = set()
        self.headers = {"Authorization": f"Bearer {SETUP['token']}"}
        self.sequence = itertools.count()

    def _post(self, path: str, body: dict[str, Any] | None, name: str) -> Any:
        key = f"load-{os.getpid()}-{self.number}-{next(self.sequence)}"
        headers = {**self.headers, "Idempotency-Key": key}
        with self.client.post(path, json=body or {}, headers=headers, name=name,
                              catch_response=True) as response:
            if 200 <= response.status_code < 300:
                response.success()
                return response.json()
            response.failure(f"{response.status_code} {problem_code(response)}")
            return None

    def _get(self, path: str, name: str) -> None:
        self.client.get(path, headers=self.headers, name=name)

    # --- 70% reads -------------------------------------------------------------------------
    @task(40)
    def lookup(self) -> None:
        serial = random.choice(SETUP["all_serials"])
        self._get(f"{API}/serials/lookup/{serial}", "GET /serials/lookup/{n}")

    @task(15)
    def list_serials(self) -> None:
        self._get(f"{API}/serials?limit=50&status=IN_STOCK", "GET /serials")

    @task(8)
    def list_lots(self) -> None:
        self._get(f"{API}/batches?product_id={SETUP['lot_product']}&limit=50", "GET /batches")

    @task(7)
    def trace_lot(self) -> None:
        self._get(f"{API}/trace/batches/{SETUP['order_lot']}", "GET /trace/batches/{id}")

    # --- 20% scans and status changes ------------------------------------------------------
    @task(10)
    def scan(self) -> None:
        unit = random.choice(self.serials)
        self._post(f"{API}/scan", {"data": f"(01){SETUP['gtin']}(21){unit['number']}"},
                   "POST /scan")

    @task(10)
    def toggle_status(self) -> None:
        unit = random.choice(self.serials)
        going_defective = unit["id"] not in self.defective
        body = ({"status": "DEFECTIVE", "reason": "load test"} if going_defective
                else {"status": "IN_STOCK", "reason": "load test"})
        # An attempt whose answer is lost (a worker killed) may still have been committed.
        journal({"kind": "attempt", "serial_id": unit["id"], "status": body["status"]})
        if self._post(f"{API}/serials/{unit['id']}/status", body,
                      "POST /serials/{id}/status") is None:
            self._resync(unit["id"])
            return
        (self.defective.add if going_defective else self.defective.discard)(unit["id"])
        journal({"kind": "status", "serial_id": unit["id"], "status": body["status"]})

    def _resync(self, serial_id: str) -> None:
        """After an unanswered change, learn the unit's status again (it may have happened)."""
        response = self.client.get(f"{API}/serials/{serial_id}", headers=self.headers,
                                   name="GET /serials/{id} (resync)")
        if response.status_code == 200:
            if response.json()["status"] == "DEFECTIVE":
                self.defective.add(serial_id)
            else:
                self.defective.discard(serial_id)

    # --- 10% receipts and orders -----------------------------------------------------------
    @task(4)
    def receive_lot(self) -> None:
        number = f"L-{os.getpid()}-{self.number}-{next(self.sequence)}"
        lot = self._post(f"{API}/batches", {"batch_number": number, "quantity": 5,
                                            "product_id": SETUP["lot_product"],
                                            "unit_cost": "1.25", "expiry_date": "2099-01-01"},
                         "POST /batches")
        if lot is not None:
            journal({"kind": "lot", "batch_id": lot["id"], "quantity": "5"})

    @task(6)
    def order_flow(self) -> None:
        reference = f"O-{os.getpid()}-{self.number}-{next(self.sequence)}"
        order = self._post(f"{API}/orders", {
            "reference": reference, "customer_id": SETUP["customer"],
            "lines": [{"product_id": SETUP["lot_product"], "quantity": 1}]}, "POST /orders")
        if order is None:
            return
        journal({"kind": "order", "order_id": order["id"], "status": "open"})
        base = f"{API}/orders/{order['id']}"
        steps = ((f"{base}/allocate", None, "allocated"),
                 (f"{base}/pick", {"scans": [{"batch_id": SETUP["order_lot"], "quantity": 1}]},
                  "picked"),
                 (f"{base}/ship", None, "shipped"))
        for path, body, status in steps:
            if self._post(path, body, f"POST /orders/{{id}}/{path.rsplit('/', 1)[1]}") is None:
                return
            journal({"kind": "order", "order_id": order["id"], "status": status})
