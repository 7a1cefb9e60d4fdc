"""Status columns hold only the declared statuses (migration 0010's CHECK constraints, made
from domain.vocabularies), and SQLite's table rebuild keeps the data, the search index and the
ledger's append-only triggers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from lotline.adapters import tables as t
from lotline.adapters.migrate import (
    alembic_config,
    check_foreign_keys,
    current_revisions,
    foreign_keys_checked_at_the_end,
    head_revisions,
    upgrade,
)
from lotline.bootstrap import Services
from lotline.domain.ids import new_id
from lotline.domain.vocabularies import VOCABULARIES
from support import Kit

# The revision before this one (the history is re-chained when branches merge).
BEFORE_CHECKS = str(ScriptDirectory.from_config(alembic_config()).get_revision("0010")
                    .down_revision)


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


def _row(engine: Engine, table: t.Table, **where: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        statement = select(table).where(*(table.c[k] == v for k, v in where.items()))
        return dict(conn.execute(statement.limit(1)).mappings().one())


def _rows_to_insert(svc: Services, kit: Kit) -> dict[str, tuple[t.Table, dict[str, Any], str]]:
    """A row of each table with a status column, copied from a real one: (table, values, the
    column to spoil)."""
    product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    order = kit.order(product)
    receipt = svc.receipts.create_receipt(reference="ASN-1", supplier_id=kit.supplier().id,
                                          lines=[{"product_id": product.id,
                                                  "expected_quantity": 1}])
    engine = svc.engine
    serial_row = _row(engine, t.serials, id=serial.id)
    movement = _row(engine, t.movements, product_id=product.id)
    count = _row(engine, t.serial_status_counts, product_id=product.id)
    return {
        "serials": (t.serials, {**serial_row, "id": new_id(), "serial_number": "SN-2"},
                    "status"),
        "serial_status_counts": (t.serial_status_counts,
                                 {**count, "product_id": kit.product("serial").id}, "status"),
        "movements from": (t.movements, {**movement, "id": new_id(), "seq": 999,
                                          "from_status": "IN_STOCK"}, "from_status"),
        "movements to": (t.movements, {**movement, "id": new_id(), "seq": 999,
                                        "to_status": "IN_STOCK"}, "to_status"),
        "orders": (t.orders, {**_row(engine, t.orders, id=order.id), "id": new_id(),
                              "reference": "SO-X"}, "status"),
        "receipts": (t.receipts, {**_row(engine, t.receipts, id=receipt.id), "id": new_id(),
                                  "reference": "ASN-X"}, "status"),
    }


def test_a_status_nobody_declared_cannot_be_stored(svc: Services, kit: Kit) -> None:
    for name, (table, values, column) in _rows_to_insert(svc, kit).items():
        with rolled_back(svc.engine) as conn:  # the row itself is fine ...
            conn.execute(insert(table).values(values))
        with rolled_back(svc.engine) as conn, pytest.raises(IntegrityError) as caught:
            conn.execute(insert(table).values({**values, column: "LOST"}))
        assert f"ck_{table.name}_{column}" in str(caught.value) or (
            "CHECK constraint failed" in str(caught.value)), name


def test_a_stored_status_cannot_be_changed_to_an_undeclared_one(svc: Services,
                                                                kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    with rolled_back(svc.engine) as conn, pytest.raises(IntegrityError):
        conn.execute(update(t.serials).where(t.serials.c.id == serial.id)
                     .values(status="in_stock"))
    assert svc.serials.get(serial.id).status.value == "IN_STOCK"


def test_every_declared_status_can_be_stored(svc: Services, kit: Kit) -> None:
    rows = _rows_to_insert(svc, kit)
    vocabulary = {"serials": "serial", "serial_status_counts": "serial",
                  "movements from": "serial", "movements to": "serial", "orders": "order",
                  "receipts": "receipt"}
    for name, (table, values, column) in rows.items():
        for status in VOCABULARIES[vocabulary[name]]:
            with rolled_back(svc.engine) as conn:
                conn.execute(insert(table).values({**values, column: status}))


def _downgrade(engine: Engine, target: str) -> None:
    config = alembic_config()
    with engine.connect() as connection, foreign_keys_checked_at_the_end(connection), \
            connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, target)
        check_foreign_keys(connection)


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_the_rebuild_keeps_rows_search_and_the_append_only_ledger(fresh_database: Any) -> None:
    svc = fresh_database.services()
    kit = Kit(svc)
    _product, batch = kit.serial_lot()
    svc.serials.register_many(["AB-1", "AB-2", "CD-3"], batch_id=batch.id)
    svc.serials.change_status(svc.serials.lookup("AB-2").id, "SCRAPPED", reason="dropped")
    engine = fresh_database.engine
    _downgrade(engine, BEFORE_CHECKS)
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()
    assert [s.serial_number for s in svc.serials.search(q="AB").items] == ["AB-1", "AB-2"]
    assert svc.serials.counts()["SCRAPPED"] == 1
    assert [m.reason for m in kit.movements() if m.reason] == ["dropped"]
    with rolled_back(engine) as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(update(t.movements).values(reason="rewritten"))
    with rolled_back(engine) as conn, pytest.raises(IntegrityError):
        conn.execute(text("DELETE FROM batches"))  # references are enforced again
    assert kit.chain_problems() == []


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_a_stored_undeclared_status_stops_the_migration(fresh_database: Any) -> None:
    svc = fresh_database.services()
    _product, batch = Kit(svc).serial_lot()
    svc.serials.register("SN-1", batch_id=batch.id)
    engine = fresh_database.engine
    _downgrade(engine, BEFORE_CHECKS)
    with engine.begin() as conn:
        conn.execute(update(t.serials).values(status="LOST"))
    with pytest.raises(IntegrityError):
        upgrade(engine)
    assert current_revisions(engine) == (BEFORE_CHECKS,)
