"""Running the Alembic migrations from inside the package (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from lotline.adapters.db import WRITE_OPTION

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate to `target` in one transaction (PostgreSQL and SQLite both run DDL in one)."""
    config = alembic_config()
    with engine.connect() as connection:
        connection = connection.execution_options(**{WRITE_OPTION: True})
        with foreign_keys_checked_at_the_end(connection), connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, target)
            check_foreign_keys(connection)


@contextmanager
def foreign_keys_checked_at_the_end(connection: Connection) -> Iterator[None]:
    """SQLite rebuilds a table to change its constraints (DROP, then RENAME a copy), which
    enforced foreign keys refuse even when deferred; SQLite's own procedure turns them off,
    outside the transaction, and checks every reference before committing."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left broken references: {broken[:10]}")


def ensure_current(engine: Engine) -> None:
    """Migrate only when the database is behind, so opening services stays cheap."""
    if set(current_revisions(engine)) != set(head_revisions()):
        upgrade(engine)
