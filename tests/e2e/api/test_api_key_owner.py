"""An API key acts for a user and never outlives what that user may do: its role is the lower
of its own and the user's current role, and a deactivated user's keys stop at once."""

from __future__ import annotations

from api_kit import Api, assert_problem


def user_id(api: Api, username: str) -> str:
    users = api.get("/users").json()["items"]
    return str(next(user["id"] for user in users if user["username"] == username))


def test_a_key_follows_its_user_demoted_then_deactivated(api: Api) -> None:
    manager = api.tenant.usernames["manager"]
    issued = api.post("/api-keys", json={"name": "scanner station", "username": manager})
    assert issued.status_code == 201, issued.text
    assert issued.json()["role"] == "manager"
    key = {"Authorization": f"Bearer {issued.json()['key']}"}
    writes = api.post("/customers", role=None, headers=key, json={"name": "Before"})
    assert writes.status_code == 201, writes.text

    demoted = api.patch(f"/users/{user_id(api, manager)}", json={"role": "viewer"})
    assert demoted.status_code == 200, demoted.text
    refused = assert_problem(api.post("/customers", role=None, headers=key,
                                      json={"name": "After"}), 403, "forbidden")
    assert refused["role"] == "viewer"
    assert api.get("/customers", role=None, headers=key).status_code == 200

    api.patch(f"/users/{user_id(api, manager)}", json={"active": False})
    gone = assert_problem(api.get("/customers", role=None, headers=key), 401, "unauthorized")
    assert gone["detail"] == ("the bearer token or API key is not valid (expired, revoked, "
                              "or its user deactivated?)")
    names = [c["name"] for c in api.get("/customers").json()["items"]]
    assert names.count("After") == 0 and names.count("Before") == 1


def test_an_admins_own_key_is_capped_by_the_admins_current_role(api: Api) -> None:
    """A key made without naming a user acts for the admin who made it."""
    issued = api.post("/api-keys", json={"name": "admin's script"})
    assert issued.json()["role"] == "admin"
    key = {"Authorization": f"Bearer {issued.json()['key']}"}
    assert api.get("/users", role=None, headers=key).status_code == 200
    admin_id = user_id(api, api.tenant.usernames["admin"])
    other_admin = api.post("/users", json={"username": f"second-{admin_id[:8]}",
                                           "password": "long enough pw", "role": "admin"})
    assert other_admin.status_code == 201, other_admin.text
    assert api.patch(f"/users/{admin_id}", json={"role": "manager"}).status_code == 200
    assert_problem(api.get("/users", role=None, headers=key), 403, "forbidden")
    assert api.get("/customers", role=None, headers=key).status_code == 200
