"""No hot row (issue 18, DESIGN §9): writers of different lots of one organization share no
row they update — each lot (or product, for serials without a lot) has its own hash chain and
head, the per-status serial counts are striped by lot — and `ledger verify` proves every
stream and finds a tampered row in whichever stream it is."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select, text, update
from test_ledger import drop_append_only_triggers
from test_status_checks import _downgrade

from lotline.adapters import tables as t
from lotline.adapters.migrate import upgrade
from lotline.adapters.repositories.status_counts import slot_of
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork
from lotline.bootstrap import Services
from lotline.domain.statuses import SerialStatus
from support import Kit

BACKENDS = pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
STREAMS = ("lot A", "lot B", "no lot")


def _lots_in_other_slots(kit: Kit, count: int) -> tuple[Any, list[Any]]:
    """A lot- and serial-tracked product and `count` of its lots whose count slots differ."""
    product = kit.product("lot_serial")
    lots: list[Any] = []
    while len(lots) < count:
        lot = kit.lot(product, quantity=10)
        if slot_of(lot.id) not in {slot_of(other.id) for other in lots}:
            lots.append(lot)
    return product, lots


def _world(svc: Services, kit: Kit) -> dict[str, str]:
    """Three streams of one product: two lots and the product's own (serials without a lot);
    each has registrations and status changes. The stream id of each, by name."""
    product, (lot_a, lot_b) = _lots_in_other_slots(kit, 2)
    loose = kit.product("serial")
    svc.serials.register_many(["A-1", "A-2"], batch_id=lot_a.id)
    svc.serials.register_many(["B-1", "B-2", "B-3"], batch_id=lot_b.id)
    svc.serials.register_many(["N-1", "N-2"], product_id=loose.id)
    for number in ("A-1", "B-1", "B-2", "N-1"):
        svc.serials.change_status(svc.serials.lookup(number).id, "DEFECTIVE", reason="cracked")
    svc.serials.change_status(svc.serials.lookup("B-2").id, "IN_STOCK")
    return {"lot A": lot_a.id, "lot B": lot_b.id, "no lot": loose.id, "product": product.id}


@BACKENDS
def test_every_stream_has_its_own_chain_and_verify_proves_them_all(fresh_database: Any) -> None:
    svc = fresh_database.services()
    kit = Kit(svc)
    streams = _world(svc, kit)
    chains = {name: [(m.seq, m.kind.value) for m in kit.movements(stream_id=streams[name])]
              for name in STREAMS}
    assert chains == {
        "lot A": [(1, "receipt"), (2, "status_change")],
        "lot B": [(1, "receipt"), (2, "status_change"), (3, "status_change"), (4, "putaway")],
        "no lot": [(1, "receipt"), (2, "status_change")]}
    report = svc.ledger.verify()
    assert (report.ok, report.problems, report.movements) == (True, [], 8)
    assert kit.chain_problems() == []
    counts = svc.serials.counts(streams["product"])
    assert (counts["ALL"], counts["IN_STOCK"], counts["DEFECTIVE"]) == (5, 3, 2)
    # The product's counts are kept in one row per lot's slot, not one row per status.
    with svc.engine.connect() as conn:
        sc = t.serial_status_counts.c
        slots = set(conn.execute(select(sc.slot).where(
            sc.product_id == streams["product"], sc.status == "IN_STOCK")).scalars())
    assert slots == {slot_of(streams["lot A"]), slot_of(streams["lot B"])}


@BACKENDS
@pytest.mark.parametrize("tampered", STREAMS)
def test_a_tampered_row_is_found_in_whichever_stream_it_is(fresh_database: Any,
                                                           tampered: str) -> None:
    svc = fresh_database.services()
    kit = Kit(svc)
    streams = _world(svc, kit)
    target = kit.movements(stream_id=streams[tampered])[0]
    drop_append_only_triggers(svc.engine)
    with svc.engine.begin() as conn:
        conn.execute(update(t.movements).where(t.movements.c.id == target.id)
                     .values(reason="nothing happened"))
    report = svc.ledger.verify()
    assert [(p.kind, p.stream_id, p.movement_id) for p in report.problems] == [
        ("tampered", streams[tampered], target.id)]
    assert kit.chain_problems() == [f"{streams[tampered]}#1: hash does not match the row"]


@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_writers_of_two_lots_do_not_wait_for_each_other(fresh_database: Any) -> None:
    """The first writer holds its lot's count rows (written, not committed); the second,
    on another lot of the same product, gets through under a short lock timeout — with one
    count row per status it waited for the first writer's commit."""
    svc = fresh_database.services()
    kit = Kit(svc)
    product, (lot_a, lot_b) = _lots_in_other_slots(kit, 2)
    svc.serials.register_many(["A-1", "A-2"], batch_id=lot_a.id)
    svc.serials.register_many(["B-1", "B-2"], batch_id=lot_b.id)
    with SqlAlchemyUnitOfWork(svc.engine, svc.actor) as first:
        first.serials.bump_count(product.id, SerialStatus.IN_STOCK, -1, lot_a.id)
        first.serials.bump_count(product.id, SerialStatus.DEFECTIVE, 1, lot_a.id)
        first.serials.status_counts.flush()
        with SqlAlchemyUnitOfWork(svc.engine, svc.actor) as second:
            second.conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            second.serials.bump_count(product.id, SerialStatus.IN_STOCK, -1, lot_b.id)
            second.serials.bump_count(product.id, SerialStatus.DEFECTIVE, 1, lot_b.id)
    counts = svc.serials.counts(product.id)
    assert (counts["IN_STOCK"], counts["DEFECTIVE"]) == (2, 2)


@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_concurrent_opposite_status_changes_on_lots_of_one_product(
        fresh_database: Any) -> None:
    """Four threads flip serials of four lots of one product IN_STOCK → DEFECTIVE → IN_STOCK,
    out of step (two start from DEFECTIVE): they once took the product's two count rows in
    opposite orders and deadlocked. Every change lands, the counts and chains agree."""
    svc = fresh_database.services()
    kit = Kit(svc)
    product, lots = _lots_in_other_slots(kit, 4)
    serials = [svc.serials.register(f"S-{i}", batch_id=lot.id) for i, lot in enumerate(lots)]
    for serial in serials[2:]:
        svc.serials.change_status(serial.id, "DEFECTIVE", reason="cracked")
    errors: list[BaseException] = []
    start = threading.Barrier(len(serials))

    def flip(serial_id: str, starts_in_stock: bool) -> None:
        try:
            start.wait()
            for turn in range(20):
                if (turn % 2 == 0) == starts_in_stock:
                    svc.serials.change_status(serial_id, "DEFECTIVE", reason="cracked")
                else:
                    svc.serials.change_status(serial_id, "IN_STOCK")
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)

    threads = [threading.Thread(target=flip, args=(s.id, index < 2))
               for index, s in enumerate(serials)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = svc.serials.counts(product.id)
    assert (counts["IN_STOCK"], counts["DEFECTIVE"]) == (2, 2)
    report = svc.ledger.verify()
    assert (report.ok, report.problems, report.movements) == (True, [], 4 + 2 + 4 * 20)


@BACKENDS
def test_counts_of_the_single_row_layout_carry_over_both_ways(fresh_database: Any) -> None:
    """Down to 0023 (one row per status: the slots summed) and up again (that row becomes
    slot 0): the counts, the chains and verify hold, and counting goes on from there."""
    svc = fresh_database.services()
    kit = Kit(svc)
    streams = _world(svc, kit)
    engine = fresh_database.engine
    _downgrade(engine, "0023")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count FROM serial_status_counts "
                                 "WHERE product_id = :p ORDER BY status"),
                            {"p": streams["product"]}).all()
    assert [tuple(row) for row in rows] == [("DEFECTIVE", 2), ("IN_STOCK", 3)]
    upgrade(engine)
    with engine.connect() as conn:
        sc = t.serial_status_counts.c
        assert set(conn.execute(select(sc.slot).where(
            sc.product_id == streams["product"])).scalars()) == {0}
    svc.serials.change_status(svc.serials.lookup("A-1").id, "IN_STOCK")
    counts = svc.serials.counts(streams["product"])
    assert (counts["ALL"], counts["IN_STOCK"], counts["DEFECTIVE"]) == (5, 4, 1)
    report = svc.ledger.verify()
    assert (report.ok, report.problems, report.movements) == (True, [], 9)
    assert kit.chain_problems() == []
