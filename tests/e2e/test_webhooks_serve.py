"""Webhooks end to end (issue 14): `lotline serve` and a real HTTP receiver on 127.0.0.1.
A receipt, an allocation, a shipment and a recall made through the API arrive signed
(checked with `standardwebhooks`, as receivers do); a receiver that fails 3 times gets the
retries in order; one that never recovers gets the endpoint disabled with the reason shown.
With `serve --no-worker` and a separate `lotline worker`: SIGKILL mid-delivery loses
nothing (sent again after the restart), SIGTERM finishes the attempt in flight."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_kit import make_cli, ok
from serve_kit import Process, clean_env, free_port
from standardwebhooks import Webhook

from webhook_receiver import Receiver

API = "/api/v1"
PASSWORD = "correct horse battery staple"
TYPES = ["receipt.received", "order.allocated", "order.shipped", "recall.opened",
         "receipt.created"]
WAIT = 60.0


@dataclass
class Site:
    """A served database, an admin's HTTP client, and the receiver its webhook points at."""

    url: str
    client: httpx.Client
    receiver: Receiver
    env: dict[str, str]
    webhook: dict[str, Any]

    def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        response = self.client.post(f"{API}{path}", json=body)
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str) -> Any:
        response = self.client.get(f"{API}{path}")
        assert response.status_code == 200, response.text
        return response.json()

    def receipt(self, reference: str) -> dict[str, Any]:
        product = self.post("/products", {"sku": f"SKU-{reference}", "name": "Olive oil",
                                          "tracking": "lot"}, 201)
        supplier = self.post("/suppliers", {"name": f"Supplier {reference}"}, 201)
        return self.post("/receipts", {"reference": reference, "supplier_id": supplier["id"],
                                       "lines": [{"product_id": product["id"],
                                                  "expected_quantity": 5}]}, 201)

    def deliveries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.get(f"/webhooks/{self.webhook['id']}/deliveries")
        return result


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def serve(tmp_path: Path, receiver: Receiver, *args: str,
          **env: str) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'hooks.db'}"
    ok(make_cli(url)("orgs", "create", "Acme", "--admin", "alice", "--password", PASSWORD))
    environment = clean_env(LOTLINE_WEBHOOKS_ALLOW_PRIVATE="1", **env)
    port = free_port()
    server = Process(["--database-url", url, "serve", "--port", str(port), *args],
                     environment)
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_until_healthy(base)
        token = httpx.post(f"{base}{API}/auth/token", timeout=30, json={
            "username": "alice", "password": PASSWORD}).json()["access_token"]
        with httpx.Client(base_url=base, timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            webhook = client.post(f"{API}/webhooks", json={
                "url": receiver.url, "event_types": TYPES}).json()
            yield Site(url, client, receiver, environment, webhook)
    finally:
        assert server.stop() == 0, server.output()


@pytest.fixture
def served(tmp_path: Path, receiver: Receiver) -> Iterator[Site]:
    """`lotline serve` with its worker; retries 1 s apart, three of them."""
    yield from serve(tmp_path, receiver, LOTLINE_WEBHOOKS_RETRY_SCHEDULE="1,1,1")


@pytest.fixture
def served_alone(tmp_path: Path, receiver: Receiver) -> Iterator[Site]:
    """`lotline serve --no-worker`: deliveries wait for a `lotline worker` process."""
    yield from serve(tmp_path, receiver, "--no-worker", LOTLINE_WEBHOOKS_LEASE_SECONDS="16")


def flow(site: Site) -> dict[str, Any]:
    """A receipt received and put away, an order allocated, picked and shipped, a recall."""
    receipt = site.receipt("ASN-1")
    site.post(f"/receipts/{receipt['id']}/receive", {"lines": [{
        "line_id": receipt["lines"][0]["id"],
        "lots": [{"batch_number": "OIL-1", "expiry_date": "2099-01-01", "quantity": 5}]}]})
    site.post(f"/receipts/{receipt['id']}/putaway", {})
    customer = site.post("/customers", {"name": "Bolt Retail"}, 201)
    product_id = receipt["lines"][0]["product_id"]
    order = site.post("/orders", {"reference": "SO-1", "customer_id": customer["id"],
                                  "lines": [{"product_id": product_id, "quantity": 2}]}, 201)
    site.post(f"/orders/{order['id']}/allocate", {})
    site.post(f"/orders/{order['id']}/pick", {"scans": [{"batch_number": "OIL-1",
                                                         "quantity": 2}]})
    site.post(f"/orders/{order['id']}/ship", {})
    lot_id = site.get(f"/batches?product_id={product_id}")["items"][0]["id"]
    site.post("/recalls", {"batch_ids": [lot_id], "reason": "seal"}, 201)
    return {"receipt": receipt, "order": order, "lot_id": lot_id}


def test_serve_delivers_signed_events_retries_in_order_and_disables(served: Site) -> None:
    receiver, verifier = served.receiver, Webhook(served.webhook["secret"])
    made = flow(served)
    receiver.wait_for(5)
    for request in receiver.requests:
        verifier.verify(request.body, request.headers)  # raises on a bad signature
    events = receiver.delivered()
    assert [e["type"] for e in events] == ["receipt.created", "receipt.received",
                                           "order.allocated", "order.shipped", "recall.opened"]
    assert [r.headers["webhook-id"] for r in receiver.requests] == [
        f"evt_{e['id']}" for e in events]
    receipt, order = made["receipt"], made["order"]
    assert (events[1]["data"]["receipt_id"], events[1]["data"]["reference"]) == (
        receipt["id"], "ASN-1")
    assert [lot["lot_number"] for lot in events[1]["data"]["received_lots"]] == ["OIL-1"]
    assert [(e["data"]["order_id"], e["data"]["reference"]) for e in events[2:4]] == [
        (order["id"], "SO-1")] * 2
    assert [lot["batch_id"] for lot in events[4]["data"]["lots"]] == [made["lot_id"]]

    receiver.fail_next = 3
    served.receipt("ASN-2")
    served.receipt("ASN-3")
    receiver.wait_for(7)
    tail = receiver.requests[5:]
    assert [(r.json["data"]["reference"], r.code) for r in tail] == [
        ("ASN-2", 500), ("ASN-2", 500), ("ASN-2", 500), ("ASN-2", 204), ("ASN-3", 204)]
    assert [(a["number"], a["status_code"]) for a in served.deliveries()[1]["attempt_log"]
            ] == [(1, 500), (2, 500), (3, 500), (4, 204)]

    receiver.fail_always = True
    served.receipt("ASN-4")
    deadline = time.monotonic() + WAIT
    while served.get(f"/webhooks/{served.webhook['id']}")["enabled"]:
        assert time.monotonic() < deadline, "the endpoint was not disabled"
        time.sleep(0.2)
    shown = served.get(f"/webhooks/{served.webhook['id']}")
    last = served.deliveries()[0]
    assert shown["disabled_reason"] == (
        f"delivery {last['id']} (event {last['event_id']}) failed 4 times, the whole retry "
        "schedule; last error: HTTP 500")
    assert (last["status"], [a["status_code"] for a in last["attempt_log"]]) == (
        "failed", [500] * 4)
    assert [r.json["data"]["reference"] for r in receiver.requests[10:]] == ["ASN-4"] * 4


def worker(site: Site) -> Process:
    process = Process(["--database-url", site.url, "worker"], site.env)
    process.wait_for_stdout("Worker running")
    return process


def test_sigkill_mid_delivery_loses_nothing(served_alone: Site) -> None:
    site, receiver = served_alone, served_alone.receiver
    receiver.sleep_seconds = 120  # the first delivery hangs until the worker is killed
    site.receipt("ASN-K")
    killed = worker(site)
    try:
        assert receiver.arrived.wait(WAIT), killed.output()
        killed.popen.send_signal(signal.SIGKILL)
        assert killed.popen.wait(10) == -signal.SIGKILL
    finally:
        killed.stop()
    receiver.sleep_seconds = 0
    receiver.wake.set()
    assert [d["status"] for d in site.deliveries()] == ["pending"]
    restarted = worker(site)  # sends once the dead worker's lease (16 s) has ended
    try:
        deadline = time.monotonic() + WAIT
        while site.deliveries()[0]["status"] != "delivered":
            assert time.monotonic() < deadline, restarted.output()
            time.sleep(0.2)
    finally:
        assert restarted.stop() == 0, restarted.output()
    [delivery] = site.deliveries()
    assert receiver.ids() == [f"evt_{delivery['event_id']}"] * 2
    assert [a["status_code"] for a in delivery["attempt_log"]] == [204]


def test_sigterm_finishes_the_attempt_in_flight(served_alone: Site) -> None:
    site, receiver = served_alone, served_alone.receiver
    receiver.sleep_seconds = 3
    for reference in ("ASN-T1", "ASN-T2", "ASN-T3"):
        site.receipt(reference)
    stopping = worker(site)
    assert receiver.arrived.wait(WAIT), stopping.output()
    stopping.popen.send_signal(signal.SIGTERM)
    assert stopping.stop() == 0, stopping.output()
    statuses = [d["status"] for d in reversed(site.deliveries())]
    assert statuses == ["delivered", "pending", "pending"]  # finished, the rest left queued
    assert len(receiver.requests) == 1
    receiver.sleep_seconds = 0
    again = worker(site)  # the lease was released at the stop: no wait
    try:
        receiver.wait_for(3)
    finally:
        assert again.stop() == 0, again.output()
    assert [r.json["data"]["reference"] for r in receiver.requests] == [
        "ASN-T1", "ASN-T2", "ASN-T3"]
    assert [d["attempts"] for d in site.deliveries()] == [1, 1, 1]
