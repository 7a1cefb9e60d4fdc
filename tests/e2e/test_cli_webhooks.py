"""`lotline webhooks test ID` and `lotline webhooks deliveries ID`: a signed test message
sent now, and the attempts log as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok
from standardwebhooks import Webhook

import lotline
from webhook_receiver import Receiver


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", "1")
    made = Receiver(answer=b"received")
    yield made
    made.close()


def registered(tmp_path: Path, receiver: Receiver) -> tuple[Run, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'hooks.db'}"
    svc = lotline.create_services(url)
    try:
        endpoint = svc.webhooks.create(receiver.url, ["order.shipped"])
    finally:
        svc.engine.dispose()
    return make_cli(url), endpoint


def test_test_sends_a_signed_message_and_shows_the_attempt(
        tmp_path: Path, receiver: Receiver) -> None:
    cli, endpoint = registered(tmp_path, receiver)
    shown = json.loads(ok(cli("webhooks", "test", endpoint["id"], "-f", "json")))
    assert [(d["status"], d["event_type"], d["attempts"]) for d in shown] == [
        ("delivered", "webhook.test", 1)]
    assert [(a["number"], a["status_code"], a["response_body"])
            for a in shown[0]["attempt_log"]] == [(1, 200, "received")]
    [received] = receiver.requests
    Webhook(endpoint["secret"]).verify(received.body, received.headers)

    receiver.fail_always = True
    failed = cli("webhooks", "test", endpoint["id"])  # the attempt shown, then exit 1
    assert failed.exit_code == 1
    assert failed.stderr == "error: test_failed: the test delivery failed: HTTP 500: received\n"
    assert "webhook.test" in failed.stdout and "HTTP 500: received" in failed.stdout
    rows = list(csv.DictReader(io.StringIO(ok(cli(
        "webhooks", "deliveries", endpoint["id"], "-f", "csv")))))
    assert [(r["event_type"], r["status"], r["attempt"], r["status_code"], r["error"])
            for r in rows] == [
        ("webhook.test", "failed", "1", "500", "HTTP 500: received"),
        ("webhook.test", "delivered", "1", "200", "")]
    table = ok(cli("webhooks", "deliveries", endpoint["id"]))
    assert "Deliveries of webhook" in table and "HTTP 500: received" in table


def test_an_unknown_webhook_is_one_error_line(tmp_path: Path, receiver: Receiver) -> None:
    cli, _ = registered(tmp_path, receiver)
    assert data_error(cli("webhooks", "test", "nope")) == (
        "error: not_found: webhook not found: id=nope\n")
    assert receiver.requests == []
