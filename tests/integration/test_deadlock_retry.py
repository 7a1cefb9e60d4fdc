"""A real deadlock on PostgreSQL: the unit of work rolls back and raises TransientConflict
(409, never the driver's error), and `retry_transient` runs the loser again, which succeeds."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.service_layer.unit_of_work import TransientConflict, UnitOfWork, retry_transient
from support import Kit


def test_a_deadlock_victim_is_a_transient_conflict_and_its_retry_succeeds(kit: Kit) -> None:
    svc: Services = kit.svc
    if svc.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: no deadlock to lose")
    first, second = kit.product("lot").id, kit.product("lot").id
    barrier = threading.Barrier(2)
    attempts: list[str] = []

    def touch(name: str, ids: tuple[str, str]) -> None:
        with UnitOfWork(svc.engine, svc.actor) as uow:
            attempts.append(name)
            for index, product_id in enumerate(ids):
                uow.conn.execute(update(t.products).where(t.products.c.id == product_id)
                                 .values(name=f"{name}-{index}"))
                if index == 0 and attempts.count(name) == 1:
                    barrier.wait(timeout=10)  # both hold their first row, then cross

    with ThreadPoolExecutor(max_workers=2) as pool:
        plain = pool.submit(touch, "a", (first, second))
        retried = pool.submit(retry_transient(touch), "b", (second, first))
        outcomes = [f.exception(timeout=60) for f in (plain, retried)]
    # One of the two was the victim: the plain one fails with a conflict, or the retried one
    # ran twice and succeeded.
    assert outcomes[1] is None
    if outcomes[0] is not None:
        assert isinstance(outcomes[0], TransientConflict)
        assert outcomes[0].http_status == 409
        assert attempts.count("b") == 1
    else:
        assert attempts.count("b") == 2
    with svc.engine.connect() as conn:
        names = dict(conn.execute(select(t.products.c.id, t.products.c.name).where(
            t.products.c.id.in_([first, second]))).all())
    assert names == {second: "b-0", first: "b-1"}  # b committed last either way
