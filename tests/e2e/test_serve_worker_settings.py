"""`lotline serve --workers N` and the connection pool settings (issue 18): what is refused,
and how; what a good setting does to the engine; the background jobs never run in an app."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from cli_kit import ENV, make_cli
from typer.testing import CliRunner

from lotline.bootstrap import engine_for
from lotline.config import PoolSettings, SettingError, pool_settings
from lotline.entrypoints.api.app import create_app
from lotline.entrypoints.cli import app


def test_several_workers_on_an_in_memory_database_are_refused() -> None:
    result = make_cli("sqlite://")("serve", "--workers", "2")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "--workers" in result.stderr and "in-memory SQLite database" in result.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("LOTLINE_DB_POOL_SIZE", "zero", "'zero' is not a whole number from 1 to 1000"),
    ("LOTLINE_DB_POOL_SIZE", "0", "'0' is not a whole number from 1 to 1000"),
    ("LOTLINE_DB_MAX_OVERFLOW", "-1", "'-1' is not a whole number from 0 to 1000"),
    ("LOTLINE_DB_POOL_TIMEOUT", "1.5", "'1.5' is not a whole number from 1 to 3600"),
    ("LOTLINE_DB_POOL_RECYCLE", "-2", "'-2' is not a whole number from -1 to 86400"),
    ("LOTLINE_DATABASE_PGBOUNCER", "maybe", "'maybe' is not 1 or 0"),
])
def test_a_bad_pool_setting_is_one_line_naming_it(tmp_path: Path, name: str, value: str,
                                                  message: str) -> None:
    result = CliRunner(env={**ENV, name: value}).invoke(
        app, ["--database-url", f"sqlite:///{tmp_path / 'x.db'}", "serve"])
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr == f"error: invalid_setting: {name}: {message}\n"
    assert result.stdout == ""


def test_pool_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOTLINE_DB_POOL_SIZE", "LOTLINE_DB_MAX_OVERFLOW", "LOTLINE_DB_POOL_TIMEOUT",
                 "LOTLINE_DB_POOL_RECYCLE", "LOTLINE_DATABASE_PGBOUNCER"):
        monkeypatch.delenv(name, raising=False)
    assert pool_settings() == PoolSettings(10, 20, 30.0, -1, transaction_pooling=False)
    monkeypatch.setenv("LOTLINE_DB_POOL_SIZE", "4")
    monkeypatch.setenv("LOTLINE_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("LOTLINE_DB_POOL_TIMEOUT", "5")
    monkeypatch.setenv("LOTLINE_DB_POOL_RECYCLE", "600")
    monkeypatch.setenv("LOTLINE_DATABASE_PGBOUNCER", "1")
    assert pool_settings() == PoolSettings(4, 0, 5.0, 600, transaction_pooling=True)
    engine = engine_for("postgresql://nobody@127.0.0.1:1/none")  # never connects
    try:
        pool = engine.pool
        assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (  # type: ignore[attr-defined]
            4, 0, 5.0, 600)
        assert engine.get_execution_options()["lotline_transaction_pooling"] is True
    finally:
        engine.dispose()
    monkeypatch.setenv("LOTLINE_DB_POOL_SIZE", "")  # empty: the default
    assert pool_settings().size == 10
    monkeypatch.setenv("LOTLINE_DATABASE_PGBOUNCER", "off")
    assert pool_settings().transaction_pooling is False
    monkeypatch.setenv("LOTLINE_DB_POOL_SIZE", "1001")
    with pytest.raises(SettingError, match="LOTLINE_DB_POOL_SIZE"):
        pool_settings()


def test_an_app_starts_no_background_jobs(tmp_path: Path) -> None:
    """What each of several workers builds (the factory's app): the jobs run once, in the
    process of `lotline serve` (or a `lotline worker`), never once per worker."""
    create_app(f"sqlite:///{tmp_path / 'x.db'}")
    assert "lotline-worker" not in {thread.name for thread in threading.enumerate()}
