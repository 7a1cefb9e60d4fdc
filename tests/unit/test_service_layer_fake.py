"""The use cases on an in-memory unit of work (tests/unit/fake_uow.py): no database, so the
service layer's rules are checked on their own — receive, allocate, pick, ship, return,
recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fake_uow import FakeUnitsOfWork

from lotline.domain.errors import Conflict, InsufficientStock, NotFound
from lotline.domain.statuses import MovementKind, Role
from lotline.service_layer.batches import BatchService
from lotline.service_layer.catalog import ProductService
from lotline.service_layer.context import Actor
from lotline.service_layer.orders import OrderService
from lotline.service_layer.organizations import add_warehouse
from lotline.service_layer.parties import CustomerService
from lotline.service_layer.recalls import RecallService

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


# --- recalls ---------------------------------------------------------------------------------


class RecallWorld(World):
    """Lot L1 (10 at 2): 3 shipped to Acme, 2 to Bolt, 1 allocated to Acme and not shipped."""

    def __init__(self) -> None:
        super().__init__()
        self.recalls = RecallService(self.uows, self.actor)
        self.bolt = CustomerService(self.uows, self.actor).create_customer(name="Bolt")
        self.lot = self.receive("L1", 10, "2026-12-31")
        self.shipped_acme = self.order("SO-1", 3)
        self.shipped_bolt = self.orders.create_order("SO-2", self.bolt.id, [
            {"product_id": self.product.id, "quantity": 2}]).id
        for order in (self.shipped_acme, self.shipped_bolt):
            self.orders.allocate(order)
            self.orders.ship(order)
        self.pending = self.order("SO-3", 1)
        self.orders.allocate(self.pending)


@pytest.fixture
def recall_world() -> RecallWorld:
    return RecallWorld()


def test_a_recall_reports_who_received_the_lot_what_is_on_hand_and_pending(
        recall_world: RecallWorld) -> None:
    w = recall_world
    view = w.recalls.create(reason="salmonella", batch_ids=[w.lot])
    report = view.report
    assert [(c["customer"]["name"], c["quantity"],
             [o["order_reference"] for o in c["orders"]]) for c in report["customers"]] == [
        ("Acme", Decimal(3), ["SO-1"]), ("Bolt", Decimal(2), ["SO-2"])]
    assert report["unattributed"] == []
    assert [(r["batch_id"], r["location_code"], r["quantity"], r["allocated"])
            for r in report["on_hand"]] == [(w.lot, "STOCK", Decimal(5), Decimal(1))]
    assert [(r["order_reference"], r["status"], r["quantity"]) for r in report["pending"]] == [
        ("SO-3", "allocated", Decimal(1))]
    assert (view.reference, view.status, view.held) == ("RC-000001", "open", False)
    assert (view.shipped_quantity, view.recovered_quantity) == (Decimal(5), Decimal(0))
    assert view.effectiveness == Decimal("0.0000")
    assert report["held_lots"] == [] and report["already_held"] == []
    event = w.uows.store.events[-1]
    assert (event["type"], event["data"]["lots"]) == ("recall.opened", [
        {"batch_id": w.lot, "lot_number": "L1",
         "product": {"id": w.product.id, "sku": "FLOUR", "gtin": None}}])


def test_a_recall_with_hold_puts_the_lot_on_recall_hold_so_it_cannot_be_allocated(
        recall_world: RecallWorld) -> None:
    w = recall_world
    view = w.recalls.create(reason="salmonella", batch_ids=[w.lot], hold=True)
    assert view.held is True
    assert (view.report["held_lots"], view.report["already_held"]) == ([w.lot], [])
    lot = w.batches.get(w.lot)
    assert lot.hold is not None
    assert (lot.hold.kind.value, lot.hold.reason) == ("recall", "salmonella")
    assert [e["entity_id"] for e in w.uows.store.tables["audit"].values()
            if e["action"] == "hold"] == [w.lot]
    order = w.order("SO-4", 1)
    with pytest.raises(InsufficientStock, match="FLOUR short by 1"):
        w.orders.allocate(order)
    again = w.recalls.create(reason="second notice", batch_ids=[w.lot], hold=True)
    assert (again.report["held_lots"], again.report["already_held"]) == ([], [w.lot])


def test_returns_of_a_recalled_lot_count_as_recovered_and_close_ends_the_recall(
        recall_world: RecallWorld) -> None:
    w = recall_world
    recall = w.recalls.create(reason="salmonella", batch_ids=[w.lot])
    w.orders.returns(w.shipped_acme, [{"batch_id": w.lot, "quantity": 2}], "recalled")
    view = w.recalls.get(recall.id)
    assert (view.shipped_quantity, view.recovered_quantity) == (Decimal(5), Decimal(2))
    assert view.effectiveness == Decimal("0.4000")
    acme = view.report["customers"][0]
    assert (acme["customer"]["name"], acme["orders"][0]["deliveries"][0]["returned_quantity"]
            ) == ("Acme", Decimal(2))
    noted = w.recalls.add_note(recall.id, "called Acme")
    assert [n["text"] for n in noted.notes] == ["called Acme"]
    closed = w.recalls.close(recall.id, "all customers told")
    assert (closed.status, closed.closed_at) == ("closed", NOW)
    assert [n["text"] for n in closed.notes] == ["called Acme", "all customers told"]
    with pytest.raises(Conflict, match="already closed"):
        w.recalls.close(recall.id)
    assert [e["type"] for e in w.uows.store.events[-3:]] == [
        "order.returned", "recall.updated", "recall.closed"]


def test_a_recall_naming_an_unknown_lot_fails_naming_the_field_and_writes_nothing(
        recall_world: RecallWorld) -> None:
    w = recall_world
    before = (dict(w.uows.store.tables["recalls"]), list(w.uows.store.events))
    with pytest.raises(NotFound) as raised:
        w.recalls.create(reason="salmonella", batch_ids=[w.lot, "no-such-lot"], hold=True)
    assert raised.value.field == "batch_ids"
    assert (dict(w.uows.store.tables["recalls"]), list(w.uows.store.events)) == before
    assert w.batches.get(w.lot).hold is None
