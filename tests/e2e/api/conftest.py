"""Fixtures of the HTTP API tests: one app per database backend (the `database` fixture of
tests/conftest.py runs SQLite, and PostgreSQL when LOTLINE_TEST_POSTGRES_URL is set), a new
organization per test with an admin, a manager and a viewer, and a second organization for
cross-tenant checks. The app's clock stands still at `api_kit.FIXED_NOW`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_kit import Api, Tenant, fixed_clock, make_tenant
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from lotline import passwords
from lotline.entrypoints.api.app import create_app


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2() -> Iterator[None]:
    """Argon2 with minimal cost: each test makes several users and logins, and the production
    parameters take a quarter of a second per hash. The code path is the same."""
    with pytest.MonkeyPatch.context() as patch:
        hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
        patch.setattr(passwords, "_HASHER", hasher)
        patch.setattr(passwords, "_DUMMY_HASH", hasher.hash("lotline-no-such-user"))
        yield


@pytest.fixture(scope="session")
def app(database: Any) -> FastAPI:
    return create_app(engine=database.engine, clock=fixed_clock())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tenant(app: FastAPI, client: TestClient) -> Tenant:
    return make_tenant(app, client)


@pytest.fixture
def other_tenant(app: FastAPI, client: TestClient) -> Tenant:
    return make_tenant(app, client, roles=("admin", "viewer"))


@pytest.fixture
def api(client: TestClient, tenant: Tenant, app: FastAPI) -> Api:
    return Api(client, tenant, app)


@pytest.fixture
def other(client: TestClient, other_tenant: Tenant, app: FastAPI) -> Api:
    """The second organization, for cross-tenant checks."""
    return Api(client, other_tenant, app)
