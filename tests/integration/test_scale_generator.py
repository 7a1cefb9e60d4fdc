"""The cost-curve generator (issue 18): what it loads with COPY is data lotline reads as its
own — lookups, pages, search, counts, trace, recall — and `ledger verify` proves; growing the
same organization adds lots without touching those already there. PostgreSQL only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.conftest import Database

from lotline.bootstrap import Services
from lotline.demo_scale import grow_scale_demo
from lotline.domain.errors import ValidationError

pytestmark = pytest.mark.postgres


@pytest.fixture
def grown(fresh_database: Database) -> Services:
    svc = fresh_database.services()
    grow_scale_demo(svc, 250)  # rounded up to 3 whole lots of 100
    return svc


@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_three_lots_of_serials_orders_and_shipments(grown: Services) -> None:
    counts = grown.serials.counts()
    assert (counts["ALL"], counts["IN_STOCK"], counts["SHIPPED"]) == (300, 228, 72)
    shipped = grown.serials.lookup("SCALE-02-000001-05")  # lot 1, order 1 holds units 3-5
    order = grown.orders.get(shipped.order_id or "")
    assert (shipped.status.value, order.reference, order.status) == \
        ("SHIPPED", "SO-000001-1", "shipped")
    in_stock = grown.serials.lookup("SCALE-03-000002-99")
    assert (in_stock.status.value, in_stock.order_id) == ("IN_STOCK", None)
    page = grown.serials.search(q="-000002-0", limit=50)
    assert sorted(s.serial_number for s in page.items) == \
        [f"SCALE-03-000002-0{unit}" for unit in range(10)]


@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_trace_and_recall_of_a_generated_lot(grown: Services) -> None:
    lot = grown.batch_tracking.lookup_serial("SCALE-01-000000-00")
    assert lot is not None and lot.batch_id is not None
    tree = grown.trace.forward(lot.batch_id)
    assert (tree.lot.batch_number, len(tree.deliveries), tree.shipped_quantity,
            tree.on_hand) == ("SL000000", 8, Decimal(24), Decimal(76))
    first = tree.deliveries[0]  # customers by name: order k of lot 0 went to customer k + 1
    assert (first.order_reference, first.customer_name, first.quantity, first.serial_numbers) \
        == ("SO-000000-0", "Scale customer 0001", Decimal(3),
            [f"SCALE-01-000000-0{unit}" for unit in range(3)])
    recall = grown.recalls.create(reason="cost curve test", batch_ids=[lot.batch_id])
    assert recall.shipped_quantity == Decimal(24)


@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_ledger_verify_proves_the_generated_rows(grown: Services) -> None:
    report = grown.ledger.verify()
    assert report.problems == []
    # 3 lots: one bulk receipt each and one shipment per shipped unit (24).
    assert (report.movements, report.serials) == (75, 300)


@pytest.mark.parametrize("fresh_database", ["postgresql"], indirect=True)
def test_growing_keeps_what_is_there(grown: Services) -> None:
    before = grown.serials.lookup("SCALE-01-000000-00")
    grow_scale_demo(grown, 500)
    assert grown.serials.lookup("SCALE-01-000000-00") == before
    assert grown.serials.counts()["ALL"] == 500
    assert grown.serials.lookup("SCALE-05-000004-42").status.value == "IN_STOCK"
    assert grown.orders.by_reference("SO-000004-9").status == "open"
    grow_scale_demo(grown, 400)  # smaller than what is there: nothing to add
    assert grown.serials.counts()["ALL"] == 500
    assert grown.ledger.verify().problems == []


def test_the_generator_refuses_sqlite(fresh_database: Database) -> None:
    svc = fresh_database.services()  # fresh_database is SQLite unless parametrized
    with pytest.raises(ValidationError, match="PostgreSQL only"):
        grow_scale_demo(svc, 100)
    assert svc.products.list().items == []  # refused before any master data
