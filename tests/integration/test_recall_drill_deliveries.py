"""A recall drill groups its customers from the movements it reads for its two documents
(on SQLite; `adapters/repositories/drill_deliveries.py`): what it hands over must be, to the
last digit and in the same order, what a recall's report reads with its grouped query. Here
with partial and fractional shipments, returns, a reversed shipment, serials, customer names
that sort by case and accents, and units carried in a shipped assembly."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from flow_support import MovableClock

from lotline.adapters.repositories.drill_deliveries import (
    BATCH_ID,
    KIND,
    OCCURRED_AT,
    ORDER_ID,
    QUANTITY,
    SERIAL_NUMBER,
)
from lotline.adapters.repositories.drill_rows import FIELDS
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork as UnitOfWork
from lotline.bootstrap import Services
from lotline.domain.statuses import MovementKind
from lotline.service_layer.epcis import MOVEMENT_KINDS
from support import Kit
from trace_world import add_hamper, build_world


def drill_and_recall(svc: Services, batch_id: str) -> tuple[str, str]:
    """The drill's customers, unattributed and quantity shipped, and the recall's, as text
    (a Decimal 3.0 is not written as 3)."""
    drilled = svc.recalls.drill(batch_id)
    report = svc.recalls.create(reason="drill check", batch_ids=[batch_id]).report
    return (repr((drilled.customers, drilled.unattributed, drilled.shipped_quantity)),
            repr((report["customers"], report["unattributed"], report["shipped_quantity"])))


def ship(svc: Services, order_id: str, quantity: Any = None) -> Any:
    """Allocate (all, or `quantity` of the order's one line) and ship."""
    if quantity is None:
        svc.orders.allocate(order_id)
    else:
        line = svc.orders.get(order_id).lines[0]
        svc.orders.allocate(order_id, lines=[{"line_id": line.id, "quantity": quantity}])
    return svc.orders.ship(order_id)


def test_lot_quantities_group_as_the_recall_reads_them(svc: Services) -> None:
    kit = Kit(svc)
    product = kit.product()
    lot = kit.lot(product, number="DR-1", quantity=40)
    names = ["bob", "Bob", "Álvaro", "alice", "Zoe", "Yan"]  # binary: Bob, Yan, Zoe, alice
    orders = [kit.order(product, quantity=3, customer=kit.customer(name)) for name in names]
    split = svc.orders.create_order(reference="SO-SPLIT", customer_id=orders[0].customer_id,
                                    lines=[{"product_id": product.id, "quantity": "1.5"}])
    ship(svc, split.id, "0.75")
    ship(svc, split.id, "0.75")  # two shipments of 0.75: 1.5, not 1.50
    for order in orders[:5]:
        ship(svc, order.id)
    svc.orders.returns(orders[1].id, [{"batch_id": lot.id, "quantity": 1}], reason="dented")
    svc.orders.returns(orders[1].id, [{"batch_id": lot.id, "quantity": "0.5"}], reason="x")
    reversed_view = ship(svc, orders[5].id)
    svc.orders.reverse_shipment(reversed_view.shipments[0], reason="truck never left")

    drilled, recalled = drill_and_recall(svc, lot.id)
    assert drilled == recalled
    assert "Decimal('1.5')" in drilled and "Decimal('1.50')" not in drilled
    assert "'Yan'" not in drilled
    assert drilled.index("'Bob'") < drilled.index("'Zoe'") < drilled.index("'alice'") \
        < drilled.index("'bob'") < drilled.index("'Álvaro'")


def test_serials_group_as_the_recall_reads_them(svc: Services) -> None:
    kit = Kit(svc)
    product, lot = kit.serial_lot(quantity=6, number="DR-S")
    svc.serials.register_many(["S-06", "S-02", "S-05", "S-01", "S-04", "S-03"],
                              batch_id=lot.id)
    first, second = kit.order(product, quantity=4), kit.order(product, quantity=2)
    ship(svc, first.id)
    ship(svc, second.id)

    drilled, recalled = drill_and_recall(svc, lot.id)
    assert drilled == recalled
    lists = [ast.literal_eval(found) for found in re.findall(r"'serial_numbers': (\[.*?\])",
                                                               drilled)]
    assert sorted(map(len, lists)) == [2, 4] and all(found == sorted(found) for found in lists)


@pytest.fixture
def assembled(database: Any) -> Any:
    return add_hamper(build_world(database.services(clock=MovableClock())))


@pytest.mark.parametrize("lot", ["OF-26-01", "GB-1"])
def test_a_trace_and_an_assembly_group_as_the_recall_reads_them(assembled: Any,
                                                                 lot: str) -> None:
    drilled, recalled = drill_and_recall(assembled.svc, assembled.lot_id(lot))
    assert drilled == recalled
    assert "'Dave Diner'" in drilled if lot == "GB-1" else "'Carol Cafe'" in drilled


def test_the_positions_grouped_are_the_drill_rows_fields() -> None:
    named = ("kind", "occurred_at", "quantity", "order_id", "serial_number", "batch_id")
    positions = (KIND, OCCURRED_AT, QUANTITY, ORDER_ID, SERIAL_NUMBER, BATCH_ID)
    assert tuple(FIELDS.index(name) for name in named) == positions


def test_the_drill_movements_come_oldest_first_whenever_they_were_recorded(
        svc: Services) -> None:
    """On SQLite the rows are sorted in Python, not by the database: by when they happened
    and then by id, as the database would, not in the order they were recorded."""
    kit = Kit(svc)
    product = kit.product()
    lot = kit.lot(product, number="DR-T", quantity=0)
    stock = kit.stock_location_id()
    start = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with UnitOfWork(svc.engine, svc.actor) as uow:
        recorded = [uow.ledger.record(MovementKind.RECEIPT, product_id=product.id,
                                      batch_id=lot.id, quantity=Decimal(1),
                                      to_location_id=stock,
                                      occurred_at=start - dt.timedelta(hours=hours)).id
                    for hours in (1, 3, 3, 2)]  # two at one moment: then by id
        uow.commit()
    with UnitOfWork(svc.engine, svc.actor) as uow:
        found = [row.id for row in uow.reports.drill_movements(MOVEMENT_KINDS, [lot.id])]
    assert found == [*sorted(recorded[1:3]), recorded[3], recorded[0]]
