"""The serial lookup's lean path (entrypoints/api/fast_lookup.py) answers exactly as the
middleware stack and the route do, with the request id, the access log line and the metrics of
any request; and a credential resolved once stops working the moment it is revoked in this
process."""

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


def test_the_lean_path_leaves_forbidden_characters_to_the_route_not_a_missing_credential(
        api: Api, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    answered = _lean_calls(monkeypatch)
    refused = assert_problem(api.get("/serials/lookup/A%01B"), 422, "validation_error")
    assert refused["errors"][0]["field"] == "serial_number"
    assert answered == []
    assert_problem(client.get(f"{API}/serials/lookup/FAST-1"), 401, "unauthorized")
    assert answered == ["FAST-1"]  # checked by the lean path, as CredentialMiddleware would


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


def _exchange(client: TestClient, caplog: pytest.LogCaptureFixture, method: str, path: str,
              headers: dict[str, str], params: dict[str, str] | None) -> tuple[Any, ...]:
    """Status, body bytes, headers (less the request id), the access log line (less its time,
    id and duration) of one request."""
    caplog.clear()
    response = client.request(method, path, headers=headers, params=params)
    lines = [json.loads(record.getMessage()) for record in caplog.records
             if record.name == "lotline.access"]
    assert len(lines) == 1
    line = {k: v for k, v in lines[0].items() if k not in ("ts", "request_id", "duration_ms")}
    kept = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
    given = headers.get("X-Request-ID")
    if given is not None:  # kept up to 100 characters, else a new one
        assert (response.headers["x-request-id"] == given) == (len(given) <= 100)
    return response.status_code, response.content, kept, line


def _metrics(client: TestClient) -> list[str]:
    """The request counts of the lookups (their route, or none for a refused credential)."""
    return sorted(line for line in client.get("/metrics").text.splitlines()
                  if line.startswith("lotline_http_requests_total{")
                  and (f'route="{ROUTE}"' in line or 'route="unmatched"' in line))


def test_a_corpus_of_lookups_answers_byte_for_byte_as_the_stack_does(
        database: Any, tenant: Tenant, other_tenant: Tenant, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request of the corpus is sent twice, through the lean path and with it disabled
    (the route, through every middleware): same status, body, headers, access log line and
    metrics."""
    caplog.set_level(logging.INFO, logger="lotline.access")
    with TestClient(create_app(engine=database.engine, clock=fixed_clock())) as client:
        api = Api(client, tenant, client.app)  # type: ignore[arg-type]
        corpus = _corpus(api, Api(client, other_tenant, client.app))  # type: ignore[arg-type]
        answered = _lean_calls(monkeypatch)
        lean = [_exchange(client, caplog, *request) for request in corpus]
        lean_metrics = _metrics(client)
        assert len(answered) == 13  # the plain GETs, with a credential or not
        monkeypatch.setattr(fast_lookup, "_plain_lookup", lambda scope: None)
        routed = [_exchange(client, caplog, *request) for request in corpus]
        routed_metrics = _metrics(client)
    for request, mine, theirs in zip(corpus, lean, routed, strict=True):
        assert mine == theirs, request
    assert [(status, line["route"]) for status, _, _, line in lean] == [
        (200, ROUTE), (200, ROUTE), (200, ROUTE), (200, ROUTE), (404, ROUTE), (409, ROUTE),
        (200, ROUTE), (401, "unmatched"), (401, "unmatched"), (401, "unmatched"),
        (404, ROUTE), (200, ROUTE), (422, ROUTE), (405, ROUTE), (200, ROUTE), (200, ROUTE),
        (200, ROUTE)]
    # Each label's count doubled: the lean requests were counted as the routed ones were.
    assert [(line.rsplit(" ", 1)[0], 2 * float(line.rsplit(" ", 1)[1])) for line in lean_metrics] \
        == [(line.rsplit(" ", 1)[0], float(line.rsplit(" ", 1)[1])) for line in routed_metrics]

ROUTE = "/api/v1/serials/lookup/{serial_number}"


def _corpus(api: Api, other: Api) -> list[tuple[str, str, dict[str, str], Any]]:
    """(method, path, headers, params) of lookups of every kind."""
    product = api.product(tracking="serial")
    plain = api.serial("EQ-1", product_id=product["id"])
    api.post(f"/serials/{plain['id']}/hold", role="manager", json={"reason": "dented ünit"})
    api.serial("EQ-2", product_id=product["id"], unit_cost="199.90",
               purchase_date="2026-02-01", warranty_expiry="2028-02-01")
    reserved = api.serial("EQ-3", product_id=product["id"])
    customer = api.customer("Bolt \"Retail\" ß")
    assert api.post(f"/serials/{reserved['id']}/status",
                    json={"status": "RESERVED", "customer_id": customer["id"]}).is_success
    api.serial("EQ/4 x", product_id=product["id"])
    api.services().settings.update(serial_scope="product")
    api.serial("EQ-1", product_id=api.product(tracking="serial")["id"])  # now ambiguous
    key = api.post("/api-keys", json={"name": "eq-scanner", "role": "viewer"}).json()["key"]
    admin, viewer = api.tenant.headers("admin"), api.tenant.headers("viewer")
    path = f"{API}/serials/lookup/"
    return [
        ("GET", path + "EQ-2", admin, None),
        ("GET", path + "EQ-2", viewer, None),
        ("GET", path + "EQ-3", {**admin, "X-Request-ID": "eq-scan-1"}, None),
        ("GET", path + "EQ/4 x", admin, None),
        ("GET", path + "EQ-404", admin, None),
        ("GET", path + "EQ-1", admin, None),  # ambiguous: 409 with candidates
        ("GET", path + "EQ-1", admin, {"product_id": product["id"]}),  # the route's
        ("GET", path + "EQ-2", {}, None),  # no credential: the stack's
        ("GET", path + "EQ-2", bearer("llt_not-a-token"), None),
        ("GET", path + "EQ-2", {"Authorization": "Basic eDp5"}, None),
        ("GET", path + "EQ-2", other.tenant.headers("admin"), None),  # another organization
        ("GET", path + "EQ-2", bearer(key), None),  # an API key (resolved in a thread)
        ("GET", path + "EQ%01", admin, None),  # forbidden character: the route's 422
        ("HEAD", path + "EQ-2", admin, None),  # the route's
        ("GET", path + "EQ-2", {**admin, "Cookie": "a=b"}, None),  # the stack's
        ("GET", path + "EQ-2", {**admin, "Content-Length": "0"}, None),
        ("GET", path + "EQ-3", {**admin, "X-Request-ID": "x" * 101}, None),
    ]


def test_the_stack_the_lean_path_stands_in_for_is_the_one_it_was_checked_against(
        database: Any) -> None:
    """The lean path does what each of these layers does to a plain lookup (or knows that it
    does nothing to one): a layer added, removed or reordered must be weighed in
    fast_lookup.py before this list is changed, or plain lookups would silently skip it."""
    app = create_app(engine=database.engine, clock=fixed_clock())
    outermost_first = [entry.cls.__name__ for entry in app.user_middleware]  # type: ignore[attr-defined]
    assert outermost_first == [
        "FastLookup", "RequestContextMiddleware", "UnhandledErrorMiddleware",
        "CredentialMiddleware", "BodyLimitMiddleware", "IdempotencyMiddleware"]
