"""When a bearer token or an API key stops working: expiry, revocation, a deactivated user, a
changed password; and an API key's last use. The credential check reads its rows straight on
the driver (IdentityService.resolve): these pin its answers on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from api_kit import API, FIXED_NOW, PASSWORD, Api, assert_problem, bearer, login
from fastapi.testclient import TestClient

from lotline.bootstrap import identity_service
from lotline.domain.errors import Unauthorized
from lotline.service_layer.identity import IdentityService


def answers(client: TestClient, token: str) -> int:
    return client.get(f"{API}/serials/counts", headers=bearer(token)).status_code


def identity_at(api: Api, moment: dt.datetime) -> IdentityService:
    return identity_service(api.app.state.engine, lambda: moment)


def test_a_token_works_until_it_expires(api: Api) -> None:
    token = api.tenant.tokens["viewer"]
    hours = dt.timedelta(hours=1)
    assert identity_at(api, FIXED_NOW + 11 * hours).resolve(token).name == \
        api.tenant.usernames["viewer"]
    with pytest.raises(Unauthorized):
        identity_at(api, FIXED_NOW + 12 * hours).resolve(token)


def test_deactivating_a_user_or_changing_a_password_ends_their_tokens(
        api: Api, client: TestClient) -> None:
    users = {u["username"]: u["id"] for u in api.get("/users").json()["items"]}
    viewer, manager = api.tenant.tokens["viewer"], api.tenant.tokens["manager"]
    assert answers(client, viewer) == answers(client, manager) == 200
    viewer_id = users[api.tenant.usernames["viewer"]]
    assert api.patch(f"/users/{viewer_id}", json={"active": False}).status_code == 200
    assert_problem(client.get(f"{API}/serials/counts", headers=bearer(viewer)), 401,
                   "unauthorized")
    assert login(client, api.tenant.usernames["viewer"]).status_code == 401
    assert api.patch(f"/users/{viewer_id}", json={"active": True}).status_code == 200
    assert answers(client, viewer) == 401  # the old token stays revoked
    assert answers(client, login(client, api.tenant.usernames["viewer"]).json()
                   ["access_token"]) == 200
    manager_id = users[api.tenant.usernames["manager"]]
    changed = api.patch(f"/users/{manager_id}", json={"password": "a new password!"})
    assert changed.status_code == 200
    assert answers(client, manager) == 401
    assert login(client, api.tenant.usernames["manager"], PASSWORD).status_code == 401


def test_an_api_key_until_revoked_and_its_last_use(api: Api, client: TestClient) -> None:
    created = api.post("/api-keys", json={"name": "scanner-1", "role": "viewer"}).json()
    listed = {k["id"]: k for k in api.get("/api-keys").json()["items"]}
    assert listed[created["id"]]["last_used_at"] is None
    assert answers(client, created["key"]) == 200
    listed = {k["id"]: k for k in api.get("/api-keys").json()["items"]}
    assert listed[created["id"]]["last_used_at"] == FIXED_NOW.isoformat()
    actor = api.app.state.identity.resolve(created["key"])
    assert (actor.name, actor.role.value, actor.org_id) == ("api-key:scanner-1", "viewer",
                                                           api.tenant.org_id)
    assert api.post(f"/api-keys/{created['id']}/revoke").status_code == 200
    assert answers(client, created["key"]) == 401


def test_lookalike_credentials_are_401(api: Api, client: TestClient) -> None:
    token = api.tenant.tokens["viewer"]
    key = api.post("/api-keys", json={"name": "k", "role": "viewer"}).json()["key"]
    for wrong in (token[:-1], token + "x", "llt_" + key[4:], "llk_" + token[4:], key.upper(),
                  "", "llt_", "llk_"):
        if wrong:
            assert answers(client, wrong) == 401, wrong
        with pytest.raises(Unauthorized):
            api.app.state.identity.resolve(wrong)
