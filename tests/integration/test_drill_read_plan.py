"""A lot's EPCIS movements and a recall drill's read (lot_events.py): for lots that are a small
share of the ledger, found by index (lot, order, transformation) and then by id, never by
reading the organization's whole ledger; for lots that are most of it, by one pass over it.
SQLite's plans are checked (it has no statistics to steer it, so lotline chooses); on both
databases the rows are the ones the lots' events are made of (test_recall_drill.py,
test_epcis_*.py, and here both forms give the same rows)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select

from lotline import create_services
from lotline.adapters.repositories import drill_rows, epcis_rows, lot_events
from lotline.service_layer.epcis import MOVEMENT_KINDS
from support import Kit

ORG = "01a252a3-2571-7251-b551-b86b21a16dd4"


def _read(drill: bool, by_ids: bool) -> Select[Any]:
    if drill:
        return lot_events.whole(drill_rows.lean_select(ORG, MOVEMENT_KINDS, by_ids=by_ids), ORG,
                                ["lot-a", "lot-b"], by_ids=by_ids)
    return lot_events.whole(epcis_rows.movement_select(ORG, MOVEMENT_KINDS, by_ids=by_ids), ORG,
                            "lot-a", by_ids=by_ids)


def _plan(database: Any, statement: Select[Any]) -> list[str]:
    with database.engine.connect() as conn:
        sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]


@pytest.mark.parametrize("drill", [True, False], ids=["recall drill", "lot's EPCIS export"])
def test_a_small_share_is_found_by_index_not_by_reading_the_organizations_ledger(
        database: Any, drill: bool) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans this read from its own statistics; lotline steers "
                    "only SQLite's plan, which has none")
    plan = _plan(database, _read(drill, by_ids=True))
    assert "SEARCH movements USING INDEX sqlite_autoindex_movements_1 (id=?)" in plan
    assert not [step for step in plan if "ix_movements_org_id_recorded_at" in step
                or step.startswith("SCAN")], plan
    assert any("ix_movements_batch_id" in step for step in plan), plan
    assert any("ix_movements_order_id" in step for step in plan), plan
    assert any("ix_movements_transformation_id" in step for step in plan) is drill, plan


def test_the_choice_follows_the_lots_share_of_the_ledger(fresh_database: Any) -> None:
    svc = create_services(engine=fresh_database.engine)
    product = svc.products.create_product(sku="SHARE", name="Share", tracking="lot")
    lot = svc.batches.create(product_id=product.id, batch_number="MOST", quantity=5)
    with fresh_database.engine.connect() as conn:  # its receipt is the whole ledger
        assert lot_events.found_by_ids(conn, lot.id) is False
        assert lot_events.found_by_ids(conn, [lot.id, "another lot"]) is False
    for number in range(4):
        svc.batches.create(product_id=product.id, batch_number=f"OTHER-{number}", quantity=1)
    with fresh_database.engine.connect() as conn:  # now 1 movement of 5: under a quarter
        assert lot_events.found_by_ids(conn, lot.id) is True


def test_postgresql_plans_by_its_statistics(database: Any) -> None:
    with database.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            pytest.skip("on SQLite lotline makes the choice itself: tested on a database of its "
                        "own above")
        assert lot_events.found_by_ids(conn, "any lot") is True


@pytest.mark.parametrize("drill", [True, False], ids=["recall drill", "lot's EPCIS export"])
def test_both_forms_find_the_same_movements(database: Any, kit: Kit, drill: bool) -> None:
    product = kit.product()
    lot, other = kit.lot(product, quantity=3), kit.lot(product, quantity=3)
    order = kit.order(product, quantity=4)
    svc = kit.svc
    svc.orders.allocate(order.id)
    svc.orders.pick(order.id, [{"batch_id": lot.id, "quantity": 3},
                               {"batch_id": other.id, "quantity": 1}])
    svc.orders.ship(order.id)
    org = svc.org_id
    with database.engine.connect() as conn:
        if drill:
            forms = [drill_rows.drill_rows(conn, lot_events.whole(
                drill_rows.lean_select(org, MOVEMENT_KINDS, by_ids=by_ids), org, [lot.id],
                by_ids=by_ids)) for by_ids in (True, False)]
        else:
            forms = [conn.execute(lot_events.whole(
                epcis_rows.movement_select(org, MOVEMENT_KINDS, by_ids=by_ids), org, lot.id,
                by_ids=by_ids)).all() for by_ids in (True, False)]
    # The lot's receipt and the whole shipment: its own units and the other lot's.
    assert sorted(forms[0]) == sorted(forms[1])
    assert sorted((row.kind, row.quantity) for row in forms[0]) == [
        ("receipt", 3), ("shipment", 1), ("shipment", 3)]
