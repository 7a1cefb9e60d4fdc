"""The benchmark's constant endpoint: absent unless LOTLINE_BENCH_CONSTANT is set, and then
outside every middleware (no request id, no access log line)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from lotline.entrypoints.api.app import create_app


def test_absent_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTLINE_BENCH_CONSTANT", raising=False)
    with TestClient(create_app("sqlite://")) as client:
        response = client.get("/_bench/constant/1")
    assert response.status_code == 404
    assert response.headers["x-request-id"]


def test_outside_every_middleware(monkeypatch: pytest.MonkeyPatch,
                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("LOTLINE_BENCH_CONSTANT", "1")
    with TestClient(create_app("sqlite://")) as client, \
            caplog.at_level(logging.INFO, logger="lotline.access"):
        response = client.get("/_bench/constant/00000042")
        assert client.get("/healthz").status_code == 200
    assert response.status_code == 200
    assert response.json() == {"id": "00000000-0000-0000-0000-000000000000",
                               "status": "IN_STOCK"}
    assert "x-request-id" not in response.headers
    logged = [record.getMessage() for record in caplog.records
              if record.name == "lotline.access"]
    assert len(logged) == 1 and '"path": "/healthz"' in logged[0]
