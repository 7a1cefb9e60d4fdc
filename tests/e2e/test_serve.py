"""`lotline serve` and the serving `lotline demo` as real processes on a free port over a
temporary SQLite file: the server answers, the token flow works, logs are JSON lines without
secrets, and SIGTERM stops it cleanly (exit 0)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from cli_kit import data_error, make_cli, ok
from serve_kit import Process, free_port

API = "/api/v1"
PASSWORD = "correct horse battery staple"


def login(base_url: str, username: str, password: str) -> httpx.Response:
    return httpx.post(f"{base_url}{API}/auth/token", timeout=30,
                      json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    ok(make_cli(url)("orgs", "create", "Acme", "--admin", "alice", "--password", PASSWORD))
    return url


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_stops_on_sigterm(db_url: str, workers: int) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process(["--database-url", db_url, "serve", "--port", str(port),
                      "--workers", str(workers)])
    try:
        banner = server.wait_for_stdout("Serving the lotline API")
        plural = "s" if workers > 1 else ""
        assert banner == (f"Serving the lotline API on {base} ({workers} worker{plural}, "
                          f"database {db_url}); docs at {base}/docs. Ctrl+C stops it.")
        server.wait_until_healthy(base)
        assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
        assert httpx.get(f"{base}{API}/users").status_code == 401
        assert login(base, "alice", "wrong password").status_code == 401
        issued = login(base, "alice", PASSWORD)
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        users = httpx.get(f"{base}{API}/users", headers={**bearer(token),
                                                         "X-Request-ID": "req-serve-1"})
        assert users.status_code == 200
        assert users.headers["x-request-id"] == "req-serve-1"
        assert [(u["username"], u["role"]) for u in users.json()["items"]] == \
            [("alice", "admin")]
        assert "/docs" in httpx.get(f"{base}/docs").text
    finally:
        code = server.stop()
    assert code == 0, server.output()
    access = [json.loads(line) for line in server.stderr if line.startswith("{")]
    logged = {(entry["method"], entry["route"], entry["status"]) for entry in access}
    assert ("POST", "/api/v1/auth/token", 200) in logged
    assert ("GET", "/api/v1/users", 200) in logged
    assert any(entry["request_id"] == "req-serve-1" and entry["actor"] == "alice"
               for entry in access)
    everything = server.output()
    assert token not in everything and PASSWORD not in everything
    assert "Traceback" not in everything


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_access_log_is_out_within_seconds_and_whole_after_sigterm(
        db_url: str, workers: int) -> None:
    """The access log is buffered (docs/decisions.md): a line reaches stderr about a second
    after its request, and every line is there once SIGTERM has stopped the server, those
    of the last second included, in the same one-JSON-object-a-line format."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process(["--database-url", db_url, "serve", "--port", str(port),
                      "--workers", str(workers)])
    ids = [f"req-buffered-{index}" for index in range(200)]
    try:
        server.wait_until_healthy(base)
        with httpx.Client(base_url=base) as client:
            asked = time.monotonic()
            assert client.get("/healthz", headers={"X-Request-ID": "req-first"}).is_success
            while not any('"req-first"' in line for line in list(server.stderr)):
                assert time.monotonic() - asked < 5, server.output()
                time.sleep(0.05)
            for request_id in ids:  # then SIGTERM at once: these lines are still buffered
                assert client.get("/healthz", headers={"X-Request-ID": request_id}).is_success
    finally:
        code = server.stop()
    assert code == 0, server.output()
    access = [json.loads(line) for line in server.stderr if line.startswith("{")]
    logged = [entry["request_id"] for entry in access if entry["request_id"].startswith("req-")]
    assert sorted(logged) == sorted(["req-first", *ids])  # the readiness probes' are there too
    assert all(list(entry) == ["ts", "request_id", "method", "path", "route", "status",
                               "duration_ms", "actor", "pid"] for entry in access)
    assert {(entry["method"], entry["route"], entry["status"]) for entry in access} == {
        ("GET", "/healthz", 200)}


def test_serve_without_access_log(db_url: str) -> None:
    port = free_port()
    server = Process(["--database-url", db_url, "serve", "--port", str(port),
                      "--no-access-log"])
    try:
        server.wait_until_healthy(f"http://127.0.0.1:{port}")
    finally:
        assert server.stop() == 0
    assert not [line for line in server.stderr if line.startswith("{")]


def test_serve_on_an_unusable_database_is_a_data_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    result = make_cli(url)("serve", "--port", str(free_port()))
    assert data_error(result) == (f"error: database_error: cannot use {url}: unable to open "
                                  "database file\n")


def test_serve_usage_errors(tmp_path: Path) -> None:
    run = make_cli(f"sqlite:///{tmp_path / 'x.db'}")
    for args in (["--workers", "0"], ["--port", "70000"], ["--port", "http"]):
        result = run("serve", *args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)


# --- the demo ------------------------------------------------------------------------------

DEMO_ROW = re.compile(r"^│ (admin|gestor|consultor) +│ (admin|manager|viewer) +│ "
                      r"([A-Za-z0-9]{16}) +│$")


def run_demo(url: str) -> tuple[dict[str, tuple[str, str]], str, Process, str]:
    """`lotline demo` (the Makefile's command line on a free port) until it serves: the
    printed users {username: (role, password)}, the API key, the process and its URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    demo = Process(["demo", "--database-url", url, "--port", str(port)])
    try:
        demo.wait_for_stdout("Serving the lotline API on " + base)
        demo.wait_until_healthy(base)
    except BaseException:
        demo.stop()
        raise
    users = {m[1]: (m[2], m[3]) for m in map(DEMO_ROW.match, demo.stdout) if m}
    key_line = demo.stdout.index(next(line for line in demo.stdout
                                      if line.startswith("API key 'demo' (manager")))
    return users, demo.stdout[key_line + 1], demo, base


def test_demo_serves_and_its_printed_credentials_work_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lotline-demo.db'}"
    earlier: tuple[dict[str, tuple[str, str]], str] | None = None
    for run in ("seeds", "again"):
        users, key, demo, base = run_demo(url)
        try:
            first_line = demo.stdout[0]
            assert first_line.startswith("Seeded demo data into" if run == "seeds"
                                         else f"{url} (organization default) already has data")
            assert {name: role for name, (role, _) in users.items()} == {
                "admin": "admin", "gestor": "manager", "consultor": "viewer"}
            assert re.fullmatch(r"llk_[A-Za-z0-9_-]{43}", key)
            tokens = {}
            for name, (_, password) in users.items():
                issued = login(base, name, password)
                assert issued.status_code == 200, (run, name, issued.text)
                tokens[name] = issued.json()["access_token"]
            counts = httpx.get(f"{base}{API}/serials/counts", headers=bearer(tokens["consultor"]))
            assert counts.status_code == 200 and counts.json()["ALL"] == 68
            by_key = httpx.get(f"{base}{API}/serials/lookup/SCX1-24-101", headers=bearer(key))
            assert by_key.status_code == 200 and by_key.json()["status"] == "SHIPPED"
            viewer_write = httpx.post(f"{base}{API}/suppliers", json={"name": "X"},
                                      headers=bearer(tokens["consultor"]))
            assert viewer_write.status_code == 403
            gestor_write = httpx.post(f"{base}{API}/suppliers", json={"name": f"S-{run}"},
                                      headers=bearer(tokens["gestor"]))
            assert gestor_write.status_code == 201
            if earlier is not None:  # the previous run's passwords and key no longer work
                old_users, old_key = earlier
                assert login(base, "admin", old_users["admin"][1]).status_code == 401
                assert httpx.get(f"{base}{API}/serials/counts",
                                 headers=bearer(old_key)).status_code == 401
            earlier = (users, key)
        finally:
            code = demo.stop()
        assert code == 0, demo.output()


def test_demo_no_serve_then_serve_the_same_file(tmp_path: Path) -> None:
    """The seeding half alone (`--no-serve`, JSON), then `lotline serve` on the file."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    summary = json.loads(ok(make_cli(url)("demo", "--no-serve", "--database-url", url,
                                          "--format", "json")))
    access = summary["access"]
    assert [(u["username"], u["role"]) for u in access["users"]] == [
        ("admin", "admin"), ("gestor", "manager"), ("consultor", "viewer")]
    assert (access["api_key_name"], access["api_key_role"]) == ("demo", "manager")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process(["--database-url", url, "serve", "--port", str(port)])
    try:
        server.wait_until_healthy(base)
        for user in access["users"]:
            assert login(base, user["username"], user["password"]).status_code == 200
        me = httpx.get(f"{base}{API}/serials/counts", headers=bearer(access["api_key"]))
        assert me.status_code == 200
    finally:
        assert server.stop() == 0
