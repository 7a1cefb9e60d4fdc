"""Several server processes on one PostgreSQL database (issue 18, DESIGN §9 "Scale beyond one
machine"): nothing one process keeps in memory is needed by another.

Two separate `lotline serve` processes on two ports are the plain proof: each step starts on
one and goes on on the other — a web login (its CSRF cookie, its session), a form's kept page
(post/redirect/get), an idempotent retry, the login rate limit, and revocations (an API key,
a web session), which another process honours within the credential cache's bound
(CREDENTIAL_TTL, docs/decisions.md). Then `lotline serve --workers 2`: requests spread over
both workers (the access log names the answering pid) and every answer is the same."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest
from cli_kit import make_cli, ok
from serve_kit import Process, clean_env, free_port
from sqlalchemy import create_engine, text

from lotline.service_layer.credential_cache import CREDENTIAL_TTL

API = "/api/v1"
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
POSTGRES_URL = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
HTML = {"Accept": "text/html"}
# The revocation must be honoured once every cached credential has expired, plus the time a
# request takes on this busy machine.
REVOCATION_BOUND = CREDENTIAL_TTL + 1.5
CLIENTS, REQUESTS = 12, 120


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("LOTLINE_TEST_POSTGRES_URL is not set: several servers need PostgreSQL")
    schema = f"lotline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    ok(make_cli(url)("orgs", "create", "Acme", "--admin", "alice", "--password", PASSWORD))
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def serve(url: str, *extra: str) -> tuple[Process, str]:
    port = free_port()
    process = Process(["--database-url", url, "serve", "--port", str(port), *extra],
                      env=clean_env())
    base = f"http://127.0.0.1:{port}"
    process.wait_until_healthy(base)
    return process, base


@pytest.fixture(scope="module")
def two_servers(pg_url: str) -> Iterator[tuple[str, str]]:
    first, a = serve(pg_url, "--no-worker")
    second, b = serve(pg_url, "--no-worker")
    yield a, b
    assert (first.stop(), second.stop()) == (0, 0)


def token_of(base: str, username: str = "alice") -> str:
    response = httpx.post(f"{base}{API}/auth/token", timeout=30,
                          json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def web_login(login_on: str, post_on: str) -> httpx.Cookies:
    """The login form read from one server and posted to the other: the session's cookies."""
    page = httpx.get(f"{login_on}/login", headers=HTML, timeout=30)
    found = CSRF.search(page.text)
    assert found is not None
    response = httpx.post(f"{post_on}/login", headers=HTML, cookies=page.cookies, timeout=30,
                          data={"username": "alice", "password": PASSWORD,
                                "csrf_token": found.group(1)})
    assert (response.status_code, response.headers["location"]) == (303, "/"), response.text
    assert response.cookies.get("lotline_session", "").startswith("llt_")
    return response.cookies


def refused_after(check: httpx.Client, base: str, headers: dict[str, str],
                  path: str = f"{API}/products") -> float:
    """Seconds until `base` answers 401 to a request with `headers` (fails past the bound)."""
    started = time.monotonic()
    while time.monotonic() - started < REVOCATION_BOUND + 5:
        if check.get(f"{base}{path}", headers=headers).status_code == 401:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{base} still accepts the revoked credential")


def test_a_web_login_and_its_session_work_on_either_server(two_servers: tuple[str, str]
                                                           ) -> None:
    a, b = two_servers
    cookies = web_login(a, b)
    for base in (a, b):
        home = httpx.get(f"{base}/", headers=HTML, cookies=cookies, timeout=30)
        assert home.status_code == 200 and "alice" in home.text
    csrf = CSRF.search(httpx.get(f"{a}/products/new", headers=HTML, cookies=cookies,
                                 timeout=30).text)
    assert csrf is not None  # a form read on one server is posted to the other
    sku = f"WEB-{uuid.uuid4().hex[:6]}"
    saved = httpx.post(f"{b}/products/new", headers=HTML, cookies=cookies, timeout=30,
                       data={"csrf_token": csrf.group(1), "sku": sku, "name": "Web made",
                             "tracking": "lot", "uom": "EA", "removal_strategy": "fefo"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"/products?saved={sku}")


def test_a_kept_page_is_shown_once_by_the_other_server(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    cookies = web_login(a, a)
    form = httpx.get(f"{a}/products/new", headers=HTML, cookies=cookies, timeout=30)
    csrf = CSRF.search(form.text)
    assert csrf is not None
    posted = httpx.post(f"{a}/products/new", cookies=cookies, timeout=30,
                        headers={**HTML, "Referer": f"{a}/products/new"},
                        data={"csrf_token": csrf.group(1), "sku": "", "name": "",
                              "tracking": "lot"})
    assert (posted.status_code, posted.headers["location"]) == (303, "/products/new")
    kept_cookie = posted.cookies.get("lotline_replay")
    assert kept_cookie
    both = httpx.Cookies(cookies)
    both.set("lotline_replay", kept_cookie)
    shown = httpx.get(f"{b}/products/new", headers=HTML, cookies=both, timeout=30)
    assert shown.status_code == 422 and 'aria-invalid="true"' in shown.text
    again = httpx.get(f"{a}/products/new", headers=HTML, cookies=both, timeout=30)
    assert again.status_code == 200 and 'aria-invalid="true"' not in again.text
    stranger = web_login(b, b)  # another session never sees it, even with the key
    stranger.set("lotline_replay", kept_cookie)
    assert httpx.get(f"{b}/products/new", headers=HTML, cookies=stranger,
                     timeout=30).status_code == 200


def test_an_idempotent_retry_on_the_other_server_replays_the_answer(
        two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    token = token_of(a)
    key = {"Idempotency-Key": f"retry-{uuid.uuid4().hex}"}
    body = {"sku": f"IDEM-{uuid.uuid4().hex[:6]}", "name": "Once", "tracking": "lot"}
    first = httpx.post(f"{a}{API}/products", json=body, timeout=30,
                       headers={**bearer(token), **key})
    retried = httpx.post(f"{b}{API}/products", json=body, timeout=30,
                         headers={**bearer(token), **key})
    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json()
    assert retried.headers["idempotent-replayed"] == "true"
    other = httpx.post(f"{b}{API}/products", json={**body, "name": "Other"}, timeout=30,
                       headers={**bearer(token), **key})
    assert other.status_code == 422
    listed = httpx.get(f"{a}{API}/products", params={"limit": 500}, headers=bearer(token),
                       timeout=30).json()["items"]
    assert [p["sku"] for p in listed].count(body["sku"]) == 1


def test_failed_logins_on_both_servers_count_together(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    name = f"bob{uuid.uuid4().hex[:6]}"
    made = httpx.post(f"{a}{API}/users", headers=bearer(token_of(a)), timeout=30,
                      json={"username": name, "password": PASSWORD, "role": "viewer"})
    assert made.status_code == 201, made.text
    answers = [httpx.post(f"{(a, b)[i % 2]}{API}/auth/token", timeout=30,
                          json={"username": name, "password": "wrong password!"}).status_code
               for i in range(11)]
    assert answers == [401] * 10 + [429]
    assert httpx.post(f"{a}{API}/auth/token", timeout=30, json={
        "username": name, "password": PASSWORD}).status_code == 429


def test_a_revoked_key_and_a_closed_session_are_refused_by_the_other_server(
        two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    admin = bearer(token_of(a))
    made = httpx.post(f"{a}{API}/api-keys", json={"name": f"k-{uuid.uuid4().hex[:6]}"},
                      headers=admin, timeout=30)
    assert made.status_code == 201, made.text
    key = bearer(made.json()["key"])
    with httpx.Client(timeout=30) as check:
        assert check.get(f"{b}{API}/products", headers=key).status_code == 200  # cached on b
        revoked = check.post(f"{a}{API}/api-keys/{made.json()['id']}/revoke", headers=admin)
        assert revoked.status_code == 200
        assert check.get(f"{a}{API}/products", headers=key).status_code == 401  # at once
        assert refused_after(check, b, key) <= REVOCATION_BOUND
        cookies = web_login(a, a)
        assert httpx.get(f"{b}/", headers=HTML, cookies=cookies).status_code == 200
        csrf = CSRF.search(httpx.get(f"{a}/", headers=HTML, cookies=cookies).text)
        assert csrf is not None
        out = httpx.post(f"{a}/logout", headers=HTML, cookies=cookies,
                         data={"csrf_token": csrf.group(1)})
        assert out.status_code == 303
        session = {"Cookie": f"lotline_session={cookies['lotline_session']}", **HTML}
        started = time.monotonic()
        while check.get(f"{b}/", headers=session).headers.get("location") != "/login?next=/":
            assert time.monotonic() - started <= REVOCATION_BOUND, "session still open on b"
            time.sleep(0.05)


def test_two_workers_of_one_server_answer_alike(pg_url: str) -> None:
    process, base = serve(pg_url, "--workers", "2")
    try:
        token = token_of(base)
        key = {"Idempotency-Key": f"w2-{uuid.uuid4().hex}"}
        body = {"sku": f"W2-{uuid.uuid4().hex[:6]}", "name": "Twice", "tracking": "lot"}
        answers: dict[str, tuple[int, str]] = {}

        def post(n: int) -> None:  # a new connection each: the kernel gives it to a worker
            request_id = f"w2-{n}-{uuid.uuid4().hex[:8]}"
            response = httpx.post(f"{base}{API}/products", json=body, timeout=60, headers={
                **bearer(token), **key, "X-Request-ID": request_id})
            answers[request_id] = (response.status_code, response.text)

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:  # at once: one worker is busy
            list(pool.map(post, range(REQUESTS)))
        assert {status for status, _ in answers.values()} == {201}
        assert len({text for _, text in answers.values()}) == 1
        time.sleep(0.5)  # the access log lines of the last requests
    finally:
        assert process.stop() == 0
    pids = {entry["pid"] for entry in (json.loads(line) for line in process.stderr
                                       if line.startswith("{"))
            if entry.get("request_id") in answers}
    assert len(pids) == 2, f"one worker answered everything: {pids}"
