"""Shared fixtures. Integration tests run once per database: SQLite always, PostgreSQL when
LOTLINE_TEST_POSTGRES_URL is set. Each run gets its own SQLite file and its own PostgreSQL
schema (dropped at the end), and each test its own organization, so no test or run ever sees
another's rows."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text

import lotline
from lotline.adapters.db import make_engine
from lotline.adapters.migrate import upgrade
from lotline.bootstrap import Services

POSTGRES_URL = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
# Checkpoints sign with a key file: never the developer's own (~/.local/share/lotline), also
# for the `lotline` processes tests start (they inherit this environment).
os.environ["LOTLINE_LEDGER_KEY_FILE"] = str(
    Path(tempfile.mkdtemp(prefix="lotline-test-key-")) / "ledger-ed25519.key")
SHARED = Path(__file__).resolve().parents[2] / "shared"
BACKENDS = ["sqlite", "postgresql"]


def postgres_schema_url(base_url: str, schema: str) -> str:
    # The run's own schema only: with `public` on the path, a stray lotline schema there
    # (someone's create_services on the bare database) would be found instead of migrating.
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


class Database:
    """One test database (a SQLite file or a PostgreSQL schema), migrated to head."""

    def __init__(self, backend: str, url: str, admin_engine: Engine | None = None,
                 schema: str | None = None) -> None:
        self.backend = backend
        self.url = url
        self.engine = make_engine(url)
        self.admin_engine = admin_engine
        self.schema = schema

    def services(self, **kwargs: object) -> Services:
        name = f"test-{uuid.uuid4().hex[:12]}"
        return lotline.create_services(organization=name, engine=self.engine, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.engine.dispose()
        if self.admin_engine is not None and self.schema is not None:
            with self.admin_engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            self.admin_engine.dispose()


def new_database(backend: str, tmp_dir: Path, revision: str = "head") -> Database:
    """A database of its own, migrated to `revision` (a data migration's test starts before
    it)."""
    if backend == "sqlite":
        database = Database("sqlite", f"sqlite:///{tmp_dir / f'lotline-{uuid.uuid4().hex}.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("LOTLINE_TEST_POSTGRES_URL is not set: PostgreSQL suite not run")
        schema = f"lotline_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = Database("postgresql", postgres_schema_url(POSTGRES_URL, schema), admin,
                            schema)
    upgrade(database.engine, revision)
    return database


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = new_database(request.param, tmp_path_factory.mktemp(request.param))
    yield db
    db.close()


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database of its own, for tests that change the schema or tamper with rows."""
    db = new_database(getattr(request, "param", "sqlite"), tmp_path)
    yield db
    db.close()


@pytest.fixture
def database_at(tmp_path: Path) -> Iterator[Callable[[str, str], Database]]:
    """Databases of their own, each migrated to the revision asked (a data migration's test
    starts at the one before it): `database_at("postgresql", "0023")`."""
    made: list[Database] = []

    def make(backend: str, revision: str) -> Database:
        made.append(new_database(backend, tmp_path, revision))
        return made[-1]

    yield make
    for db in made:
        db.close()


@pytest.fixture
def svc(database: Database) -> Services:
    """Services for a new organization of its own on the current backend."""
    return database.services()


@pytest.fixture
def shared_standards() -> Path:
    return SHARED / "standards"


def pytest_report_header(config: pytest.Config) -> str:
    postgres = "postgresql (LOTLINE_TEST_POSTGRES_URL)" if POSTGRES_URL else \
        "postgresql NOT RUN (LOTLINE_TEST_POSTGRES_URL is not set)"
    return f"lotline database backends: sqlite, {postgres}"


def _backend_of(nodeid: str) -> str | None:
    parameters = nodeid.rpartition("[")[2].rstrip("]").split("-") if "[" in nodeid else []
    return next((name for name in BACKENDS if name in parameters), None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The CI log has to show that both database suites really ran, not only that pytest passed.
    passed_per_backend = dict.fromkeys(BACKENDS, 0)
    for report in terminalreporter.stats.get("passed", []):
        backend = _backend_of(report.nodeid)
        if backend is not None and report.when == "call":
            passed_per_backend[backend] += 1
    counts = ", ".join(f"{name} {count}" for name, count in passed_per_backend.items())
    terminalreporter.write_line(f"lotline database tests passed per backend: {counts}")
