"""/api/v1/webhooks: admins register endpoints (secret shown once), read, change and delete
them; bad URLs and event types are 422s naming the field; other roles get 403; a test
delivery answers with its attempt."""

from __future__ import annotations

import pytest
from api_kit import Api, assert_problem, field_names
from standardwebhooks import Webhook

from webhook_receiver import Receiver


def test_register_read_change_delete(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", "1")
    made = api.post("/webhooks", json={"url": "http://127.0.0.1:9/hook",
                                       "event_types": ["order.shipped"],
                                       "description": "ERP"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["event_types"], body["enabled"]) == (
        "http://127.0.0.1:9/hook", ["order.shipped"], True)
    shown = api.get(f"/webhooks/{body['id']}").json()
    assert "secret" not in shown
    assert [w["id"] for w in api.get("/webhooks").json()] == [body["id"]]
    changed = api.patch(f"/webhooks/{body['id']}", json={"enabled": False})
    assert changed.json()["enabled"] is False
    assert api.get(f"/webhooks/{body['id']}/deliveries").json() == []
    assert api.delete(f"/webhooks/{body['id']}").status_code == 204
    assert_problem(api.get(f"/webhooks/{body['id']}"), 404, "not_found")


def test_bad_registrations_are_named(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", raising=False)
    for url in ("ftp://x.example/h", "https://127.0.0.1/h", "https://10.1.2.3/h",
                "https://x.example/" + "a" * 2000):
        assert field_names(api.post("/webhooks", json={
            "url": url, "event_types": ["order.shipped"]})) == ["url"], url
    assert field_names(api.post("/webhooks", json={
        "url": "https://8.8.8.8/h", "event_types": ["order.sent"]})) == ["event_types"]
    assert_problem(api.post("/webhooks", role="manager", json={
        "url": "https://8.8.8.8/h", "event_types": ["order.shipped"]}), 403,
        "forbidden")
    assert api.get("/webhooks").json() == []


def test_a_test_delivery_answers_with_its_attempt(api: Api,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTLINE_WEBHOOKS_ALLOW_PRIVATE", "1")
    receiver = Receiver(answer=b"ok")
    try:
        made = api.post("/webhooks", json={"url": receiver.url,
                                           "event_types": ["order.shipped"]}).json()
        tested = api.post(f"/webhooks/{made['id']}/test")
        assert tested.status_code == 200, tested.text
        body = tested.json()
        assert (body["status"], body["event_type"], body["event_id"], body["attempts"]) == (
            "delivered", "webhook.test", None, 1)
        assert [(a["number"], a["status_code"], a["error"], a["response_body"])
                for a in body["attempt_log"]] == [(1, 200, None, "ok")]
        [received] = receiver.requests
        Webhook(made["secret"]).verify(received.body, received.headers)
        assert received.json["type"] == "webhook.test"
        assert api.get(f"/webhooks/{made['id']}/deliveries").json() == [body]
        assert_problem(api.post("/webhooks/nope/test"), 404, "not_found")
        assert_problem(api.post(f"/webhooks/{made['id']}/test", role="manager"), 403,
                       "forbidden")
        assert len(receiver.requests) == 1
    finally:
        receiver.close()
