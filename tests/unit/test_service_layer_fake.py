"""The use cases on an in-memory unit of work (tests/unit/fake_uow.py): no database, so the
service layer's rules are checked on their own — receive, allocate, pick, ship, return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fake_uow import FakeUnitsOfWork

from lotline.domain.errors import Conflict, InsufficientStock
from lotline.domain.statuses import MovementKind, Role
from lotline.service_layer.batches import BatchService
from lotline.service_layer.catalog import ProductService
from lotline.service_layer.context import Actor
from lotline.service_layer.orders import OrderService
from lotline.service_layer.organizations import add_warehouse
from lotline.service_layer.parties import CustomerService

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class World:
    def __init__(self) -> None:
        self.uows = FakeUnitsOfWork()
        self.actor = Actor(org_id="org-1", name="tester", role=Role.ADMIN, clock=lambda: NOW)
        with self.uows(self.actor) as uow:
            add_warehouse(uow, "MAIN", "Main warehouse", is_default=True)
        self.products = ProductService(self.uows, self.actor)
        self.batches = BatchService(self.uows, self.actor)
        self.orders = OrderService(self.uows, self.actor)
        self.customer = CustomerService(self.uows, self.actor).create_customer(name="Acme")
        self.product = self.products.create_product(sku="FLOUR", name="Flour", tracking="lot")

    def receive(self, number: str, quantity: int, expiry: str, cost: str = "2") -> str:
        lot = self.batches.create(product_id=self.product.id, batch_number=number,
                                  quantity=quantity, unit_cost=cost, expiry_date=expiry)
        return lot.id

    def order(self, reference: str, quantity: int) -> str:
        return self.orders.create_order(reference, self.customer.id, [
            {"product_id": self.product.id, "quantity": quantity}]).id

    def ledger(self) -> list[tuple[str, str | None, Decimal]]:
        return [(m.kind.value, m.batch_id, m.quantity) for m in self.uows.store.movements]

    def balance(self, batch_id: str) -> tuple[Decimal, Decimal]:
        balances = [r for r in self.uows.store.tables["lot_balances"].values()
                    if r["batch_id"] == batch_id]
        return (sum((r["balance_quantity"] for r in balances), Decimal(0)),
                sum((r["allocated_quantity"] for r in balances), Decimal(0)))


@pytest.fixture
def world() -> World:
    return World()


def test_receiving_a_lot_puts_it_in_stock_with_a_receipt_movement(world: World) -> None:
    lot = world.receive("L1", 10, "2026-12-31")
    assert world.balance(lot) == (Decimal(10), Decimal(0))
    assert world.ledger() == [("receipt", lot, Decimal(10))]
    assert world.batches.get(lot).available_quantity == Decimal(10)


def test_allocation_takes_the_lot_expiring_first_and_reserves_it(world: World) -> None:
    late = world.receive("LATE", 10, "2026-12-31")
    early = world.receive("EARLY", 4, "2026-06-30")
    order = world.order("SO-1", 6)
    view = world.orders.allocate(order)
    assert [(a.batch_id, a.quantity) for a in view.lines[0].allocations] == [
        (early, Decimal(4)), (late, Decimal(2))]
    assert view.status == "allocated"
    assert world.balance(early) == (Decimal(4), Decimal(4))
    assert world.balance(late) == (Decimal(10), Decimal(2))
    assert world.ledger()[-2:] == [("allocation", early, Decimal(4)),
                                   ("allocation", late, Decimal(2))]


def test_a_shortfall_fails_the_allocation_and_leaves_nothing_behind(world: World) -> None:
    lot = world.receive("L1", 3, "2026-12-31")
    order = world.order("SO-1", 5)
    with pytest.raises(InsufficientStock, match="FLOUR short by 2"):
        world.orders.allocate(order)
    assert world.balance(lot) == (Decimal(3), Decimal(0))
    assert world.ledger() == [("receipt", lot, Decimal(3))]
    assert world.uows.store.tables["order_allocations"] == {}


def test_shipping_takes_the_reserved_stock_out_at_the_lot_cost(world: World) -> None:
    lot = world.receive("L1", 10, "2026-12-31", cost="2.5")
    order = world.order("SO-1", 4)
    world.orders.allocate(order)
    view = world.orders.ship(order, carrier="DHL")
    assert view.status == "shipped"
    assert view.cost_of_goods == Decimal(10)
    assert len(view.shipments) == 1
    assert world.balance(lot) == (Decimal(6), Decimal(0))
    assert world.ledger()[-1] == ("shipment", lot, Decimal(4))


def test_a_return_brings_units_back_into_the_lot(world: World) -> None:
    lot = world.receive("L1", 10, "2026-12-31")
    order = world.order("SO-1", 4)
    world.orders.allocate(order)
    world.orders.ship(order)
    view = world.orders.returns(order, [{"batch_id": lot, "quantity": 3}], "damaged box")
    assert world.balance(lot) == (Decimal(9), Decimal(0))
    assert world.ledger()[-1] == ("return", lot, Decimal(3))
    assert view.cost_of_goods == Decimal(2)  # one unit stays sold, at 2


def test_kinds_recorded_by_a_whole_flow(world: World) -> None:
    lot = world.receive("L1", 10, "2026-12-31")
    order = world.order("SO-1", 4)
    world.orders.allocate(order)
    world.orders.ship(order)
    world.orders.returns(order, [{"batch_id": lot, "quantity": 1}], "wrong item")
    assert [kind for kind, _, _ in world.ledger()] == [
        MovementKind.RECEIPT.value, MovementKind.ALLOCATION.value,
        MovementKind.SHIPMENT.value, MovementKind.RETURN.value]


def test_picking_a_lot_marks_its_allocation_picked_and_records_a_pick(world: World) -> None:
    lot = world.receive("L1", 10, "2026-12-31")
    order = world.order("SO-1", 4)
    world.orders.allocate(order)
    view = world.orders.pick(order, [{"batch_id": lot, "quantity": 3},
                                     {"batch_number": "L1", "quantity": 1}])
    allocation = view.lines[0].allocations[0]
    assert (allocation.batch_id, allocation.quantity) == (lot, Decimal(4))
    statuses = [a["status"] for a in world.uows.store.tables["order_allocations"].values()]
    assert statuses == ["picked"]
    assert world.ledger()[-2:] == [("pick", lot, Decimal(3)), ("pick", lot, Decimal(1))]


def test_picking_more_than_allocated_is_refused_and_writes_nothing(world: World) -> None:
    lot = world.receive("L1", 10, "2026-12-31")
    order = world.order("SO-1", 2)
    world.orders.allocate(order)
    before = world.ledger()
    with pytest.raises(Conflict, match="only 2 of this lot are left to pick"):
        world.orders.pick(order, [{"batch_id": lot, "quantity": 3}])
    assert world.ledger() == before
