"""What every route shares: authentication and its rate limit, secrets kept out of logs and
answers, request ids, metrics, health, the OpenAPI document, body limits, idempotency keys,
problem+json errors."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from api_kit import API, PASSWORD, Api, Tenant, assert_problem, bearer, field_names, login
from api_kit import fixed_clock as make_clock
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lotline.entrypoints.api.app import create_app

BAD_LOGIN = "unknown username or wrong password"


def test_missing_or_bad_credentials_are_401(api: Api, client: TestClient) -> None:
    for headers in ({}, bearer("lt_not-a-token"), {"Authorization": "Basic YTpi"},
                    {"Authorization": "Bearer"}):
        response = client.get(f"{API}/products", headers=headers)
        body = assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert "lt_not-a-token" not in response.text
        assert body["title"] == "Unauthorized"


def test_wrong_password_and_unknown_user_get_the_same_answer(client: TestClient,
                                                             tenant: Tenant) -> None:
    wrong = login(client, tenant.usernames["viewer"], "not the password")
    unknown = login(client, "nobody-at-all", PASSWORD)
    assert assert_problem(wrong, 401, "unauthorized")["detail"] == BAD_LOGIN
    assert assert_problem(unknown, 401, "unauthorized")["detail"] == BAD_LOGIN
    assert wrong.json() == unknown.json()
    issued = login(client, tenant.usernames["viewer"]).json()
    assert (issued["token_type"], issued["expires_at"]) == ("bearer",
                                                            "2026-03-01T22:00:00+00:00")


def test_ten_failed_logins_in_a_minute_are_429(client: TestClient, tenant: Tenant) -> None:
    username = tenant.usernames["manager"]
    for _ in range(10):
        assert login(client, username, "guess-guess").status_code == 401
    limited = login(client, username)  # even the right password now waits
    body = assert_problem(limited, 429, "rate_limited")
    assert limited.headers["retry-after"] == "61"
    assert body["retry_after"] == 61
    assert login(client, tenant.usernames["viewer"]).status_code == 200


def test_secrets_stay_out_of_the_access_log_and_later_answers(
        api: Api, client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="lotline.access")
    created = api.post("/api-keys", json={"name": "scanner-1", "role": "viewer"})
    assert created.status_code == 201
    key = created.json()["key"]
    assert created.json()["key_prefix"] == key[:12]
    token = api.tenant.tokens["admin"]
    assert client.get(f"{API}/products", headers=bearer(key)).status_code == 200
    assert_problem(client.post(f"{API}/products", headers=bearer(key),
                               json={"sku": "K", "name": "K"}), 403, "forbidden")
    later = [api.get("/api-keys"), api.get("/users"), api.get(f"/users/{_admin_id(api)}"),
             client.get(f"{API}/products", headers=bearer(key + "x"))]
    for response in later:
        assert key not in response.text and token not in response.text
        assert "password" not in response.text and "$argon2" not in response.text
    lines = [record.getMessage() for record in caplog.records if record.name == "lotline.access"]
    assert len(lines) >= 6
    for line in lines:
        assert key not in line and token not in line and PASSWORD not in line
    entries = [json.loads(line) for line in lines]
    assert {"api-key:scanner-1", api.tenant.usernames["admin"]} <= {e["actor"] for e in entries}
    assert {"/api/v1/api-keys", "/api/v1/users/{user_id}"} <= {e["route"] for e in entries}


def _admin_id(api: Api) -> str:
    users = api.get("/users").json()["items"]
    return str(next(u["id"] for u in users if u["username"] == api.tenant.usernames["admin"]))


def test_request_ids_are_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "req-42"}).headers[
        "x-request-id"] == "req-42"
    made = client.get(f"{API}/products").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_metrics_count_per_route_without_ids(database: Any, tenant: Tenant) -> None:
    fresh: FastAPI = create_app(engine=database.engine, clock=make_clock())
    with TestClient(fresh) as client:
        api = Api(client, tenant, fresh)
        lot = api.batch(api.product()["id"], quantity=1)
        for _ in range(2):
            assert api.get(f"/batches/{lot['id']}").status_code == 200
        assert api.get("/batches/no-such-lot").status_code == 404
        text = client.get("/metrics").text
    assert ('lotline_http_requests_total{method="GET",route="/api/v1/batches/{batch_id}",'
            'status="200"} 2.0') in text
    assert ('lotline_http_requests_total{method="GET",route="/api/v1/batches/{batch_id}",'
            'status="404"} 1.0') in text
    assert ('lotline_http_requests_total{method="POST",route="/api/v1/batches",'
            'status="201"} 1.0') in text
    assert lot["id"] not in text and "no-such-lot" not in text
    assert 'lotline_http_request_duration_seconds_count{method="GET",' in text


def test_health_readiness_openapi_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "lotline"
    assert "/api/v1/batches/product/{product_id}" in document["paths"]
    assert "/api/v1/serials/lookup/{serial_number}" in document["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text


def test_an_eleven_megabyte_body_is_413(api: Api) -> None:
    body = json.dumps({"name": "x" * (11 * 1024 * 1024), "sku": "BIG"})
    response = api.post("/products", content=body, headers={"Content-Type":
                                                            "application/json"})
    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"] == "the request body is larger than the limit of 10485760 bytes"
    assert problem["limit"] == 10485760


def test_idempotency_keys_replay_the_first_answer(api: Api) -> None:
    body = {"sku": "IDEM-1", "name": "Once"}
    headers = {"Idempotency-Key": "key-1"}
    first = api.post("/products", json=body, headers=headers)
    again = api.post("/products", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = api.get("/products", params={"q": "IDEM-1"}).json()["items"]
    assert [p["id"] for p in listed] == [first.json()["id"]]
    other = api.post("/products", json={**body, "name": "Twice"}, headers=headers)
    assert field_names(other) == ["Idempotency-Key"]
    assert other.json()["detail"] == "this Idempotency-Key was used with a different request"


def test_errors_are_problem_json(api: Api, client: TestClient) -> None:
    malformed = api.post("/products", content=b"{not json", headers={
        "Content-Type": "application/json"})
    assert field_names(malformed) == ["body"]
    assert malformed.json()["errors"][0]["message"].startswith("malformed JSON")
    not_utf8 = api.post("/products", content=b'{"sku": "\xff\xfe"}', headers={
        "Content-Type": "application/json"})
    assert field_names(not_utf8) == ["body"]
    nan = api.post("/batches", content=b'{"batch_number": "N", "quantity": NaN}', headers={
        "Content-Type": "application/json"})
    assert field_names(nan) == ["quantity"]
    assert nan.json()["errors"][0]["value"] == "nan"
    # Without a credential any /api/v1 path is 401: it is checked before the route is known.
    assert_problem(client.get(f"{API}/nothing-here"), 401, "unauthorized")
    missing = assert_problem(api.get("/nothing-here"), 404, "not_found")
    assert missing["detail"] == "no route GET /api/v1/nothing-here"
    assert_problem(api.call("PUT", "/batches"), 405, "method_not_allowed")
