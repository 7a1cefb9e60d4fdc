"""Alembic environment. Runs against the connection lotline hands it, or the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from lotline.adapters.db import WRITE_OPTION, make_engine
from lotline.adapters.migrate import check_foreign_keys, foreign_keys_checked_at_the_end
from lotline.adapters.tables import metadata
from lotline.config import database_url_from_env

config = context.config


def _include_object(obj: object, name: str | None, type_: str, reflected: bool,
                    compare_to: object) -> bool:
    # Search indexes made with raw DDL (FTS5 tables, the pg_trgm index) are not in metadata.
    return not (name or "").startswith(("serials_fts", "ix_serials_serial_number_trgm"))


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True, include_object=_include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or database_url_from_env()
    engine = make_engine(url)
    with engine.connect() as new_connection, foreign_keys_checked_at_the_end(new_connection):
        _run(new_connection.execution_options(**{WRITE_OPTION: True}))
        check_foreign_keys(new_connection)
        new_connection.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("lotline migrations run online only (lotline db upgrade)")
run_migrations_online()
