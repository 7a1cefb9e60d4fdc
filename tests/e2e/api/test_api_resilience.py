"""The API when the database misbehaves (PostgreSQL): connections the database closed while
idle are replaced without an error, and a database out of reach is a 503 problem with
Retry-After, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from api_kit import API, Api, assert_problem, fixed_clock, make_tenant
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

import lotline.entrypoints.api.app as app_module
from lotline.adapters.db import make_engine
from lotline.entrypoints.api.app import create_app


@pytest.fixture
def own_engine(database: Any) -> Iterator[tuple[Engine, str]]:
    """An engine of its own on the test schema, its connections named so that the test can
    terminate them (and no other test's)."""
    if database.backend != "postgresql":
        pytest.skip("needs a database server whose connections can be terminated or unreachable; "
                    "an SQLite file has none")
    name = f"lotline-{uuid.uuid4().hex[:12]}"
    engine = make_engine(f"{database.url}&application_name={name}")
    yield engine, name
    engine.dispose()


def terminate(database: Any, application_name: str) -> int:
    with database.admin_engine.begin() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = :name"), {"name": application_name}).all())


def test_connections_closed_by_the_database_are_replaced(
        database: Any, own_engine: tuple[Engine, str]) -> None:
    engine, name = own_engine
    app = create_app(engine=engine, clock=fixed_clock())
    with TestClient(app) as client:
        api = Api(client, make_tenant(app, client), app)
        scanner = api.product("serial")
        serial = api.serial("ALIVE-1", product_id=scanner["id"])
        with ThreadPoolExecutor(max_workers=6) as pool:  # several pooled connections
            assert set(pool.map(lambda _: api.get("/serials/lookup/ALIVE-1").status_code,
                                range(24))) == {200}
        assert terminate(database, name) >= 1
        answers = [api.get("/serials/lookup/ALIVE-1") for _ in range(6)]
        assert terminate(database, name) >= 1  # read transactions: pinged before use
        answers += [api.get("/products") for _ in range(6)]
        assert terminate(database, name) >= 1  # and writes
        answers += [api.post("/customers", json={"name": f"Buyer {i}"}) for i in range(6)]
        assert [a.status_code for a in answers] == [200] * 12 + [201] * 6, \
            [a.text for a in answers if a.status_code >= 500]
        assert answers[0].json()["id"] == serial["id"]


def unreachable_app(monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.setattr(app_module, "ensure_current", lambda _engine: None)
    closed_port = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/lotline")
    return create_app(engine=closed_port, clock=fixed_clock())


def test_a_database_out_of_reach_is_a_503_with_retry_after(
        database: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    if database.backend != "postgresql":
        pytest.skip("needs a database server whose connections can be terminated or unreachable; "
                    "an SQLite file has none")
    headers = {"Authorization": "Bearer lt_tok_not-checked-yet"}
    with TestClient(unreachable_app(monkeypatch), raise_server_exceptions=False) as client:
        answers = [client.get(f"{API}/products", headers=headers),
                   client.get(f"{API}/serials/lookup/SN-1", headers=headers),
                   client.post(f"{API}/adjustments", headers={**headers,
                               "Idempotency-Key": "k-1"}, json={"quantity_delta": 1}),
                   client.post(f"{API}/auth/token",
                               json={"username": "alice", "password": "long enough"})]
    for answer in answers:
        problem = assert_problem(answer, 503, "database_unavailable")
        assert answer.headers["retry-after"] == "5"
        assert problem["detail"] == "the database cannot be reached right now; retry shortly"
        assert problem["request_id"] == answer.headers["x-request-id"]
