"""Helpers of the HTTP API tests: tenants with one logged-in user per role, and an `Api` client
that speaks as one of them and makes master data with few words."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lotline.bootstrap import Services
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor

API = "/api/v1"
FIXED_NOW = dt.datetime(2026, 3, 1, 10, 0, 0, tzinfo=dt.UTC)
TODAY = "2026-03-01"
PASSWORD = "correct horse battery staple"
ROLES = ("admin", "manager", "viewer")
JSON = dict[str, Any]


def fixed_clock() -> Callable[[], dt.datetime]:
    return lambda: FIXED_NOW


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Tenant:
    """One organization and a bearer token for each of its users (one per role)."""

    org_id: str
    name: str
    usernames: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str | None) -> dict[str, str]:
        return {} if role is None else bearer(self.tokens[role])


def login(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(f"{API}/auth/token", json={"username": username, "password": password})


def make_tenant(app: FastAPI, client: TestClient, roles: tuple[str, ...] = ROLES) -> Tenant:
    """A new organization with its first admin, then the other roles' users made through the
    API by that admin; every user logs in through `POST /auth/token`."""
    name = unique("org")
    admin = unique("admin")
    organization = app.state.identity.create_organization(name, admin_username=admin,
                                                          admin_password=PASSWORD)
    tenant = Tenant(org_id=organization.id, name=name, usernames={"admin": admin})
    tenant.tokens["admin"] = login(client, admin).json()["access_token"]
    for role in roles:
        if role == "admin":
            continue
        username = unique(role)
        created = client.post(f"{API}/users", headers=tenant.headers("admin"),
                              json={"username": username, "password": PASSWORD, "role": role})
        assert created.status_code == 201, created.text
        tenant.usernames[role] = username
        tenant.tokens[role] = login(client, username).json()["access_token"]
    return tenant


class Api:
    """A TestClient speaking as one tenant's user; paths are relative to /api/v1."""

    def __init__(self, client: TestClient, tenant: Tenant, app: FastAPI) -> None:
        self.client = client
        self.tenant = tenant
        self.app = app

    def call(self, method: str, path: str, role: str | None = "admin",
             **kwargs: Any) -> httpx.Response:
        headers = {**self.tenant.headers(role), **kwargs.pop("headers", {})}
        return self.client.request(method, API + path, headers=headers, **kwargs)

    def get(self, path: str, role: str | None = "admin", **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, role, **kwargs)

    def post(self, path: str, role: str | None = "admin", **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, role, **kwargs)

    def patch(self, path: str, role: str | None = "admin", **kwargs: Any) -> httpx.Response:
        return self.call("PATCH", path, role, **kwargs)

    def delete(self, path: str, role: str | None = "admin", **kwargs: Any) -> httpx.Response:
        return self.call("DELETE", path, role, **kwargs)

    def services(self) -> Services:
        """The tenant's services as its admin, for what the API does not offer (settings)."""
        return Services(self.app.state.engine, Actor(org_id=self.tenant.org_id, name="tests",
                                                     role=Role.ADMIN, clock=fixed_clock()))

    # --- master data -------------------------------------------------------------------

    def created(self, path: str, body: JSON) -> JSON:
        response = self.post(path, json=body)
        assert response.status_code == 201, response.text
        result: JSON = response.json()
        return result

    def product(self, tracking: str = "lot", **fields: Any) -> JSON:
        return self.created("/products", {"sku": unique("SKU"), "name": "Widget",
                                          "tracking": tracking, **fields})

    def supplier(self, name: str = "Acme Parts") -> JSON:
        return self.created("/suppliers", {"name": name})

    def customer(self, name: str = "Bolt Retail") -> JSON:
        return self.created("/customers", {"name": name})

    def batch(self, product_id: str, batch_number: str | None = None, **fields: Any) -> JSON:
        return self.created("/batches", {"product_id": product_id,
                                         "batch_number": batch_number or unique("LOT"),
                                         **fields})

    def serial(self, number: str | None = None, **fields: Any) -> JSON:
        return self.created("/serials", {"serial_number": number or unique("SN"), **fields})

    def location(self, code: str, kind: str = "storage") -> JSON:
        warehouse = self.get("/warehouses").json()["items"][0]
        return self.created("/locations", {"warehouse_id": warehouse["id"], "code": code,
                                           "kind": kind})

    def standard_location(self, code: str = "STOCK") -> JSON:
        """One of the default warehouse's standard locations (STOCK, RECEIVING, ...)."""
        items = self.get("/locations", params={"limit": 500}).json()["items"]
        return dict(next(item for item in items if item["code"] == code))

    def location_id(self, code: str) -> str:
        return str(self.standard_location(code)["id"])


def field_names(response: httpx.Response) -> list[str]:
    """The `errors[].field` names of a 422 problem."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


def assert_problem(response: httpx.Response, status: int, code: str) -> JSON:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: JSON = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:lotline:problem:{code}"
    return body
