"""LOTLINE_DATABASE_READ_URL's rules, and nothing of the replica's machinery without one."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lotline.adapters.replica import lsn_value, read_engine_url
from lotline.bootstrap import create_services
from lotline.config import read_database_url_from_env
from lotline.entrypoints.api.app import create_app

PG = "postgresql+psycopg://postgres@127.0.0.1:5433/lotline"


def test_no_read_url_means_no_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTLINE_DATABASE_READ_URL", raising=False)
    assert read_database_url_from_env(PG) is None


def test_the_read_url_comes_from_the_environment_in_psycopg_form(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTLINE_DATABASE_READ_URL", "postgres://reader@replica:5432/lotline")
    assert read_database_url_from_env(PG) == "postgresql+psycopg://reader@replica:5432/lotline"
    assert read_database_url_from_env(PG, "postgresql://x@y/z") == "postgresql+psycopg://x@y/z"


def test_a_replica_needs_postgresql_on_both_sides(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="LOTLINE_DATABASE_READ_URL: a read replica needs "
                                         r"PostgreSQL URLs for both the primary \(sqlite\)"):
        read_database_url_from_env("sqlite:///lotline.db", PG)
    with pytest.raises(ValueError, match=r"the replica \(sqlite\)"):
        read_database_url_from_env(PG, "sqlite:///copy.db")
    monkeypatch.setenv("LOTLINE_DATABASE_READ_URL", PG)
    with pytest.raises(ValueError, match="LOTLINE_DATABASE_READ_URL"):
        create_services(f"sqlite:///{tmp_path / 'a.db'}")


def test_the_replica_connects_with_a_short_timeout_unless_told() -> None:
    assert read_engine_url(PG) == PG + "?connect_timeout=2"
    assert read_engine_url(PG + "?connect_timeout=9") == PG + "?connect_timeout=9"


def test_positions_compare_as_numbers() -> None:
    assert lsn_value("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn_value("1/0") > lsn_value("0/FFFFFFFF")


def test_without_a_replica_no_token_is_given(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.delenv("LOTLINE_DATABASE_READ_URL", raising=False)
    svc = create_services(f"sqlite:///{tmp_path / 'b.db'}")
    svc.products.create_product(sku="S-1", name="One", tracking="none")
    assert svc.consistency_token() is None
    svc.users.create_user(username="replica-none", password="replica-password-1",
                          role="manager")
    key = svc.users.create_api_key(username="replica-none", name="k")
    app = create_app(engine=svc.engine)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        created = client.post("/api/v1/products",
                              json={"sku": "S-2", "name": "Two", "tracking": "none"})
        assert created.status_code == 201
        assert "lotline-consistency-token" not in created.headers
        # no replica: a token sent is not even looked at
        listed = client.get("/api/v1/products", headers={
            "LOTLINE-Consistency-Token": "not a token"})
        assert [item["sku"] for item in listed.json()["items"]] == ["S-1", "S-2"]
    svc.engine.dispose()
