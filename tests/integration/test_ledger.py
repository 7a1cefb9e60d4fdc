"""The ledger, DESIGN §5: every operation writes its movements, every stream's hash chain
verifies, tampering and a deleted tail are detected, and the canonical hash of a row is the
same whichever database stored it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from lotline.adapters import tables as t
from lotline.adapters.db import make_engine
from lotline.adapters.migrate import upgrade
from lotline.adapters.repositories.movements import movement_from_row, movement_values
from lotline.bootstrap import Services
from lotline.domain.ledger import GENESIS_HASH, recompute_hash
from lotline.domain.model import Movement
from lotline.domain.statuses import MovementKind, Role, SerialStatus
from lotline.errors import PermissionDenied
from support import Kit, chain_problems

K = MovementKind
BACKENDS = pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)


# --- what each operation writes ----------------------------------------------------------------


def test_every_operation_writes_its_movements_and_every_chain_verifies(svc: Services,
                                                                       kit: Kit) -> None:
    plain = kit.product("lot")
    lot = kit.lot(plain, "P-1", quantity=10, unit_cost=2)           # receipt
    svc.batches.update(lot.id, quantity=12)                         # adjustment +2
    doomed = kit.lot(plain, "P-2", quantity=1)                      # receipt
    svc.batches.delete(doomed.id)                                   # reversal
    product, serial_lot = kit.serial_lot(quantity=5)
    order = kit.order(product)
    a, b, _c = svc.serials.register_many(["S-1", "S-2", "S-3"],
                                         batch_id=serial_lot.id)    # one receipt for three
    svc.serials.change_status(a.id, "ALLOCATED", order_id=order.id)  # allocation
    svc.serials.change_status(a.id, "SHIPPED")                      # shipment
    svc.serials.change_status(b.id, "SCRAPPED")                     # scrap
    loose = kit.product("serial")
    svc.serials.register("L-1", product_id=loose.id, status="EXPECTED")  # status_change
    svc.batches.hold(lot.id, "qa")                                  # audit only
    svc.batches.mark_inactive([serial_lot.id])                      # audit only

    def kinds(stream: str) -> list[tuple[K, Decimal]]:
        return [(m.kind, m.quantity) for m in kit.movements(stream_id=stream)]

    assert kinds(lot.id) == [(K.RECEIPT, 10), (K.ADJUSTMENT, 2)]
    assert kinds(doomed.id) == [(K.RECEIPT, 1), (K.REVERSAL, 1)]
    assert kinds(serial_lot.id) == [(K.RECEIPT, 3), (K.ALLOCATION, 1), (K.SHIPMENT, 1),
                                    (K.SCRAP, 1)]
    assert kinds(loose.id) == [(K.STATUS_CHANGE, 1)]
    assert len(kit.movements()) == 9
    assert kit.chain_problems() == []
    report = svc.ledger.verify()
    assert report.ok, report.problems
    assert (report.movements, report.problems) == (9, [])
    assert report.serials == 4


def test_bulk_registration_is_one_movement_in_every_serials_history(svc: Services,
                                                                    kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=60)
    numbers = [f"B-{i:02d}" for i in range(50)]
    created = svc.serials.register_many(numbers, batch_id=batch.id)
    (movement,) = kit.movements()
    assert (movement.kind, movement.quantity, movement.serial_id, movement.seq) == (
        K.RECEIPT, 50, None, 1)
    assert movement.serial_numbers == tuple(sorted(numbers))
    assert recompute_hash(movement) == movement.hash
    assert recompute_hash(dataclasses.replace(movement, serial_numbers=())) != movement.hash
    for serial in (created[0], created[25], created[49]):
        assert [m.id for m in svc.serials.history(serial.id)] == [movement.id]
    head = svc.batches.get(batch.id)
    assert head.entry_transaction_ref == movement.id


def test_chain_links_and_head(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("C-1", batch_id=batch.id)
    svc.serials.register_many(["C-2", "C-3"], batch_id=batch.id)
    svc.serials.change_status(serial.id, "DEFECTIVE")
    svc.serials.change_status(serial.id, "SCRAPPED")
    chain = kit.movements(stream_id=batch.id)
    assert [m.seq for m in chain] == [1, 2, 3, 4]
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert all(recompute_hash(m) == m.hash for m in chain)
    assert len({m.hash for m in chain}) == 4
    with svc.engine.connect() as conn:
        head = conn.execute(select(t.batches.c.chain_seq, t.batches.c.chain_head)
                            .where(t.batches.c.id == batch.id)).one()
    assert (head.chain_seq, head.chain_head) == (4, chain[-1].hash)


def test_ledger_verify_needs_an_admin(svc: Services, kit: Kit) -> None:
    with pytest.raises(PermissionDenied):
        kit.as_role(Role.MANAGER).ledger.verify()


def test_movements_are_append_only_in_the_database(svc: Services, kit: Kit) -> None:
    kit.lot(kit.product("lot"), quantity=1)
    (movement,) = kit.movements()
    m = t.movements.c
    for statement in (update(t.movements).where(m.id == movement.id).values(reason="edited"),
                      delete(t.movements).where(m.id == movement.id)):
        with pytest.raises(DBAPIError) as caught, svc.engine.begin() as conn:
            conn.execute(statement)
        assert "append-only" in str(caught.value)
    assert kit.movements() == [movement]


# --- tampering, behind the application's back --------------------------------------------------


def drop_append_only_triggers(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER movements_no_update"))
            conn.execute(text("DROP TRIGGER movements_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER movements_append_only ON movements"))


def problem_kinds(svc: Services, stream_id: str) -> set[str]:
    return {p.kind for p in svc.ledger.verify().problems if p.stream_id == stream_id}


@pytest.fixture
def tamper_world(fresh_database: Any) -> tuple[Services, Kit, str, list[Movement]]:
    svc = fresh_database.services()
    kit = Kit(svc)
    product, batch = kit.serial_lot()
    order = kit.order(product)
    serial = svc.serials.register("T-1", batch_id=batch.id)
    svc.serials.register_many(["T-2", "T-3"], batch_id=batch.id)
    svc.serials.change_status(serial.id, "ALLOCATED", order_id=order.id)
    svc.serials.change_status(serial.id, "IN_STOCK")
    assert kit.chain_problems() == []
    assert svc.ledger.verify().ok
    drop_append_only_triggers(svc.engine)
    return svc, kit, batch.id, kit.movements(stream_id=batch.id)


@BACKENDS
def test_a_tampered_row_is_detected(tamper_world: tuple[Services, Kit, str,
                                                        list[Movement]]) -> None:
    svc, kit, stream, chain = tamper_world
    target = chain[1]  # the bulk registration of T-2 and T-3
    with svc.engine.begin() as conn:
        conn.execute(update(t.movements).where(t.movements.c.id == target.id)
                     .values(quantity=Decimal(200)))
    assert kit.chain_problems() == [f"{stream}#2: hash does not match the row"]
    report = svc.ledger.verify()
    tampered = [p for p in report.problems if p.kind == "tampered"]
    assert [(p.stream_id, p.movement_id) for p in tampered] == [(stream, target.id)]


@BACKENDS
def test_a_rehashed_tampered_row_breaks_the_next_link(tamper_world: tuple[
        Services, Kit, str, list[Movement]]) -> None:
    svc, kit, stream, chain = tamper_world
    target = chain[0]
    forged = dataclasses.replace(target, reason="nothing happened here")
    forged_hash = recompute_hash(forged)
    with svc.engine.begin() as conn:
        conn.execute(update(t.movements).where(t.movements.c.id == target.id)
                     .values(reason=forged.reason, hash=forged_hash))
    assert kit.chain_problems() == [f"{stream}#2: prev_hash does not link"]
    assert problem_kinds(svc, stream) == {"broken_link"}


@BACKENDS
def test_a_deleted_tail_is_detected(tamper_world: tuple[Services, Kit, str,
                                                        list[Movement]]) -> None:
    svc, kit, stream, chain = tamper_world
    with svc.engine.begin() as conn:
        conn.execute(delete(t.movements).where(t.movements.c.id == chain[-1].id))
    assert kit.chain_problems() == [f"{stream}: head (4, '{chain[-1].hash}') is not the last "
                                    f"row (3)"]
    report = svc.ledger.verify()
    stream_problems = [p for p in report.problems if p.stream_id == stream]
    assert [p.kind for p in stream_problems] == ["missing_rows"]
    assert "head says 4 movements, the ledger has 3" in stream_problems[0].detail
    # The unit's state no longer matches its last movement either.
    assert any(p.kind == "projection" and "'T-1'" in p.detail for p in report.problems)


@BACKENDS
def test_a_deleted_middle_row_is_detected(tamper_world: tuple[Services, Kit, str,
                                                              list[Movement]]) -> None:
    svc, _kit, stream, chain = tamper_world
    with svc.engine.begin() as conn:
        conn.execute(delete(t.movements).where(t.movements.c.id == chain[1].id))
    assert {"missing_rows", "broken_link"} <= problem_kinds(svc, stream)


# --- the same row, the same hash, on both databases --------------------------------------------

ORG_ID = "0190f5a0-0000-7000-8000-0000000000aa"
PRODUCT_ID = "0190f5a0-0000-7000-8000-0000000000cc"
FIXED_MOVEMENT = Movement(
    id="0190f5a0-0000-7000-8000-000000000001", org_id=ORG_ID, stream_id=PRODUCT_ID, seq=1,
    occurred_at=dt.datetime(2026, 3, 15, 8, 0, 0, 123456, tzinfo=dt.UTC),
    recorded_at=dt.datetime(2026, 3, 15, 8, 0, 1, 500, tzinfo=dt.UTC),
    actor="library", kind=MovementKind.RECEIPT, product_id=PRODUCT_ID, batch_id=None,
    serial_id=None, quantity=Decimal("12.500000"), from_location_id=None,
    to_location_id=None, from_status=None, to_status=SerialStatus.IN_STOCK, order_id=None,
    receipt_id=None, transformation_id=None, reverses_id=None,
    unit_cost=Decimal("0.100000"), reason="fixed row — ünïcode", prev_hash=GENESIS_HASH,
    hash="", serial_numbers=())
FIXED_DIGEST = recompute_hash(FIXED_MOVEMENT)


def store_and_read_back(engine: Engine) -> Movement:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(t.organizations).values(id=ORG_ID, name="Fixed", slug="fixed",
                                                    settings={}, created_at=now))
        conn.execute(insert(t.products).values(
            id=PRODUCT_ID, org_id=ORG_ID, sku="FIX", name="Fixed", uom="EA", tracking="serial",
            removal_strategy="fefo", expiry_alert_days=30, created_at=now, updated_at=now))
        stored = dataclasses.replace(FIXED_MOVEMENT, hash=FIXED_DIGEST)
        conn.execute(insert(t.movements).values(movement_values(stored)))
    with engine.connect() as conn:
        row = conn.execute(select(t.movements).where(
            t.movements.c.id == FIXED_MOVEMENT.id)).one()
    return movement_from_row(row)


@BACKENDS
def test_a_row_read_back_hashes_as_it_was_written(fresh_database: Any) -> None:
    read = store_and_read_back(fresh_database.engine)
    assert read.quantity == Decimal("12.5") and read.occurred_at == FIXED_MOVEMENT.occurred_at
    assert recompute_hash(read) == read.hash == FIXED_DIGEST


@pytest.fixture
def both_backends(tmp_path: Path) -> Iterator[dict[str, Engine]]:
    """A fresh SQLite file and a fresh PostgreSQL schema, both migrated."""
    base_url = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
    if not base_url:
        pytest.skip("LOTLINE_TEST_POSTGRES_URL is not set: needs both databases")
    schema = f"lotline_hash_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    engines = {
        "sqlite": make_engine(f"sqlite:///{tmp_path / 'hash.db'}"),
        "postgresql": make_engine(
            f"{base_url}{separator}options={quote(f'-csearch_path={schema},public')}"),
    }
    for engine in engines.values():
        upgrade(engine)
    yield engines
    for engine in engines.values():
        engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def test_canonical_hash_is_identical_on_sqlite_and_postgresql(
        both_backends: dict[str, Engine]) -> None:
    from_sqlite = store_and_read_back(both_backends["sqlite"])
    from_postgres = store_and_read_back(both_backends["postgresql"])
    assert from_sqlite == from_postgres
    assert recompute_hash(from_sqlite) == recompute_hash(from_postgres) == FIXED_DIGEST


def test_service_written_chains_verify_on_each_backend(svc: Services, kit: Kit) -> None:
    # Timestamps with microseconds and decimals with trailing zeros survive the round trip.
    _product, batch = kit.serial_lot(unit_cost="10.100")
    svc.serials.register("R-1", batch_id=batch.id)
    (movement,) = kit.movements()
    assert str(movement.unit_cost) == "10.1"
    assert chain_problems(svc.engine, svc.org_id) == []
