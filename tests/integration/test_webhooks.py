"""Webhook delivery (DESIGN §9) to a real HTTP receiver on 127.0.0.1: Standard Webhooks
signatures (checked with the `standardwebhooks` package receivers use), in order per
endpoint, retried on the schedule, the endpoint disabled (reason given) once it is spent;
two workers at once never send an attempt twice."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook

from lotline.adapters import tables as t
from lotline.adapters.webhook_http import HttpSender
from lotline.domain.errors import NotFound, ValidationError
from lotline.service_layer.webhook_delivery import deliver_due
from support import Kit
from webhook_receiver import Receiver


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", "1")
    made = Receiver()
    yield made
    made.close()


class Clock:
    """The worker's clock, moved by hand from the real time."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def wait_until_visible(kit: Kit, timeout: float = 60.0) -> None:
    """Until the change feed shows every event committed so far: on PostgreSQL it lags
    behind the oldest transaction running in the database (other test runs' too)."""
    events = t.events.c
    with kit.svc.engine.connect() as conn:
        committed = conn.execute(select(func.count()).where(
            events.org_id == kit.svc.actor.org_id)).scalar_one()
    deadline = time.monotonic() + timeout
    while len(kit.svc.events.page(limit=1000).items) < committed:
        assert time.monotonic() < deadline, "the change feed did not catch up"
        time.sleep(0.05)


def run_until_idle(kit: Kit, clock: Clock, schedule: tuple[int, ...] = (5, 60, 600)) -> int:
    """Worker passes until nothing more is due now."""
    wait_until_visible(kit)
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
    for received in receiver.requests:
        verifier.verify(received.body, received.headers)  # raises on a bad signature
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
    failed = [r.json["data"]["lot_number"] for r in receiver.requests if r.code == 500]
    assert failed == ["HOOK-2"] * 3  # HOOK-3 waited behind it
    log = svc.webhooks.deliveries(endpoint["id"])
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("delivered", 1, 204), ("delivered", 4, 204), ("delivered", 1, 204),
        ("delivered", 1, 204)]
    retried = log[1]["attempt_log"]
    assert [(a["number"], a["status_code"], a["error"]) for a in retried] == [
        (1, 500, "HTTP 500"), (2, 500, "HTTP 500"), (3, 500, "HTTP 500"), (4, 204, None)]
    assert [a["attempted_at"] for a in retried] == sorted(a["attempted_at"] for a in retried)
    assert all(a["duration_ms"] >= 0 and a["response_body"] is None for a in retried)
    assert [d["event_type"] for d in log] == [
        "batch.created", "batch.created", "batch.hold_changed", "batch.created"]


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
    clock.now = dt.datetime.now(dt.UTC)  # the retry is due at the service's (real) now
    run_until_idle(kit, clock, schedule=(1, 2))
    assert [e["data"]["lot_number"] for e in receiver.delivered()] == ["DEAD-1"]
    assert svc.webhooks.get(endpoint["id"])["enabled"] is True

    receiver.fail_next = 10**6  # disabled again; re-enabling sends from the failed one
    kit.lot(kit.product(), "DEAD-2")
    kit.lot(kit.product(), "DEAD-3")
    run_until_idle(kit, clock, schedule=(1, 2))
    for delay in (1, 2):
        clock.now += dt.timedelta(seconds=delay)
        run_until_idle(kit, clock, schedule=(1, 2))
    assert svc.webhooks.get(endpoint["id"])["enabled"] is False
    receiver.fail_next = 0
    svc.webhooks.update(endpoint["id"], enabled=True)
    clock.now = dt.datetime.now(dt.UTC)
    run_until_idle(kit, clock, schedule=(1, 2))
    assert [e["data"]["lot_number"] for e in receiver.delivered()] == [
        "DEAD-1", "DEAD-2", "DEAD-3"]


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
    ids = [(r.headers["webhook-id"], r.headers["webhook-signature"])
           for r in receiver.requests]
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


def test_a_test_delivery_is_signed_sent_now_and_logged(kit: Kit, receiver: Receiver) -> None:
    svc = kit.svc
    endpoint = svc.webhooks.create(receiver.url, ["batch.created"])
    receiver.answer = b"thanks\x00" + b"x" * 2000  # NUL and beyond what the log keeps
    delivery = svc.webhooks.test(endpoint["id"])
    assert (delivery["status"], delivery["event_type"], delivery["event_id"],
            delivery["attempts"], delivery["last_status_code"]) == (
        "delivered", "webhook.test", None, 1, 200)
    [attempt] = delivery["attempt_log"]
    assert (attempt["number"], attempt["status_code"], attempt["error"]) == (1, 200, None)
    assert attempt["response_body"] == "thanks\ufffd" + "x" * 993
    [received] = receiver.requests
    Webhook(endpoint["secret"]).verify(received.body, received.headers)
    assert received.headers["webhook-id"] == f"test_{delivery['id']}"
    message = received.json
    assert (message["id"], message["type"], message["organization_id"], message["data"]) == (
        f"test_{delivery['id']}", "webhook.test", kit.svc.actor.org_id,
        {"webhook_id": endpoint["id"],
         "message": "A test delivery from lotline: the endpoint is reachable."})
    assert svc.webhooks.deliveries(endpoint["id"]) == [delivery]

    receiver.fail_always = True
    failed = svc.webhooks.test(endpoint["id"])
    assert (failed["status"], failed["attempts"], failed["last_error"]) == (
        "failed", 1, "HTTP 500: thanks\ufffd" + "x" * 193)
    assert svc.webhooks.get(endpoint["id"])["enabled"] is True  # a test never disables
    run_until_idle(kit, Clock())
    assert len(receiver.requests) == 2  # and is not retried by the worker


def test_a_test_of_an_unknown_webhook_is_not_found(kit: Kit, receiver: Receiver) -> None:
    with pytest.raises(NotFound):
        kit.svc.webhooks.test("no-such-webhook")
    assert receiver.requests == []
