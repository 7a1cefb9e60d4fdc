"""Webhook delivery (DESIGN §9) to a real HTTP receiver on 127.0.0.1: Standard Webhooks
signatures (checked with the `standardwebhooks` package receivers use), in order per
endpoint, retried on the schedule, the endpoint disabled (reason given) once it is spent;
two workers at once never send an attempt twice."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks import Webhook

from lotline.adapters.webhook_http import HttpSender
from lotline.domain.errors import ValidationError
from lotline.service_layer.webhook_delivery import deliver_due
from support import Kit


class Receiver:
    """Answers `fail_next` requests with 500, then 204; keeps every request it got."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                with receiver.lock:
                    code = 500 if receiver.fail_next > 0 else 204
                    receiver.fail_next -= 1
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()},
                                              body, code))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body, code in self.requests if code == 204]


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", "1")
    made = Receiver()
    yield made
    made.server.shutdown()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def run_until_idle(kit: Kit, clock: Clock, schedule: tuple[int, ...] = (5, 60, 600)) -> int:
    """Worker passes until nothing more is due now (PostgreSQL's feed may lag a moment)."""
    sender, total, idle = HttpSender(), 0, 0
    while idle < 20:
        made = deliver_due(kit.svc.uows, sender, schedule=schedule, clock=clock)
        total += made
        idle = 0 if made else idle + 1
    sender.close()
    return total


def test_deliveries_are_signed_in_order_and_retried(kit: Kit, receiver: Receiver) -> None:
    svc = kit.svc
    endpoint = svc.webhooks.create(receiver.url, ["batch.created", "batch.hold_changed"])
    assert endpoint["secret"].startswith("whsec_")
    assert "secret" not in svc.webhooks.get(endpoint["id"])
    product = kit.product()
    lot = kit.lot(product, "HOOK-1", quantity=2)
    svc.batches.hold(lot.id, "check")
    kit.order(product)  # order.created: not subscribed
    clock = Clock()
    run_until_idle(kit, clock)
    verifier = Webhook(endpoint["secret"])
    for headers, body, _ in receiver.requests:
        verifier.verify(body, headers)  # raises on a bad signature
    assert [(e["type"], e["data"]["lot_number"]) for e in receiver.delivered()] == [
        ("batch.created", "HOOK-1"), ("batch.hold_changed", "HOOK-1")]

    receiver.fail_next = 3
    kit.lot(product, "HOOK-2")
    kit.lot(product, "HOOK-3")
    run_until_idle(kit, clock)  # first attempt fails; the next waits 5 s
    for delay in (5, 60, 600):
        clock.now += dt.timedelta(seconds=delay)
        run_until_idle(kit, clock)
    numbers = [e["data"]["lot_number"] for e in receiver.delivered()]
    assert numbers == ["HOOK-1", "HOOK-1", "HOOK-2", "HOOK-3"]
    failed = [json.loads(body)["data"]["lot_number"]
              for _, body, code in receiver.requests if code == 500]
    assert failed == ["HOOK-2"] * 3  # HOOK-3 waited behind it
    log = svc.webhooks.deliveries(endpoint["id"])
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("delivered", 1, 204), ("delivered", 4, 204), ("delivered", 1, 204),
        ("delivered", 1, 204)]


def test_an_endpoint_that_never_recovers_is_disabled(kit: Kit, receiver: Receiver) -> None:
    svc = kit.svc
    endpoint = svc.webhooks.create(receiver.url, ["batch.created"])
    receiver.fail_next = 10**6
    kit.lot(kit.product(), "DEAD-1")
    clock = Clock()
    run_until_idle(kit, clock, schedule=(1, 2))
    for delay in (1, 2):
        clock.now += dt.timedelta(seconds=delay)
        run_until_idle(kit, clock, schedule=(1, 2))
    shown = svc.webhooks.get(endpoint["id"])
    assert shown["enabled"] is False
    assert "failed 3 times" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"]
    assert len(receiver.requests) == 3
    delivery = svc.webhooks.deliveries(endpoint["id"])[0]
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    receiver.fail_next = 0
    svc.webhooks.retry(endpoint["id"], delivery["id"])
    run_until_idle(kit, clock, schedule=(1, 2))
    assert [e["data"]["lot_number"] for e in receiver.delivered()] == ["DEAD-1"]
    assert svc.webhooks.get(endpoint["id"])["enabled"] is True


def test_two_workers_never_send_an_attempt_twice(kit: Kit, receiver: Receiver) -> None:
    svc = kit.svc
    svc.webhooks.create(receiver.url, ["batch.created"])
    svc.webhooks.create(receiver.url, ["batch.created"])
    product = kit.product()
    for i in range(40):
        kit.lot(product, f"PAIR-{i:02d}")
    clock = Clock()
    workers = [threading.Thread(target=run_until_idle, args=(kit, clock)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    ids = [(headers["webhook-id"], headers["webhook-signature"]) for headers, _, _ in
           receiver.requests]
    assert len(ids) == 80  # 40 events to each of two endpoints, each once
    assert len(set(ids)) == 80


def test_webhook_urls_are_checked(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    svc = kit.svc
    monkeypatch.delenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", raising=False)
    cases = ["ftp://example.com/x", "http://example.com/x", "https://127.0.0.1/x",
             "https://169.254.169.254/latest", "https://10.0.0.5/x",
             "https://example.com/" + "a" * 2000]
    for url in cases:
        with pytest.raises(ValidationError) as refused:
            svc.webhooks.create(url, ["batch.created"])
        assert refused.value.errors[0].field == "url", url
    with pytest.raises(ValidationError) as unknown:
        svc.webhooks.create("https://8.8.8.8/x", ["batch.burnt"])
    assert unknown.value.errors[0].field == "event_types"
    assert svc.webhooks.list() == []
