"""The change feed (DESIGN §9): events written in the change's transaction, read in commit
order, every one exactly once by a poller while other clients commit — on PostgreSQL too,
where an id taken earlier can become visible later."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.events import EVENT_TYPES, Event
from lotline.errors import InsufficientStock, ValidationError
from support import Kit

WRITERS = 6
WRITES_EACH = 15


def drain(svc: Services, cursor: str | None, limit: int = 7) -> tuple[list[Event], str | None]:
    read: list[Event] = []
    while True:
        page = svc.events.page(cursor, limit=limit)
        read.extend(page.items)
        cursor = page.next_cursor
        if not page.items:
            return read, cursor


def settled(svc: Services) -> str | None:
    """The cursor after every event of the organization committed so far."""
    with svc.engine.connect() as conn:
        committed = conn.execute(select(func.count()).select_from(t.events).where(
            t.events.c.org_id == svc.org_id)).scalar_one()
    events = wait_for(svc, None, committed)
    assert len(events) == committed
    return events[-1].cursor if events else None


def wait_for(svc: Services, cursor: str | None, count: int) -> list[Event]:
    """At least `count` events after `cursor`, waiting (10 s at most) for PostgreSQL's
    horizon to pass transactions of other clients of the server."""
    deadline = time.monotonic() + 10
    while True:
        events, _ = drain(svc, cursor)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.02)


def lot_numbers(events: list[Event]) -> list[str]:
    return [e.data["lot_number"] for e in events if e.type == "batch.created"]


def test_concurrent_writers_are_read_exactly_once_in_commit_order(kit: Kit) -> None:
    svc = kit.svc
    product = kit.product()
    start = settled(svc)
    done = threading.Event()
    read: list[Event] = []

    def write(writer: int) -> list[str]:
        racer = Services(svc.engine, svc.actor)
        for i in range(WRITES_EACH):
            racer.batches.create(product_id=product.id, batch_number=f"W{writer}-{i:03d}")
        return [f"W{writer}-{i:03d}" for i in range(WRITES_EACH)]

    def poll() -> None:
        # On PostgreSQL an empty page does not mean "all read": the horizon waits for every
        # older transaction of the server, other clients' too. Poll until all have come.
        cursor, deadline = start, time.monotonic() + 60
        while time.monotonic() < deadline:
            page = svc.events.page(cursor, limit=5)
            read.extend(page.items)
            cursor = page.next_cursor
            if done.is_set() and len(read) >= WRITERS * WRITES_EACH:
                return
            if not page.items:
                time.sleep(0.01)

    reader = threading.Thread(target=poll)
    reader.start()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        written = [n for numbers in pool.map(write, range(WRITERS)) for n in numbers]
    done.set()
    reader.join(timeout=120)
    assert not reader.is_alive()

    numbers = lot_numbers(read)
    assert len(numbers) == WRITERS * WRITES_EACH
    assert len({e.id for e in read}) == len(read)  # no duplicates
    assert sorted(numbers) == sorted(written)  # no gaps, nothing extra
    for writer in range(WRITERS):  # each writer committed its lots one after the other
        own = [n for n in numbers if n.startswith(f"W{writer}-")]
        assert own == sorted(own)
    again, _ = drain(svc, start, limit=1000)
    assert [e.id for e in again] == [e.id for e in read]  # one order, whoever reads, no more


def test_an_event_committed_before_an_older_open_transaction_waits_for_it(kit: Kit) -> None:
    """Transaction A writes an event and stays open; B writes one after it and commits. The
    feed must not hand out B before A is decided: a poller whose cursor passed B would never
    see A. (On SQLite writers are serialised: B waits for A instead.)"""
    svc = kit.svc
    kit.product()
    cursor = settled(svc)
    if svc.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the id order is the commit order")
    a_written, b_committed = threading.Event(), threading.Event()
    release_a = threading.Event()

    def slow_writer() -> None:
        with svc.batches.writing() as uow:
            uow.events.add("batch.updated", {"lot_number": "A"})
            a_written.set()
            assert release_a.wait(30)

    def quick_writer() -> None:
        assert a_written.wait(30)
        with svc.batches.writing() as uow:
            uow.events.add("batch.updated", {"lot_number": "B"})
        b_committed.set()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=quick_writer)]
    for thread in threads:
        thread.start()
    assert b_committed.wait(30)
    hidden = svc.events.page(cursor, limit=10)
    assert hidden.items == []
    assert hidden.next_cursor == cursor
    release_a.set()
    for thread in threads:
        thread.join(30)
    shown = wait_for(svc, cursor, 2)
    assert [e.data["lot_number"] for e in shown] == ["A", "B"]


def test_a_rolled_back_use_case_leaves_no_event(kit: Kit) -> None:
    svc = kit.svc
    product = kit.product()
    order = kit.order(product, quantity=5)
    cursor = settled(svc)
    with pytest.raises(InsufficientStock):
        svc.orders.allocate(order.id)
    assert svc.events.page(cursor).items == []


def test_events_carry_what_a_partner_needs(kit: Kit) -> None:
    svc = kit.svc
    product = kit.product(gtin="09506000134352")
    cursor = settled(svc)
    lot = kit.lot(product, "L-1", quantity=10)
    order = kit.order(product, quantity=4)
    svc.orders.allocate(order.id)
    events = wait_for(svc, cursor, 3)
    assert [e.type for e in events] == ["batch.created", "order.created", "order.allocated"]
    created = events[0].data
    assert (created["batch_id"], created["lot_number"], created["quantity"]) == (
        lot.id, "L-1", "10")
    assert created["product"] == {"id": product.id, "sku": product.sku,
                                  "gtin": "09506000134352"}
    allocated = events[2].data
    assert allocated["reference"] == order.reference
    customer = svc.customers.get(order.customer_id)
    assert allocated["customer"] == {"id": customer.id, "name": customer.name,
                                     "code": customer.code}
    line: dict[str, Any] = allocated["lines"][0]
    assert line["product"] == created["product"]
    assert (line["quantity"], line["allocated"]) == ("4", "4")
    assert line["allocations"] == [{"batch_id": lot.id, "lot_number": "L-1", "quantity": "4",
                                    "serial_numbers": []}]
    assert {e.actor for e in events} == {svc.actor.name}


def test_bulk_registration_is_one_event_with_its_numbers(kit: Kit) -> None:
    svc = kit.svc
    _, lot = kit.serial_lot(quantity=3)
    cursor = settled(svc)
    svc.serials.register_many(["S-1", "S-2", "S-3"], batch_id=lot.id)
    events = wait_for(svc, cursor, 1)
    assert [e.type for e in events] == ["serial.registered"]
    assert events[0].data["serial_numbers"] == ["S-1", "S-2", "S-3"]
    assert (events[0].data["count"], events[0].data["serials_url"]) == (3, None)
    assert events[0].data["lot_number"] == lot.batch_number


def test_bad_feed_input_is_named(kit: Kit, database: Any) -> None:
    svc = kit.svc
    kit.product()
    kit.lot(kit.product(), "L-X")
    with pytest.raises(ValidationError) as unknown:
        svc.events.page(None, ["batch.created", "batch.exploded"])
    assert unknown.value.errors[0].field == "types"
    assert "batch.exploded" in unknown.value.errors[0].message
    assert ", ".join(EVENT_TYPES) in unknown.value.errors[0].message
    own = wait_for(svc, None, 2)
    other = database.services()
    with pytest.raises(ValidationError) as foreign:
        other.events.page(own[-1].cursor)
    assert foreign.value.errors[0].field == "after"
    with pytest.raises(ValidationError) as garbage:
        svc.events.page("abc")
    assert garbage.value.errors[0].field == "after"
    with pytest.raises(ValidationError) as limit:
        svc.events.page(None, limit=0)
    assert limit.value.errors[0].field == "limit"
