"""`lotline orgs create`, `lotline users create|list`, `lotline api-keys create|list|revoke`:
exact outputs and exit codes, passwords never printed, a key printed only when it is made."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_kit import ENV, Run, data_error, make_cli, ok, usage_error
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from lotline import passwords
from lotline.adapters.db import make_engine
from lotline.bootstrap import identity_service
from lotline.domain.errors import Unauthorized
from lotline.domain.statuses import Role
from lotline.entrypoints.cli import app

PASSWORD = "correct horse battery staple"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00"
USER_FIELDS = ["id", "username", "role", "active", "created_at", "updated_at"]
KEY_FIELDS = ["id", "name", "role", "key_prefix", "created_by", "created_at", "last_used_at",
              "revoked_at"]


@pytest.fixture(autouse=True)
def _cheap_argon2() -> Iterator[None]:
    """Minimal argon2 cost (the code path is the same); production costs 0.4 s a hash."""
    with pytest.MonkeyPatch.context() as patch:
        hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
        patch.setattr(passwords, "_HASHER", hasher)
        patch.setattr(passwords, "_DUMMY_HASH", hasher.hash("lotline-no-such-user"))
        yield


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "identity.db"


@pytest.fixture
def cli(db_path: Path) -> Run:
    return make_cli(f"sqlite:///{db_path}")


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{db_path}")
    yield engine
    engine.dispose()


@pytest.fixture
def acme(cli: Run) -> Run:
    """An organization `acme` with its admin alice; commands run inside it."""
    ok(cli("orgs", "create", "Acme", "--admin", "alice", "--password", PASSWORD))

    def run(*args: str, stdin: str | None = None) -> Result:
        return cli("--organization", "acme", *args, stdin=stdin)

    return run


def organizations(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT slug FROM organizations ORDER BY slug")]


def logs_in(engine: Engine, username: str, password: str) -> bool:
    try:
        identity_service(engine).authenticate(username, password)
    except Unauthorized:
        return False
    return True


# --- orgs ------------------------------------------------------------------------------------


def test_orgs_create_json_and_the_admin_logs_in(cli: Run, db_path: Path, engine: Engine) -> None:
    out = ok(cli("orgs", "create", "Acme Corp", "--admin", "alice", "--password", PASSWORD,
                 "--format", "json"))
    record = json.loads(out)
    assert list(record) == ["id", "name", "slug", "admin", "created_at"]
    assert (record["name"], record["slug"], record["admin"]) == ("Acme Corp", "acme-corp",
                                                                "alice")
    assert re.fullmatch(UUID, record["id"]) and re.fullmatch(TIMESTAMP, record["created_at"])
    assert PASSWORD not in out
    assert organizations(db_path) == ["acme-corp"]  # no "default" made on the way
    assert logs_in(engine, "alice", PASSWORD)
    assert not logs_in(engine, "alice", "another password")


def test_orgs_create_table(cli: Run) -> None:
    out = ok(cli("orgs", "create", "Acme Corp", "--admin", "alice", "--password", PASSWORD))
    lines = out.splitlines()
    assert lines[0].strip() == "Organization Acme Corp"
    rows = {cells[0].strip(): cells[1].strip() for cells in
            (line.strip("│┃ ").split("│") for line in lines if line.startswith("│"))}
    assert list(rows) == ["Name", "Slug (--organization)", "Admin", "ID", "Created"]
    assert (rows["Name"], rows["Slug (--organization)"], rows["Admin"]) == \
        ("Acme Corp", "acme-corp", "alice")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", rows["Created"])


def test_orgs_create_conflicts_leave_nothing_behind(cli: Run, db_path: Path) -> None:
    ok(cli("orgs", "create", "Acme", "--admin", "alice", "--password", PASSWORD))
    assert data_error(cli("orgs", "create", "ACME", "--admin", "bob", "--password",
                          PASSWORD)) == "error: conflict: organization 'acme' already exists\n"
    assert data_error(cli("orgs", "create", "Other", "--admin", "Alice", "--password",
                          PASSWORD)) == "error: conflict: username 'Alice' is taken\n"
    assert data_error(cli("orgs", "create", "Other", "--admin", "bob", "--password",
                          "short")) == \
        "error: validation_error: password: must be 8 to 1000 characters\n"
    assert data_error(cli("orgs", "create", "Other", "--admin", "bob smith", "--password",
                          PASSWORD)) == ("error: validation_error: username: may hold letters, "
                                         "digits and . _ @ + - only\n")
    assert organizations(db_path) == ["acme"]  # no organization without its admin


def test_orgs_create_password_from_stdin_or_environment(cli: Run, db_path: Path,
                                                        engine: Engine) -> None:
    ok(cli("orgs", "create", "Piped", "--admin", "pia", stdin=f"{PASSWORD}\n"))
    assert logs_in(engine, "pia", PASSWORD)
    run = make_cli(f"sqlite:///{db_path}")
    result = CliRunner(env={**ENV, "LOTLINE_PASSWORD": "from the environment"}).invoke(
        app, ["--database-url", f"sqlite:///{db_path}", "orgs", "create", "Env", "--admin",
              "eve"])
    assert "from the environment" not in ok(result)
    assert logs_in(engine, "eve", "from the environment")
    missing = usage_error(run("orgs", "create", "None", "--admin", "nobody"))
    assert "no password for nobody: give --password, set LOTLINE_PASSWORD" in missing
    assert organizations(db_path) == ["env", "piped"]


def test_orgs_usage_errors(cli: Run) -> None:
    assert "Missing option '--admin'" in usage_error(cli("orgs", "create", "Acme"))
    assert "Missing argument 'NAME'" in usage_error(cli("orgs", "create"))
    assert "No such command 'delete'" in usage_error(cli("orgs", "delete", "x"))


# --- users -----------------------------------------------------------------------------------


def test_users_create_with_aliases_and_list(acme: Run, engine: Engine) -> None:
    carla = json.loads(ok(acme("users", "create", "carla", "--role", "gestor", "--password",
                               PASSWORD, "-f", "json")))
    assert list(carla) == USER_FIELDS
    assert (carla["username"], carla["role"], carla["active"]) == ("carla", "manager", True)
    ok(acme("users", "create", "dora", "--role", "CONSULTOR", "--password", PASSWORD))
    ok(acme("users", "create", "emil", "--password", PASSWORD))  # viewer by default
    listed = json.loads(ok(acme("users", "list", "--format", "json")))
    assert [(u["username"], u["role"]) for u in listed] == [
        ("alice", "admin"), ("carla", "manager"), ("dora", "viewer"), ("emil", "viewer")]
    csv_out = ok(acme("users", "list", "--format", "csv"))
    assert csv_out.splitlines()[0] == ",".join(USER_FIELDS)
    table = ok(acme("users", "list"))
    assert table.splitlines()[0].strip() == "Users"
    header = next(line for line in table.splitlines() if line.startswith("┃"))
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == \
        ["Username", "Role", "Active", "Created", "ID"]
    assert PASSWORD not in table + csv_out
    assert logs_in(engine, "carla", PASSWORD)


def test_users_create_errors(acme: Run) -> None:
    ok(acme("users", "create", "carla", "--password", PASSWORD))
    assert data_error(acme("users", "create", "CARLA", "--password", PASSWORD)) == \
        "error: conflict: username 'CARLA' is taken\n"
    assert data_error(acme("users", "create", "dan", "--role", "boss", "--password",
                           PASSWORD)) == ("error: validation_error: role: unknown role 'boss'; "
                                          "expected one of admin, manager, viewer\n")
    short = acme("users", "create", "dan", "--password", "1234567")
    assert data_error(short) == "error: validation_error: password: must be 8 to 1000 characters\n"
    assert "1234567" not in short.stderr
    assert "Missing argument 'USERNAME'" in usage_error(acme("users", "create"))
    assert "no password for dan" in usage_error(acme("users", "create", "dan"))


# --- api-keys --------------------------------------------------------------------------------


def test_api_keys_create_prints_the_key_once(acme: Run, engine: Engine) -> None:
    ok(acme("users", "create", "carla", "--role", "manager", "--password", PASSWORD))
    out = ok(acme("api-keys", "create", "--name", "scanner-1", "--user", "carla"))
    lines = out.splitlines()
    assert lines[0] == "API key 'scanner-1' (manager), shown this once, store it now:"
    key = lines[1]
    assert re.fullmatch(r"llk_[A-Za-z0-9_-]{43}", key)
    assert lines[2].strip() == "Created"
    actor = identity_service(engine).resolve(key)
    assert (actor.role, actor.name) == (Role.MANAGER, "api-key:scanner-1")

    created = json.loads(ok(acme("api-keys", "create", "--name", "erp", "--role", "viewer",
                                 "-f", "json")))
    assert list(created) == [*KEY_FIELDS, "key"]
    assert (created["name"], created["role"], created["revoked_at"]) == ("erp", "viewer", None)
    assert created["key"].startswith(created["key_prefix"])

    listed_json = ok(acme("api-keys", "list", "-f", "json"))
    listed = json.loads(listed_json)
    assert [(k["name"], k["role"]) for k in listed] == [("scanner-1", "manager"),
                                                        ("erp", "viewer")]
    assert all(list(k) == KEY_FIELDS for k in listed)
    listed_table = ok(acme("api-keys", "list"))
    for text in (listed_json, listed_table, ok(acme("api-keys", "list", "-f", "csv"))):
        assert key not in text and created["key"] not in text
    assert f"{key[:12]}…" in listed_table


def test_api_keys_revoke(acme: Run, engine: Engine) -> None:
    created = json.loads(ok(acme("api-keys", "create", "--name", "old", "-f", "json")))
    assert created["role"] == "admin"  # the CLI acts as an admin: no cap below it
    revoked = json.loads(ok(acme("api-keys", "revoke", created["id"], "-f", "json")))
    assert (revoked["id"], revoked["name"]) == (created["id"], "old")
    assert re.fullmatch(TIMESTAMP, revoked["revoked_at"])
    with pytest.raises(Unauthorized):
        identity_service(engine).resolve(created["key"])
    assert data_error(acme("api-keys", "revoke", created["id"])) == \
        "error: conflict: API key 'old' is already revoked\n"
    assert data_error(acme("api-keys", "revoke", "no-such-key")) == \
        "error: not_found: api_key not found: id=no-such-key\n"
    table = ok(acme("api-keys", "list"))
    assert "old" in table and created["key"] not in table


def test_api_keys_errors(acme: Run) -> None:
    ok(acme("users", "create", "vera", "--role", "viewer", "--password", PASSWORD))
    assert data_error(acme("api-keys", "create", "--name", "x", "--user", "vera", "--role",
                           "manager")) == ("error: forbidden: an API key cannot carry the "
                                           "manager role: it is higher than viewer\n")
    assert data_error(acme("api-keys", "create", "--name", "x", "--user", "nobody")) == \
        "error: not_found: user not found: username=nobody\n"
    assert data_error(acme("api-keys", "create", "--name", "  ")) == \
        "error: validation_error: name: must not be empty\n"
    assert "Missing option '--name'" in usage_error(acme("api-keys", "create"))
    assert "Missing argument 'ID'" in usage_error(acme("api-keys", "revoke"))


def test_users_of_another_organization_stay_apart(cli: Run, acme: Run) -> None:
    ok(cli("orgs", "create", "Beta", "--admin", "bert", "--password", PASSWORD))
    beta = json.loads(ok(cli("--organization", "beta", "users", "list", "-f", "json")))
    assert [u["username"] for u in beta] == ["bert"]
    assert data_error(acme("api-keys", "create", "--name", "x", "--user", "bert")) == \
        "error: not_found: user not found: username=bert\n"
