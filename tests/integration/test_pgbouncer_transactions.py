"""lotline behind pgbouncer in transaction pooling mode (issue 18): the library's flows on an
engine made with LOTLINE_DATABASE_PGBOUNCER=1, through a private pgbouncer whose server
sessions are handed out round robin (tests/pgbouncer_kit.py), so anything lotline left on a
session between two transactions would be missed by the next one.

The module's `database` replaces the suite's for the tests below and those imported from
other modules: receiving, allocation, picking, shipping and returns with the ledger verified,
serial registration and lookups (autocommit reads), the events feed's commit-order cursor
under concurrent writers and an open older transaction, a serial import (a TEMP table, which
behind pgbouncer lives in the import's one transaction), and the settings cache. Without the
setting, psycopg's server-side prepared statements break, which the first test shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.errors import InvalidSqlStatementName
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from test_allocation_flows import *  # noqa: F403  (the module's tests run here too)
from test_event_feed import (
    test_an_event_committed_before_an_older_open_transaction_waits_for_it as _older_open,
)
from test_event_feed import (
    test_concurrent_writers_are_read_exactly_once_in_commit_order as _concurrent_writers,
)
from test_exchange_import import *  # noqa: F403
from test_shipping_returns import *  # noqa: F403

from lotline.adapters.db import make_engine
from lotline.bootstrap import Services
from pgbouncer_kit import BouncedDatabase, bounced_database

test_events_feed_concurrent_writers_through_pgbouncer = _concurrent_writers
test_events_feed_waits_for_an_older_open_transaction_through_pgbouncer = _older_open
EXECUTIONS = 40


@pytest.fixture(scope="module")
def database() -> Iterator[BouncedDatabase]:
    yield from bounced_database()


def test_psycopg_prepared_statements_break_without_the_setting(database: BouncedDatabase
                                                                ) -> None:
    """The control: psycopg prepares a statement on the server after 5 executions; the next
    transaction runs on another session, which never saw it. With the setting, none."""
    plain = make_engine(database.url)
    failures: list[str] = []
    try:
        for _ in range(EXECUTIONS):
            try:
                with plain.begin() as conn:
                    conn.execute(text("SELECT count(*) FROM organizations"))
            except DBAPIError as error:
                failures.append(f"{type(error.orig).__name__}: {error.orig}")
    finally:
        plain.dispose()
    assert failures, "no statement was lost: is pgbouncer really in transaction mode?"
    assert all(f.startswith(f"{InvalidSqlStatementName.__name__}: prepared statement ")
               and f.endswith(" does not exist") for f in failures), failures
    for _ in range(EXECUTIONS):
        with database.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM organizations")).scalar_one() >= 0


def test_the_settings_are_read_and_written_through_pgbouncer(svc: Services) -> None:
    svc.settings.update(timezone="Europe/Lisbon")
    assert svc.settings.get().timezone == "Europe/Lisbon"
