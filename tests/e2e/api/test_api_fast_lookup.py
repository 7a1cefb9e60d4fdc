"""The serial lookup's lean path (entrypoints/api/fast_lookup.py) answers exactly as the route
does, with the request id, the access log line and the metrics of any request; and a credential
resolved once stops working the moment it is revoked in this process."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from api_kit import API, Api, Tenant, assert_problem, bearer, fixed_clock
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lotline.entrypoints.api import fast_lookup
from lotline.entrypoints.api.app import create_app


def _lean_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The numbers the lean path answered (the route answers the others)."""
    answered: list[str] = []
    plain = fast_lookup._plain_lookup

    def spy(scope: Any) -> str | None:
        number = plain(scope)
        if number is not None:
            answered.append(number)
        return number

    monkeypatch.setattr(fast_lookup, "_plain_lookup", spy)
    return answered


def test_the_lean_path_answers_as_the_route_does(api: Api,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    serial = api.serial("FAST-1", product_id=api.product(tracking="serial")["id"])
    answered = _lean_calls(monkeypatch)
    lean = api.get("/serials/lookup/FAST-1", role="viewer")
    routed = api.get("/serials/lookup/FAST-1", role="viewer",
                     params={"product_id": serial["product_id"]})
    assert answered == ["FAST-1"]  # the second call has a query string: the route's
    assert (lean.status_code, lean.json()) == (200, routed.json())
    assert lean.json()["id"] == serial["id"]
    assert lean.headers["content-type"] == routed.headers["content-type"] == "application/json"
    missing = assert_problem(api.get("/serials/lookup/FAST-2"), 404, "not_found")
    routed_missing = api.get("/serials/lookup/FAST-2",
                             params={"product_id": serial["product_id"]})
    assert missing == routed_missing.json()
    assert answered == ["FAST-1", "FAST-2"]


def test_the_lean_path_leaves_forbidden_characters_and_no_credential_to_the_route(
        api: Api, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    answered = _lean_calls(monkeypatch)
    refused = assert_problem(api.get("/serials/lookup/A%01B"), 422, "validation_error")
    assert refused["errors"][0]["field"] == "serial_number"
    assert_problem(client.get(f"{API}/serials/lookup/FAST-1"), 401, "unauthorized")
    assert answered == []


def test_request_id_access_log_and_metrics_of_a_lean_lookup(
        database: Any, tenant: Tenant, caplog: pytest.LogCaptureFixture) -> None:
    fresh: FastAPI = create_app(engine=database.engine, clock=fixed_clock())
    caplog.set_level(logging.INFO, logger="lotline.access")
    with TestClient(fresh) as client:
        api = Api(client, tenant, fresh)
        serial = api.serial("FAST-M", product_id=api.product(tracking="serial")["id"])
        lean = api.get("/serials/lookup/FAST-M", headers={"X-Request-ID": "scan-7"})
        routed = api.get("/serials/lookup/FAST-M", params={"product_id": serial["product_id"]})
        assert api.get("/serials/lookup/FAST-X").status_code == 404
        text = client.get("/metrics").text
    assert lean.headers["x-request-id"] == "scan-7"
    assert routed.headers["x-request-id"] != "scan-7"
    route = "/api/v1/serials/lookup/{serial_number}"
    assert (f'lotline_http_requests_total{{method="GET",route="{route}",status="200"}} 2.0'
            in text)
    assert (f'lotline_http_requests_total{{method="GET",route="{route}",status="404"}} 1.0'
            in text)
    lines = [json.loads(record.getMessage()) for record in caplog.records
             if record.name == "lotline.access"]
    mine = [line for line in lines if line["request_id"] == "scan-7"]
    assert [(line["path"], line["route"], line["status"], line["actor"]) for line in mine] == [
        ("/api/v1/serials/lookup/FAST-M", route, 200, tenant.usernames["admin"])]


def test_a_revoked_api_key_fails_at_once_though_it_was_just_resolved(
        api: Api, client: TestClient) -> None:
    api.serial("FAST-K", product_id=api.product(tracking="serial")["id"])
    key = api.post("/api-keys", json={"name": "scanner-fast", "role": "viewer"}).json()
    for _ in range(2):  # resolved, then served from the credential cache
        assert client.get(f"{API}/serials/lookup/FAST-K",
                          headers=bearer(key["key"])).status_code == 200
    assert api.post(f"/api-keys/{key['id']}/revoke").status_code == 200
    assert_problem(client.get(f"{API}/serials/lookup/FAST-K", headers=bearer(key["key"])),
                   401, "unauthorized")


def test_callers_one_after_another_each_see_their_own_organization(
        api: Api, other: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # The lean path keeps the last caller's serial service: a caller of another organization
    # (or another role) in between must get a service of its own.
    mine = api.serial("FAST-O", product_id=api.product(tracking="serial")["id"])
    answered = _lean_calls(monkeypatch)
    assert api.get("/serials/lookup/FAST-O", role="viewer").json()["id"] == mine["id"]
    assert_problem(other.get("/serials/lookup/FAST-O", role="viewer"), 404, "not_found")
    theirs = other.serial("FAST-O", product_id=other.product(tracking="serial")["id"])
    assert other.get("/serials/lookup/FAST-O").json()["id"] == theirs["id"]
    assert api.get("/serials/lookup/FAST-O").json()["id"] == mine["id"]
    assert answered == ["FAST-O"] * 4
