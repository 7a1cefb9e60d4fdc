"""Bulk registrations racing with overlapping numbers (issue 17, finding 7): on PostgreSQL 16
clients sending overlapping, unsorted sets deadlocked (13 of them a 500). Rows now go in sorted
order and a deadlock or serialisation failure is retried; each loser gets DuplicateSerial
(409 `duplicate_serial`) naming numbers the winners took, never a database error."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.errors import DuplicateSerial
from lotline.service_layer.registration import RegisteredSerials
from support import Kit

CLIENTS = 16


def overlapping_sets(prefix: str, clients: int, size: int = 60, step: int = 30
                     ) -> list[list[str]]:
    """Client i sends numbers i*step .. i*step+size-1, shuffled: each overlaps its neighbours."""
    shuffler = random.Random(17)
    sets = []
    for client in range(clients):
        numbers = [f"{prefix}-{n:05d}" for n in range(client * step, client * step + size)]
        shuffler.shuffle(numbers)
        sets.append(numbers)
    return sets


def race_bulk(svc: Services, sets: list[list[str]], **target: Any) -> list[Any]:
    barrier = threading.Barrier(len(sets))

    def register(numbers: list[str]) -> Any:
        racer = Services(svc.engine, svc.actor)
        barrier.wait(timeout=30)
        return racer.serials.register_many(numbers, **target)

    with ThreadPoolExecutor(max_workers=len(sets)) as pool:
        futures = [pool.submit(register, numbers) for numbers in sets]
        return [f.exception(timeout=120) or f.result() for f in futures]


@pytest.mark.parametrize("tracking", ["serial", "lot_serial"])
def test_overlapping_bulk_registrations_lose_with_duplicate_serial_never_a_database_error(
        kit: Kit, tracking: str) -> None:
    svc = kit.svc
    if tracking == "serial":
        product, target = kit.product("serial"), {}
    else:
        product, lot = kit.serial_lot(quantity=10_000)
        target = {"batch_id": lot.id}
    target.setdefault("product_id", product.id)
    sets = overlapping_sets(f"RACE-{tracking}", CLIENTS)
    results = race_bulk(svc, sets, **target)
    won = [numbers for numbers, r in zip(sets, results, strict=True)
           if isinstance(r, RegisteredSerials)]
    lost = [(numbers, r) for numbers, r in zip(sets, results, strict=True)
            if not isinstance(r, RegisteredSerials)]
    assert won, results
    for numbers, error in lost:
        assert isinstance(error, DuplicateSerial), repr(error)
        assert error.http_status == 409 and error.code == "duplicate_serial"
        # the numbers winners committed before this loser's check; never a number of its own
        taken = {n for winner in won for n in winner}
        assert error.serial_numbers and set(error.serial_numbers) <= set(numbers) & taken
    s = t.serials.c
    with svc.engine.connect() as conn:
        stored = sorted(conn.execute(select(s.serial_number).where(
            s.org_id == svc.org_id, s.product_id == product.id)).scalars())
        per_number = conn.execute(select(func.count()).select_from(t.serials).where(
            s.org_id == svc.org_id).group_by(s.serial_number).having(func.count() > 1)).all()
    assert per_number == []
    assert stored == sorted(n for numbers in won for n in numbers)
    registered = sum(m.quantity for m in kit.movements(product_id=product.id))
    assert registered == len(stored)
    assert svc.ledger.verify().ok
