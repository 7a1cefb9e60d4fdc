"""`Idempotency-Key` under concurrency and crashes, on each backend: sixteen clients sending one
key at once write once and all get the same answer; a crash after the commit leaves the answer
to replay; a crash before it leaves nothing, so the retry runs."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from api_kit import API, JSON, Api, assert_problem
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lotline.adapters import idempotency as claims
from lotline.adapters import tables as t
from lotline.adapters.idempotency import joined_connection, settle
from lotline.service_layer import idempotency
from lotline.service_layer.ledger import Ledger

CLIENTS = 16


def same_key_at_once(api: Api, path: str, body: JSON, key: str) -> list[httpx.Response]:
    barrier = threading.Barrier(CLIENTS)
    headers = {**api.tenant.headers("manager"), "Idempotency-Key": key}

    def run(_: int) -> httpx.Response:
        with TestClient(api.app) as client:
            barrier.wait(timeout=30)
            return client.post(API + path, headers=headers, json=body)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(run, range(CLIENTS)))


def movements_of(api: Api, batch_id: str) -> int:
    m = t.movements.c
    with api.app.state.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(
            m.org_id == api.tenant.org_id, m.batch_id == batch_id)).scalar_one())


def serials_of(api: Api, batch_id: str) -> int:
    s = t.serials.c
    with api.app.state.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(
            s.org_id == api.tenant.org_id, s.batch_id == batch_id)).scalar_one())


def assert_one_answer(responses: list[httpx.Response], status: int) -> None:
    """Every client got the first answer: one ran it, fifteen had it replayed."""
    assert [r.status_code for r in responses] == [status] * CLIENTS, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    replayed = [r.headers.get("idempotent-replayed") for r in responses]
    assert sorted(replayed, key=str) == [None] + ["true"] * (CLIENTS - 1)


def test_sixteen_adjustments_with_one_key_apply_once(api: Api) -> None:
    oil = api.product("lot")
    lot = api.batch(oil["id"], quantity=10, unit_cost="2")
    before = movements_of(api, lot["id"])
    responses = same_key_at_once(api, "/adjustments", {
        "batch_id": lot["id"], "quantity_delta": 1, "reason": "found"}, "adjust-once")
    assert_one_answer(responses, 200)
    assert responses[0].json()["quantity_delta"] == 1
    assert api.get(f"/batches/{lot['id']}").json()["balance_quantity"] == 11
    assert movements_of(api, lot["id"]) == before + 1
    report = api.services().ledger.verify()
    assert report.ok, report.problems


def test_sixteen_bulk_registrations_with_one_key_register_once(api: Api) -> None:
    scanner = api.product("serial")
    lot = api.batch(scanner["id"], quantity=50)
    responses = same_key_at_once(api, "/serials/bulk", {
        "batch_id": lot["id"], "serial_numbers": ["IDEM-001..IDEM-010"]}, "bulk-once")
    assert_one_answer(responses, 201)
    assert responses[0].json()["count"] == 10
    assert serials_of(api, lot["id"]) == 10
    assert "Location" not in responses[0].headers or all(
        r.headers.get("Location") == responses[0].headers["Location"] for r in responses)


def crashing(monkeypatch: pytest.MonkeyPatch, target: Any, name: str,
             when: Callable[[Any], Any]) -> list[str]:
    """Make `target.name` raise once, after (`when` = the real call) or instead of it."""
    crashed: list[str] = []
    real = getattr(target, name)

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        if crashed:
            return real(*args, **kwargs)
        crashed.append(name)
        when(lambda: real(*args, **kwargs))
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(target, name, crash_once)
    return crashed


def test_a_crash_after_the_commit_leaves_the_answer_to_replay(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    scanner = api.product("serial")
    lot = api.batch(scanner["id"], quantity=50)
    body = {"batch_id": lot["id"], "serial_numbers": ["AFTER-1", "AFTER-2"]}
    headers = {"Idempotency-Key": "crash-after-commit"}
    crashed = crashing(monkeypatch, claims, "settle", lambda real: real())
    with TestClient(api.app, raise_server_exceptions=False) as client:
        first = client.post(API + "/serials/bulk", json=body,
                            headers={**api.tenant.headers("admin"), **headers})
    assert (crashed, first.status_code) == (["settle"], 500)
    assert serials_of(api, lot["id"]) == 2  # the commit happened, the answer was lost
    retry = api.post("/serials/bulk", json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert [s["serial_number"] for s in retry.json()["items"]] == ["AFTER-1", "AFTER-2"]
    assert serials_of(api, lot["id"]) == 2


def test_a_crash_before_the_commit_leaves_no_claim(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    scanner = api.product("serial")
    lot = api.batch(scanner["id"], quantity=50)
    body = {"batch_id": lot["id"], "serial_numbers": ["BEFORE-1", "BEFORE-2"]}
    headers = {"Idempotency-Key": "crash-before-commit"}
    crashed = crashing(monkeypatch, Ledger, "flush", lambda real: None)
    with TestClient(api.app, raise_server_exceptions=False) as client:
        first = client.post(API + "/serials/bulk", json=body,
                            headers={**api.tenant.headers("admin"), **headers})
    assert (crashed, first.status_code) == (["flush"], 500)
    assert serials_of(api, lot["id"]) == 0
    retry = api.post("/serials/bulk", json=body, headers=headers)
    assert retry.status_code == 201, retry.text
    assert "idempotent-replayed" not in retry.headers
    assert retry.json()["count"] == 2
    assert serials_of(api, lot["id"]) == 2


def test_a_key_held_by_a_running_request_is_409_in_progress(
        api: Api, database: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: the second request waits on the claim, at most CLAIM_WAIT_SECONDS, then
    says the first is still running (SQLite's writers queue on the database lock instead)."""
    if database.backend != "postgresql":
        pytest.skip("SQLite waits behind its single writer instead of answering 409 in progress; "
                    "the wait is covered by the concurrent-key tests")
    monkeypatch.setattr(idempotency, "CLAIM_WAIT_SECONDS", 0.3)
    headers = api.tenant.headers("manager")
    scope = hashlib.sha256(headers["Authorization"].encode()).hexdigest()
    oil = api.product("lot")
    lot = api.batch(oil["id"], quantity=10, unit_cost="2")
    running = idempotency.Claim(scope, "held-key", "fingerprint")
    with idempotency.claiming(running):
        assert joined_connection(api.app.state.engine, write=True) is not None
    try:
        answer = api.post("/adjustments", role="manager", headers={"Idempotency-Key":
                                                                    "held-key"},
                          json={"batch_id": lot["id"], "quantity_delta": 1, "reason": "found"})
    finally:
        settle(running, None)
    problem = assert_problem(answer, 409, "idempotency_in_progress")
    assert answer.headers["retry-after"] == "1"
    assert problem["detail"] == ('a request with the Idempotency-Key "held-key" is still '
                                 'running; retry after it ends')
    assert api.get(f"/batches/{lot['id']}").json()["balance_quantity"] == 10
