"""Fixtures of the web UI tests: one app per database backend (SQLite, and PostgreSQL when
LOTLINE_TEST_POSTGRES_URL is set) for the TestClient tests, and a new organization with a
user per role and a little stock for each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from web_kit import World, make_world

from lotline import passwords
from lotline.entrypoints.api.app import create_app


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2() -> Iterator[None]:
    """Argon2 with minimal cost (every test logs users in); the code path is the same."""
    with pytest.MonkeyPatch.context() as patch:
        hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
        patch.setattr(passwords, "_HASHER", hasher)
        patch.setattr(passwords, "_DUMMY_HASH", hasher.hash("lotline-no-such-user"))
        yield


@pytest.fixture(scope="session")
def web_app(database: Any) -> FastAPI:
    return create_app(engine=database.engine)


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(web_app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(web_app: FastAPI) -> World:
    return make_world(web_app)
