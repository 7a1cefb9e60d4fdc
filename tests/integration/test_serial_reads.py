"""The lean read path behind lookups by number (issue 3): `SerialReads` on the DBAPI
connection must give exactly what the Core repository gives, and the autocommit unit of work
and SQLite's idle read connections must leave nothing behind."""

from __future__ import annotations

import datetime as dt
import gc
import uuid
import weakref
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

import lotline
from lotline.adapters import tables as t
from lotline.adapters.db import make_engine
from lotline.adapters.idempotency import settle
from lotline.adapters.repositories.serials import SerialRepository
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork as UnitOfWork
from lotline.bootstrap import Services
from lotline.domain.errors import ValidationError
from lotline.domain.statuses import HoldKind, Role, SerialStatus
from lotline.service_layer import idempotency
from lotline.service_layer.context import Actor
from lotline.service_layer.idempotency import Claim
from support import Kit


class Boom(Exception):
    pass


def core_serials(svc: Services, number: str) -> list[object]:
    """The serials with this number as the Core repository maps them, in id order."""
    with svc.engine.connect() as conn:
        repository = SerialRepository(conn, svc.org_id)
        rows = conn.execute(repository.select().where(t.serials.c.serial_number == number)
                            .order_by(t.serials.c.id))
        return [repository.to_entity(row) for row in rows]


def test_every_column_maps_as_core_maps_it(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot()
    plain = svc.serials.register("SN-PLAIN", batch_id=batch.id)
    full = svc.serials.register("SN-FULL", batch_id=batch.id, purchase_date="2025-02-03",
                                warranty_expiry="2027-02-03", unit_cost="12.345")
    order = kit.order(product)
    with svc.engine.begin() as conn:  # the columns no registration sets
        conn.execute(update(t.serials).where(t.serials.c.id == full.id).values(
            order_id=order.id, parent_serial_id=plain.id, status="ALLOCATED",
            hold_reason="dented box", hold_kind="quarantine",
            hold_since=dt.datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC),
            updated_at=dt.datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)))
    found = svc.serials.lookup("SN-FULL")
    assert [found] == core_serials(svc, "SN-FULL")
    assert found.status is SerialStatus.ALLOCATED and found.order_id == order.id
    assert found.unit_cost == Decimal("12.345") and found.purchase_date == dt.date(2025, 2, 3)
    assert found.hold is not None and found.hold.kind is HoldKind.QUARANTINE
    assert found.hold.since == dt.datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC)
    assert found.updated_at == dt.datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    assert found.created_at == full.created_at
    assert [svc.serials.lookup("SN-PLAIN")] == core_serials(svc, "SN-PLAIN")


def test_matches_come_in_id_order_within_the_limit(svc: Services, kit: Kit) -> None:
    svc.settings.update(serial_scope="product")
    products = [kit.product("serial") for _ in range(4)]
    made = [svc.serials.register("SN-MANY", product_id=p.id) for p in reversed(products)]
    ids = sorted(s.id for s in made)
    with UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True) as uow:
        assert [s.id for s in uow.serial_reads.by_number("SN-MANY")] == ids
        assert [s.id for s in uow.serial_reads.by_number("SN-MANY", limit=2)] == ids[:2]
        assert uow.serial_reads.by_number("SN-MANY", limit=0) == []
        only = uow.serial_reads.by_number("SN-MANY", product_id=products[1].id)
        assert [s.product_id for s in only] == [products[1].id]
        assert uow.serial_reads.by_number("sn-many") == []  # exact, case-sensitive
    assert [s.id for s in core_serials(svc, "SN-MANY")] == ids  # as ORDER BY id has it


def read_own_write(svc: Services, template_id: str) -> None:
    with UnitOfWork(svc.engine, svc.actor) as uow:
        row = uow.conn.execute(select(t.serials).where(t.serials.c.id == template_id)).one()
        uow.conn.execute(insert(t.serials).values(
            {**row._asdict(), "id": "0" * 36, "serial_number": "SN-UNCOMMITTED"}))
        assert [s.id for s in uow.serials.by_number("SN-UNCOMMITTED")] == ["0" * 36]
        assert [s.id for s in uow.serial_reads.by_number("SN-UNCOMMITTED")] == ["0" * 36]
        raise Boom  # and the insert is rolled back


def test_an_autocommit_read_leaves_no_cycle_for_the_collector(svc: Services, kit: Kit) -> None:
    # One unit of work per lookup: freed by its last reference, not by gc (a cycle through
    # its serial_reads cost the server a collection every hundred lookups).
    svc.serials.register("CYCLE-1", product_id=kit.product("serial").id)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True) as uow:
            assert [s.serial_number for s in uow.serial_reads.by_number("CYCLE-1")] == [
                "CYCLE-1"]
        unit = weakref.ref(uow)
        del uow
        assert unit() is None
    finally:
        if collecting:
            gc.enable()


def test_inside_a_transaction_reads_see_its_own_writes(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    template = svc.serials.register("SN-TEMPLATE", batch_id=batch.id)
    with pytest.raises(Boom):
        read_own_write(svc, template.id)
    assert svc.batch_tracking.lookup_serial("SN-UNCOMMITTED") is None
    assert svc.batch_tracking.lookup_serial("SN-TEMPLATE") == template


def test_an_autocommit_unit_can_still_use_core(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-CORE", batch_id=batch.id)
    with UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True) as uow:
        assert uow.products.get(product.id) == svc.products.get_product(product.id)
        assert uow.serial_reads.by_number("SN-CORE") == [serial]
        assert uow.settings().serial_scope.value == "organization"
    with pytest.raises(ValueError, match="reads only"):
        UnitOfWork(svc.engine, svc.actor, write=True, autocommit=True)
    with pytest.raises(RuntimeError, match="outside"):
        _ = UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True).serial_reads


def failing_read(svc: Services) -> None:
    with UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True) as uow:
        uow.serial_reads.by_number("SN-X")
        raise Boom


def test_a_failed_read_gives_its_connection_back(svc: Services) -> None:
    for _ in range(35):  # more than the pool holds: a leaked connection would exhaust it
        with pytest.raises(Boom):
            failing_read(svc)
    assert svc.batch_tracking.lookup_serial("SN-X") is None


def test_sqlite_idle_readers_are_closed_with_the_engine(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'idle.db'}")
    svc = lotline.create_services(engine=engine)
    assert svc.batch_tracking.lookup_serial("SN-1") is None
    with UnitOfWork(engine, svc.actor, write=False, autocommit=True) as uow:
        borrowed = uow.serial_reads.connection.dbapi_connection
        assert borrowed is not None
    engine.dispose()
    with pytest.raises(Exception, match="closed"):
        borrowed.cursor()
    assert svc.batch_tracking.lookup_serial("SN-1") is None  # the engine goes on working
    engine.dispose()


def test_in_memory_sqlite_keeps_its_one_connection() -> None:
    svc = lotline.create_services("sqlite://")
    product = svc.products.create_product(sku="A", name="A", tracking="serial")
    serial = svc.serials.register("SN-MEM", product_id=product.id)
    for _ in range(3):
        assert svc.batch_tracking.lookup_serial("SN-MEM") == serial
    with svc.engine.connect() as conn:  # still the same database, not a new empty one
        assert conn.execute(select(t.serials.c.serial_number)).scalars().all() == ["SN-MEM"]
    svc.engine.dispose()


def test_driver_errors_come_wrapped_as_sqlalchemy_wraps_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated: no tables
    actor = Actor(org_id="org", name="t", role=Role.ADMIN)
    try:
        with pytest.raises(OperationalError, match="no such table"), UnitOfWork(
                engine, actor, write=False, autocommit=True) as uow:
            uow.serial_reads.by_number("SN-1")
    finally:
        engine.dispose()


def test_a_dropped_postgresql_connection_is_invalidated(database: Any, svc: Services) -> None:
    if database.backend != "postgresql":
        pytest.skip("a server-side disconnect needs PostgreSQL")
    assert svc.batch_tracking.lookup_serial("SN-1") is None
    with UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True) as uow:
        backend = uow.serial_reads.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with database.admin_engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        # A lone read outside a transaction is run once more, on a live connection.
        assert uow.serial_reads.by_number("SN-1") == []
        again = uow.serial_reads.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        assert again != backend
    with UnitOfWork(svc.engine, svc.actor, write=False) as uow:  # in a transaction: no retry
        backend = uow.serial_reads.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with database.admin_engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(DBAPIError) as caught:
            uow.serial_reads.by_number("SN-1")
    assert caught.value.connection_invalidated
    for _ in range(3):  # the pool reconnects instead of handing out the dead connection
        assert svc.batch_tracking.lookup_serial("SN-1") is None


def test_the_factory_reads_as_the_autocommit_unit_of_work_reads(svc: Services,
                                                                 kit: Kit) -> None:
    # `read_serials` (every lookup's read, no unit of work around it) gives exactly what
    # uow.serial_reads gives, for one match, several and none.
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-LEAN", batch_id=batch.id, unit_cost="12.345",
                                  purchase_date="2025-02-03")
    svc.serials.register("SN-LEAN-2", batch_id=batch.id)
    uows = svc.serials.uows
    for number, product_id in (("SN-LEAN", None), ("SN-LEAN", serial.product_id),
                               ("SN-NONE", None), ("SN-LEAN", "other-product")):
        with UnitOfWork(svc.engine, svc.actor, write=False, autocommit=True) as uow:
            expected = uow.serial_reads.by_number(number, product_id)
        read = uows.read_serials(svc.actor, lambda reads, n=number, p=product_id:  # type: ignore[misc]
                                 reads.by_number(n, p))
        assert read == expected
    assert svc.serials.lookup("SN-LEAN") == serial == core_serials(svc, "SN-LEAN")[0]


def test_a_lookup_inside_a_claimed_request_sees_its_writes(svc: Services, kit: Kit) -> None:
    # With an Idempotency-Key the request's units of work share one transaction, committed
    # with the answer: a lookup after a registration in it must find the new unit.
    claim = Claim(f"scope-{uuid.uuid4().hex}", "key-lean", "fingerprint")
    with idempotency.claiming(claim):
        registered = svc.serials.register("SN-CLAIMED", product_id=kit.product("serial").id)
        assert svc.serials.find("SN-CLAIMED") == registered
    assert settle(claim, None) is False  # rolled back: never committed
    assert svc.serials.find("SN-CLAIMED") is None


def test_a_nul_in_a_library_lookup_is_a_validation_error(database: Any, svc: Services) -> None:
    if database.backend != "postgresql":
        pytest.skip("only PostgreSQL refuses a NUL in text; SQLite stores and compares it as "
                    "any other character, so a lookup of one simply finds nothing")
    with pytest.raises(ValidationError):
        svc.serials.uows.read_serials(svc.actor, lambda reads: reads.by_number("SN\x00X"))
