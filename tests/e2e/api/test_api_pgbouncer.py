"""The HTTP API behind pgbouncer in transaction pooling mode (issue 18): the app on an engine
made with LOTLINE_DATABASE_PGBOUNCER=1, through a private pgbouncer that hands its server
sessions out round robin (tests/pgbouncer_kit.py). The tests are those of other modules,
run here on that database: idempotency keys (claims that wait on a unique index with SET
LOCAL lock_timeout, concurrent requests with one key), the events feed, the serial lookup's
autocommit reads, credentials and their revocation, and the warehouse flows end to end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_kit import fixed_clock
from fastapi import FastAPI
from test_api_credentials import *  # noqa: F403  (the module's tests run here too)
from test_api_events import *  # noqa: F403
from test_api_fast_lookup import *  # noqa: F403
from test_api_flows import test_asn_to_return_end_to_end as _asn_to_return
from test_api_flows import (
    test_lot_quantities_through_the_flow_and_stock_control as _lot_quantities,
)
from test_api_idempotency import *  # noqa: F403

from lotline.entrypoints.api.app import create_app
from pgbouncer_kit import BouncedDatabase, bounced_database

test_asn_to_return_end_to_end = _asn_to_return
test_lot_quantities_through_the_flow_and_stock_control = _lot_quantities


@pytest.fixture(scope="module")
def database() -> Iterator[BouncedDatabase]:
    yield from bounced_database()


@pytest.fixture(scope="module")
def app(database: BouncedDatabase) -> FastAPI:
    return create_app(engine=database.engine, clock=fixed_clock())
