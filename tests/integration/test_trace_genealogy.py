"""Trace on a multi-level genealogy (tests/trace_world.py: supplier lots → blend → repack →
customers), on SQLite and PostgreSQL: forward to the exact customers, orders, quantities and
serials; backward to the exact suppliers and receipts; a unit's trace through installation
and kitting; traces from scans; and transformations and installations that must write
nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flow_support import MovableClock

from lotline.adapters import tables as t
from lotline.domain.errors import Conflict, InsufficientStock, NotFound, ValidationError
from lotline.domain.statuses import SerialStatus
from support import Kit
from trace_world import (
    BACKWARD_FROM_BOTTLES,
    FORWARD_FROM_OLIVE_FARM,
    World,
    as_json,
    backward_summary,
    build_world,
    forward_summary,
)

D = Decimal


@pytest.fixture(scope="module")
def world(database: Any) -> World:
    """One world per backend for the read-only tests of this module."""
    return build_world(database.services(clock=MovableClock()))


@pytest.fixture
def own_world(database: Any) -> World:
    """A world of its own, for tests that change it."""
    return build_world(database.services(clock=MovableClock()))


# --- forward and backward ----------------------------------------------------------------------


def test_forward_from_a_supplier_lot_reaches_exactly_the_customers_of_its_products(
        world: World) -> None:
    tree = world.svc.trace.forward(world.lot_id("OF-26-01"))
    assert forward_summary(as_json(tree)) == FORWARD_FROM_OLIVE_FARM
    bottles = tree.outputs[0].outputs[0]
    alice = bottles.deliveries[0]
    assert (alice.order_id, alice.customer_id) == (world.orders["SO-ALICE"].id,
                                                   world.customers["Alice Deli"].id)
    assert alice.returned_quantity == 0
    assert alice.first_shipped_at == alice.last_shipped_at


def test_forward_from_the_other_supplier_lot_also_finds_its_direct_customer(
        world: World) -> None:
    tree = as_json(world.svc.trace.forward(world.lot_id("HG-77")))
    summary = forward_summary(tree)
    assert summary[:5] == ("HG-77", 5, 5, [("Dave Diner", "SO-DAVE", 5, [])], ["TR-BLEND"])
    assert summary[5] == FORWARD_FROM_OLIVE_FARM[5]  # the same blend below


def test_backward_from_the_bottles_reaches_both_suppliers_and_their_receipts(
        world: World) -> None:
    tree = world.svc.trace.backward(world.lot_id("BT-1"))
    assert backward_summary(as_json(tree)) == BACKWARD_FROM_BOTTLES
    olive_farm = tree.inputs[0].inputs[0]
    assert olive_farm.lot.supplier_id == world.suppliers["Olive Farm"].id
    assert olive_farm.lot.expiry_date.isoformat() == "2027-06-30"
    assert olive_farm.receipts[0].received_at == world.svc.actor.now()
    assert [t.kind for t in tree.made_by] == ["repacking"]


def test_a_unit_traces_back_through_its_lot_to_the_suppliers(world: World) -> None:
    unit = world.svc.trace.serial("GB-002")
    assert (unit.serial_number, unit.status, unit.order_id) == (
        "GB-002", "SHIPPED", world.orders["SO-ALICE"].id)
    assert [t.reference for t in unit.made_by] == ["TR-REPACK"]
    assert unit.receipts == [] and unit.installed_in == [] and unit.components == []
    assert unit.lot is not None
    assert backward_summary(as_json(unit.lot)) == (
        "GB-1", None, [], ["TR-REPACK"], list(BACKWARD_FROM_BOTTLES[4]))


def test_unknown_serials_and_lots_are_not_found_naming_what_was_searched(world: World) -> None:
    with pytest.raises(NotFound, match="serial_number=GB-999"):
        world.svc.trace.serial(" GB-999 ")
    with pytest.raises(NotFound, match="batch_id=no-such-lot"):
        world.svc.trace.forward("no-such-lot")
    with pytest.raises(NotFound, match="batch_id=no-such-lot"):
        world.svc.trace.backward("no-such-lot")


def test_another_organization_cannot_trace_these_lots(world: World, database: Any) -> None:
    stranger = database.services()
    with pytest.raises(NotFound):
        stranger.trace.forward(world.lot_id("OF-26-01"))
    with pytest.raises(NotFound):
        stranger.trace.serial("GB-002")


# --- from a scan -------------------------------------------------------------------------------


def test_a_scan_of_a_serial_number_gives_the_units_trace(world: World) -> None:
    found = world.svc.trace.scan("GB-002")
    assert found.scan.source == "serial_number"
    assert found.serial is not None and found.serial.serial_number == "GB-002"
    assert found.backward is None and found.forward is None
    forward = world.svc.trace.scan("GB-002", "forward")
    assert forward.forward is not None and forward.forward.lot.batch_number == "GB-1"


def test_a_gs1_scan_of_gtin_and_lot_gives_the_lots_tree(world: World) -> None:
    found = world.svc.trace.scan("(01)09506000134352(10)BT-1")
    assert found.scan.source == "gs1" and found.serial is None
    assert found.backward is not None
    assert backward_summary(as_json(found.backward)) == BACKWARD_FROM_BOTTLES
    forward = world.svc.trace.scan("(01)09506000134352(10)BT-1", "forward")
    assert forward.forward is not None
    assert forward_summary(as_json(forward.forward)) == FORWARD_FROM_OLIVE_FARM[5][0][5][0]


def test_a_scan_of_a_lot_number_and_of_nothing_known(world: World) -> None:
    found = world.svc.trace.scan("OF-26-01", "forward")
    assert found.forward is not None
    assert forward_summary(as_json(found.forward)) == FORWARD_FROM_OLIVE_FARM
    with pytest.raises(ValidationError, match="unrecognised input"):
        world.svc.trace.scan("NOTHING-HERE-42")
    with pytest.raises(NotFound, match="batch_number=NO-SUCH"):
        world.svc.trace.scan("(01)09506000134352(10)NO-SUCH")
    with pytest.raises(ValidationError, match="direction"):
        world.svc.trace.scan("GB-002", "sideways")


# --- installation and kitting ------------------------------------------------------------------


def test_installing_a_unit_links_it_both_ways_and_removing_it_unlinks(own_world: World) -> None:
    svc = own_world.svc
    box, part = svc.serials.lookup("GB-003"), svc.serials.lookup("GB-004")
    svc.serials.change_status(part.id, "INSTALLED", parent_serial_id=box.id)
    assert svc.trace.serial("GB-004").installed_in == ["GB-003"]
    assert svc.trace.serial("GB-003").components == ["GB-004"]
    svc.serials.change_status(part.id, "IN_STOCK")
    assert svc.trace.serial("GB-004").installed_in == []
    assert svc.trace.serial("GB-003").components == []


def test_installing_into_itself_or_its_own_component_writes_nothing(own_world: World) -> None:
    svc = own_world.svc
    kit = Kit(svc)
    box, part = svc.serials.lookup("GB-003"), svc.serials.lookup("GB-004")
    svc.serials.change_status(part.id, "INSTALLED", parent_serial_id=box.id)
    before = kit.count(t.movements)
    with pytest.raises(ValidationError, match="itself or into one of its own components"):
        svc.serials.change_status(box.id, "INSTALLED", parent_serial_id=box.id)
    with pytest.raises(ValidationError, match="itself or into one of its own components"):
        svc.serials.change_status(box.id, "INSTALLED", parent_serial_id=part.id)
    with pytest.raises(NotFound):
        svc.serials.change_status(box.id, "INSTALLED", parent_serial_id="no-such-unit")
    assert kit.count(t.movements) == before
    assert svc.serials.lookup("GB-003").status is SerialStatus.IN_STOCK
    assert svc.serials.lookup("GB-003").parent_serial_id is None


def test_a_kit_made_without_a_lot_traces_back_to_what_it_consumed(own_world: World) -> None:
    svc = own_world.svc
    kit_product = svc.products.create_product(sku="KIT", name="Tasting kit", tracking="serial")
    svc.transformations.transform(
        kind="kitting", reference="TR-KIT",
        inputs=[{"batch_id": own_world.lot_id("BT-1"), "quantity": 2},
                {"serial_number": "GB-005"}],
        outputs=[{"product_id": kit_product.id, "quantity": 1, "serial_numbers": ["KIT-1"]}])
    unit = svc.trace.serial("KIT-1")
    assert unit.lot is None
    assert [t.reference for t in unit.made_by] == ["TR-KIT"]
    assert unit.consumed_serials == ["GB-005"]
    assert [backward_summary(as_json(node)) for node in unit.inputs] == [
        BACKWARD_FROM_BOTTLES, ("GB-1", None, [], ["TR-REPACK"], BACKWARD_FROM_BOTTLES[4])]
    assert svc.serials.lookup("GB-005").status is SerialStatus.CONSUMED
    gifts = svc.trace.forward(own_world.lot_id("GB-1"))
    assert [t.reference for t in gifts.used_in] == ["TR-KIT"]
    assert gifts.on_hand == 2


# --- transformations that must write nothing ---------------------------------------------------


def _counts(kit: Kit) -> dict[str, int]:
    return {table.name: kit.count(table) for table in (
        t.transformations, t.genealogy, t.movements, t.batches, t.serials)}


def test_consuming_more_than_on_hand_writes_nothing(own_world: World) -> None:
    svc, kit = own_world.svc, Kit(own_world.svc)
    before = _counts(kit)
    with pytest.raises(InsufficientStock, match=r"inputs\.1: lot 'HG-77' has 5 free"):
        svc.transformations.transform(
            inputs=[{"batch_id": own_world.lot_id("OF-26-01"), "quantity": 10},
                    {"batch_id": own_world.lot_id("HG-77"), "quantity": 6}],
            outputs=[{"product_id": own_world.products["blend"].id, "batch_number": "BL-9",
                      "quantity": 16}])
    assert _counts(kit) == before
    assert svc.batches.get(own_world.lot_id("OF-26-01")).balance_quantity == D(40)
    assert svc.batches.by_number("BL-9") == []
    assert svc.ledger.verify().ok


def test_consuming_a_shipped_or_unknown_serial_writes_nothing(own_world: World) -> None:
    svc, kit = own_world.svc, Kit(own_world.svc)
    before = _counts(kit)
    output = [{"product_id": own_world.products["blend"].id, "batch_number": "BL-9",
               "quantity": 1}]
    with pytest.raises(Conflict, match="'GB-001' is SHIPPED; only IN_STOCK"):
        svc.transformations.transform(inputs=[{"serial_number": "GB-003"},
                                              {"serial_number": "GB-001"}], outputs=output)
    with pytest.raises(ValidationError, match="unknown serial"):
        svc.transformations.transform(inputs=[{"serial_number": "GB-404"}], outputs=output)
    with pytest.raises(NotFound, match=r"inputs\.0\.batch_id=nope"):
        svc.transformations.transform(inputs=[{"batch_id": "nope", "quantity": 1}],
                                      outputs=output)
    assert _counts(kit) == before
    assert svc.serials.lookup("GB-003").status is SerialStatus.IN_STOCK
    assert svc.ledger.verify().ok
