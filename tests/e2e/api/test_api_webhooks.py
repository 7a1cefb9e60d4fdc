"""/api/v1/webhooks: admins register endpoints (secret shown once), read, change and delete
them; bad URLs and event types are 422s naming the field; other roles get 403."""

from __future__ import annotations

import pytest
from api_kit import Api, assert_problem, field_names


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
