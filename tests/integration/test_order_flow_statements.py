"""The SQL statements one order's allocate, pick and ship issue (issue 13: the order-flow
benchmark pays per statement). Pinned exactly, so a change that adds a read fails here and says
which; the counts only go down on purpose.

SQLite statements are counted by the driver's trace callback (the unit of work runs most of
them on the raw cursor, past SQLAlchemy's events); a trigger's run shows there as a repeat of
the statement that fired it, which is folded. PostgreSQL statements all go through SQLAlchemy:
`before_cursor_execute` counts them (its BEGIN is implicit in the driver, its COMMIT is not a
statement SQLAlchemy executes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from lotline.bootstrap import Services
from support import Kit

# (step, statement kinds in order), the head of a lot's chain read on its own only on
# PostgreSQL, where the lot rows read before it are not locked.
SQLITE = {
    "allocate": ["BEGIN", "SELECT orders", "SELECT order_allocations", "SELECT batches",
                 "UPDATE lot_balances", "INSERT order_allocations", "UPDATE orders",
                 "INSERT events", "INSERT movements", "UPDATE batches", "COMMIT"],
    "pick": ["BEGIN", "SELECT orders", "SELECT order_allocations", "SELECT batches",
             "UPDATE order_allocations", "INSERT events", "INSERT movements", "UPDATE batches",
             "COMMIT"],
    "ship": ["BEGIN", "SELECT orders", "SELECT order_allocations", "SELECT batches",
             "INSERT shipments", "UPDATE lot_balances", "UPDATE order_allocations",
             "UPDATE orders", "INSERT events", "INSERT movements", "UPDATE batches", "COMMIT"],
}
POSTGRES = {
    "allocate": [kind for kind in SQLITE["allocate"] if kind not in ("BEGIN", "COMMIT")],
    "pick": [kind for kind in SQLITE["pick"] if kind not in ("BEGIN", "COMMIT")],
    "ship": [kind for kind in SQLITE["ship"] if kind not in ("BEGIN", "COMMIT")],
}
# PostgreSQL reads the chain head under a row lock before the lot's balance or ledger moves.
POSTGRES["allocate"].insert(POSTGRES["allocate"].index("UPDATE lot_balances"), "SELECT batches")
POSTGRES["pick"].insert(POSTGRES["pick"].index("INSERT events"), "SELECT batches")
POSTGRES["ship"].insert(POSTGRES["ship"].index("UPDATE lot_balances"), "SELECT batches")

# A SELECT is named by the table of its first column, the others by the table they write.
_KIND = re.compile(r"^\s*(?:(BEGIN|COMMIT)|SELECT\s+(\w+)\.|(INSERT) INTO\s+(\w+)|"
                   r"UPDATE\s+(\w+))", re.IGNORECASE)


def kind_of(sql: str) -> str:
    match = _KIND.match(sql)
    assert match is not None, sql
    begin_or_commit, selected, insert, inserted, updated = match.groups()
    if begin_or_commit:
        return begin_or_commit.upper()
    if selected:
        return f"SELECT {selected}"
    return f"INSERT {inserted}" if insert else f"UPDATE {updated}"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine's connections run inside the block, as `VERB table`."""
    seen: list[str] = []
    sqlite = engine.dialect.name == "sqlite"

    def traced(sql: str) -> None:
        if not seen or seen[-1] != sql:  # a trigger repeats the statement that fired it
            seen.append(sql)

    traced_on: list[Any] = []

    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.set_trace_callback(traced)
        traced_on.append(dbapi_connection)

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    if sqlite:
        # The units of work keep their connections between transactions (adapters/
        # kept_connections.py): let go of the kept ones, so that the block's are checked out
        # of the pool, and traced, before their first statement.
        engine.dispose()
    target, hook = (engine.pool, ("checkout", on_checkout)) if sqlite else (
        engine, ("before_cursor_execute", on_execute))
    event.listen(target, *hook)
    kinds: list[str] = []
    try:
        yield kinds
    finally:
        event.remove(target, *hook)
        for dbapi_connection in traced_on:
            dbapi_connection.set_trace_callback(None)
    kinds.extend(kind_of(sql) for sql in seen)


def test_one_order_flow_issues_the_pinned_statements(svc: Services) -> None:
    kit = Kit(svc)
    product = kit.product()
    lot = kit.lot(product, quantity=5)
    order = kit.order(product, quantity=1)
    warm = kit.order(product, quantity=1)  # caches (settings, time zone) filled beforehand
    svc.orders.allocate(warm.id)
    expected = SQLITE if svc.engine.dialect.name == "sqlite" else POSTGRES
    scan = [{"batch_id": lot.id, "quantity": 1}]
    steps = {"allocate": lambda: svc.orders.allocate(order.id),
             "pick": lambda: svc.orders.pick(order.id, scan),
             "ship": lambda: svc.orders.ship(order.id)}
    seen = {}
    for step, run in steps.items():
        with statements(svc.engine) as kinds:
            run()
        seen[step] = kinds
    assert seen == expected
    assert svc.orders.get(order.id).status == "shipped"
    assert sum(len(kinds) for kinds in seen.values()) == (
        32 if svc.engine.dialect.name == "sqlite" else 29)
