"""Reads that may lag on a hot standby, writes on the primary, read-your-writes by the
consistency token (DESIGN §9), on the run's own primary/standby pair (replica_pair.py).

The standby's lag is made on purpose: `pg_wal_replay_pause()` stops it applying what the
primary sends, so a read it serves cannot see a row written since, while a read carrying the
writer's token must."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from replica_pair import Pair, wait_until
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from lotline.bootstrap import Services, create_services, engine_for
from lotline.entrypoints.api.app import create_app
from lotline.entrypoints.cli import app as cli
from lotline.service_layer.consistency import ReadSession, valid_token

TOKEN = "LOTLINE-Consistency-Token"
PASSWORD = "replica-password-1"


class Statements:
    """Which engine ran which SQL statement (lotline's own statements through SQLAlchemy)."""

    def __init__(self, **engines: Engine) -> None:
        self.seen: list[tuple[str, str]] = []
        for name, engine in engines.items():
            event.listen(engine, "before_cursor_execute", self._recorder(name))

    def _recorder(self, name: str) -> Any:
        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            self.seen.append((name, " ".join(statement.split())))
        return record

    def on(self, name: str, fragment: str) -> int:
        return sum(1 for engine, sql in self.seen if engine == name and fragment in sql)

    def clear(self) -> None:
        self.seen.clear()


@pytest.fixture(scope="module")
def engines(pg_pair: Pair) -> Iterator[tuple[Engine, Engine]]:
    primary, standby = engine_for(pg_pair.primary_url), engine_for(pg_pair.standby_url)
    try:
        yield primary, standby
    finally:
        primary.dispose()
        standby.dispose()


@pytest.fixture(scope="module")
def statements(engines: tuple[Engine, Engine]) -> Statements:
    return Statements(primary=engines[0], standby=engines[1])


def _sql(pair: Pair, port: int, statement: str) -> Any:
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        row = conn.execute(statement).fetchone()
    return None if row is None else row[0]


def caught_up(pair: Pair) -> None:
    """Wait until the standby has replayed everything the primary has written."""
    target = _sql(pair, pair.primary_port, "SELECT pg_current_wal_lsn()::text")
    wait_until(lambda: bool(_sql(pair, pair.standby_port,
                                 f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")))


@contextmanager
def replay_paused(pair: Pair) -> Iterator[None]:
    caught_up(pair)
    _sql(pair, pair.standby_port, "SELECT pg_wal_replay_pause()")
    wait_until(lambda: _sql(pair, pair.standby_port,
                            "SELECT pg_get_wal_replay_pause_state()") == "paused")
    try:
        yield
    finally:
        _sql(pair, pair.standby_port, "SELECT pg_wal_replay_resume()")


@pytest.fixture
def svc(engines: tuple[Engine, Engine], pg_pair: Pair) -> Services:
    primary, standby = engines
    services = create_services(engine=primary, read_engine=standby,
                               organization=f"replica-{uuid.uuid4().hex[:8]}")
    caught_up(pg_pair)
    return services


def another_client(svc: Services, token: str | None = None) -> Services:
    """The same organization through a services object with a read session of its own."""
    return Services(svc.engine, svc.actor, read_engine=svc.read_engine,
                    read_session=ReadSession(token))


def skus(services: Services, sku: str) -> list[str]:
    return [product.sku for product in services.products.list(q=sku).items]


def test_the_standby_is_a_hot_standby(pg_pair: Pair) -> None:
    assert _sql(pg_pair, pg_pair.standby_port, "SELECT pg_is_in_recovery()") is True
    assert _sql(pg_pair, pg_pair.primary_port, "SELECT pg_is_in_recovery()") is False


def test_writes_go_to_the_primary_and_lists_trace_reports_to_the_standby(
        svc: Services, statements: Statements) -> None:
    statements.clear()
    product = svc.products.create_product(sku="R-LOT", name="Replica lot", tracking="lot")
    lot = svc.batches.create(product_id=product.id, batch_number="L-1", quantity=5)
    assert statements.on("primary", "INSERT INTO products") == 1
    assert statements.on("primary", "INSERT INTO batches") == 1
    assert statements.on("standby", "INSERT") == 0

    statements.clear()
    assert skus(svc, "R-LOT") == ["R-LOT"]
    assert svc.trace.forward(lot.id).lot.batch_id == lot.id
    rows = svc.reports.lot_inventory().rows
    assert [row["batch_number"] for row in rows] == ["L-1"]
    assert statements.on("standby", "FROM products") >= 1
    assert statements.on("standby", "FROM batches") >= 2
    assert statements.on("primary", "FROM products") == 0
    assert statements.on("primary", "FROM batches") == 0

    statements.clear()  # a read that decides nothing lagging-safe stays on the primary: get
    assert svc.products.get(product.id).sku == "R-LOT"
    assert statements.on("primary", "FROM products") == 1
    assert statements.on("standby", "FROM products") == 0


def test_the_library_reads_its_own_writes_while_the_standby_lags(
        svc: Services, pg_pair: Pair, statements: Statements) -> None:
    other = another_client(svc)
    with replay_paused(pg_pair):
        svc.products.create_product(sku="R-OWN", name="Own write", tracking="none")
        statements.clear()
        assert skus(other, "R-OWN") == []  # the lagging standby served the other client
        assert statements.on("standby", "FROM products") == 1
        started = time.monotonic()
        assert skus(svc, "R-OWN") == ["R-OWN"]  # the writer: waited, then the primary
        assert time.monotonic() - started >= 0.2
        assert statements.on("primary", "FROM products") == 1
        token = svc.consistency_token()
        assert token is not None and valid_token(token)
        assert skus(another_client(svc, token), "R-OWN") == ["R-OWN"]  # token handed over
    caught_up(pg_pair)
    statements.clear()
    assert skus(svc, "R-OWN") == ["R-OWN"]  # caught up: the standby serves the writer again
    assert skus(other, "R-OWN") == ["R-OWN"]
    assert statements.on("standby", "FROM products") == 2
    assert statements.on("primary", "FROM products") == 0


@pytest.fixture
def api(svc: Services, engines: tuple[Engine, Engine], pg_pair: Pair) -> Iterator[TestClient]:
    name = f"replica-{uuid.uuid4().hex[:8]}"
    svc.users.create_user(username=name, password=PASSWORD, role="manager")
    key = svc.users.create_api_key(username=name, name="replica tests")
    caught_up(pg_pair)
    app = create_app(engine=engines[0], read_engine=engines[1])
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def listed(client: TestClient, sku: str, **headers: str) -> list[str]:
    answer = client.get("/api/v1/products", params={"q": sku}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["sku"] for item in answer.json()["items"]]


def test_http_a_request_carrying_the_token_sees_the_write(
        api: TestClient, pg_pair: Pair) -> None:
    with replay_paused(pg_pair):
        created = api.post("/api/v1/products",
                           json={"sku": "R-HTTP", "name": "Via HTTP", "tracking": "none"})
        assert created.status_code == 201, created.text
        token = created.headers[TOKEN]
        assert valid_token(token)
        assert "set-cookie" not in created.headers  # not a browser: no cookie
        assert listed(api, "R-HTTP") == []  # no token: the lagging standby
        assert listed(api, "R-HTTP", **{TOKEN: token}) == ["R-HTTP"]
        assert TOKEN not in api.get("/api/v1/products").headers  # a read: nothing to carry
    caught_up(pg_pair)
    assert listed(api, "R-HTTP") == ["R-HTTP"]


def test_http_an_idempotent_write_answers_its_token_after_its_commit(
        api: TestClient, pg_pair: Pair) -> None:
    with replay_paused(pg_pair):
        created = api.post("/api/v1/products", headers={"Idempotency-Key": "replica-1"},
                           json={"sku": "R-IDEM", "name": "Once", "tracking": "none"})
        assert created.status_code == 201, created.text
        token = created.headers[TOKEN]
        assert listed(api, "R-IDEM") == []
        assert listed(api, "R-IDEM", **{TOKEN: token}) == ["R-IDEM"]
        # The retry (its client never heard the first answer) is replayed, and carries a
        # token too: without it the client's next read may miss its own write.
        replayed = api.post("/api/v1/products", headers={"Idempotency-Key": "replica-1"},
                            json={"sku": "R-IDEM", "name": "Once", "tracking": "none"})
        assert (replayed.status_code, replayed.headers["idempotent-replayed"]) == (201, "true")
        assert replayed.json() == created.json()
        assert listed(api, "R-IDEM", **{TOKEN: replayed.headers[TOKEN]}) == ["R-IDEM"]


def test_web_a_browser_carries_the_token_in_a_cookie(api: TestClient, pg_pair: Pair) -> None:
    with replay_paused(pg_pair):
        created = api.post("/api/v1/products", headers={"Cookie": "lotline_session=x"},
                           json={"sku": "R-WEB", "name": "Via a page", "tracking": "none"})
        assert created.status_code == 201, created.text
        token = created.headers[TOKEN]
        assert created.headers["set-cookie"] == (
            f"lotline_consistency={token}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax")
        assert listed(api, "R-WEB", Cookie="lotline_session=x") == []
        assert listed(api, "R-WEB", Cookie=f"lotline_consistency={token}") == ["R-WEB"]


def test_http_a_malformed_token_is_a_422_naming_the_header(api: TestClient) -> None:
    answer = api.get("/api/v1/products", headers={TOKEN: "yesterday"})
    assert answer.status_code == 422
    body = answer.json()
    assert (body["code"], body["errors"][0]["field"]) == ("validation_error", TOKEN)


def test_a_read_cut_off_on_the_standby_sends_the_next_reads_to_the_primary(
        svc: Services, pg_pair: Pair, statements: Statements) -> None:
    svc.products.create_product(sku="R-CUT", name="Cut off", tracking="none")
    caught_up(pg_pair)

    def read_cut_off() -> None:
        with svc.uows(svc.actor, write=False, may_lag=True) as uow:
            pid = uow.conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            assert uow.conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True
            _sql(pg_pair, pg_pair.standby_port, f"SELECT pg_terminate_backend({pid})")
            uow.conn.execute(text("SELECT 1"))

    with pytest.raises(DBAPIError, match="terminating connection"):
        read_cut_off()
    statements.clear()
    assert skus(svc, "R-CUT") == ["R-CUT"]
    assert (statements.on("primary", "FROM products"),
            statements.on("standby", "FROM products")) == (1, 0)


def test_a_standby_that_is_down_sends_reads_to_the_primary(
        svc: Services, api: TestClient, pg_pair: Pair, statements: Statements) -> None:
    svc.products.create_product(sku="R-DOWN", name="Standby down", tracking="none")
    caught_up(pg_pair)
    assert skus(svc, "R-DOWN") == ["R-DOWN"]  # the pool now holds standby connections
    pg_pair.stop_standby()
    try:
        statements.clear()
        assert skus(svc, "R-DOWN") == ["R-DOWN"]
        assert listed(api, "R-DOWN") == ["R-DOWN"]
        assert statements.on("primary", "FROM products") == 2
    finally:
        pg_pair.start_standby()
    caught_up(pg_pair)
    time.sleep(2.1)  # adapters/replica.DOWN_SECONDS: the standby is tried again after it
    statements.clear()
    assert skus(svc, "R-DOWN") == ["R-DOWN"]
    assert statements.on("standby", "FROM products") == 1


def test_cli_commands_see_the_writes_of_the_commands_before_them(pg_pair: Pair) -> None:
    """Each command is a library client whose session starts at the primary's position when
    it opens: it reads everything committed before it, however far the standby lags."""
    runner = CliRunner(env={"COLUMNS": "200", "LOTLINE_DATABASE_URL": pg_pair.primary_url,
                            "LOTLINE_DATABASE_READ_URL": pg_pair.standby_url})
    org = ["--organization", f"cli-{uuid.uuid4().hex[:8]}"]
    with replay_paused(pg_pair):
        added = runner.invoke(cli, [*org, "products", "add", "R-CLI", "Via the CLI"])
        assert added.exit_code == 0, added.output
        shown = runner.invoke(cli, [*org, "products", "list", "--q", "R-CLI", "--format", "json"])
        assert shown.exit_code == 0, shown.output
        assert [row["sku"] for row in json.loads(shown.stdout)] == ["R-CLI"]


def _web_login(client: TestClient, username: str) -> str:
    """Sign in through the login form; the session's CSRF token."""
    page = client.get("/login")
    signed = client.post("/login", data={"username": username, "password": PASSWORD,
                                         "csrf_token": _csrf(page.text)})
    assert signed.status_code == 303, signed.text
    return _csrf(client.get("/").text)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no csrf_token in the page"
    return found.group(1)


def test_web_the_page_after_a_form_shows_the_change(
        engines: tuple[Engine, Engine], pg_pair: Pair) -> None:
    app = create_app(engine=engines[0], read_engine=engines[1])
    tag = uuid.uuid4().hex[:8]
    app.state.identity.create_organization(f"web-{tag}", admin_username=f"web-{tag}",
                                           admin_password=PASSWORD)
    with TestClient(app, follow_redirects=False) as writer, \
            TestClient(app, follow_redirects=False) as other:
        token = _web_login(writer, f"web-{tag}")
        _web_login(other, f"web-{tag}")
        caught_up(pg_pair)
        with replay_paused(pg_pair):
            saved = writer.post("/products/new", data={
                "csrf_token": token, "sku": f"R-PAGE-{tag}", "name": "Via a form",
                "tracking": "none", "gtin": "", "uom": "EA", "removal_strategy": "fefo",
                "shelf_life_days": "", "expiry_alert_days": "", "serial_pattern": ""})
            assert saved.status_code == 303, saved.text
            assert writer.cookies.get("lotline_consistency") == saved.headers[TOKEN]
            row = f'class="row-link">R-PAGE-{tag}</a>'  # the list's row (not the search box)
            assert row in writer.get(saved.headers["location"]).text
            assert row not in other.get(f"/products?q=R-PAGE-{tag}").text
        caught_up(pg_pair)
        assert row in other.get(f"/products?q=R-PAGE-{tag}").text
