"""Recalls on the multi-level genealogy of tests/trace_world.py, on SQLite and PostgreSQL: the
exact customers, orders, quantities, serials and stock; the recall hold of every affected lot
in the same transaction; recoveries and effectiveness as returns come back; notes; closing;
and requests that must write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from flow_support import MovableClock

from lotline.adapters import tables as t
from lotline.domain.errors import (
    Conflict,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from lotline.domain.statuses import HoldKind, Role
from support import FIXED_NOW, Kit
from trace_world import (
    RECALL_DELIVERIES,
    RECALL_LOTS,
    RECALL_ON_HAND,
    World,
    as_json,
    build_world,
    recall_summary,
)

D = Decimal


@pytest.fixture
def world(database: Any, clock: MovableClock) -> World:
    return build_world(database.services(clock=clock))


def _recall(world: World, **options: Any) -> Any:
    return world.svc.recalls.create(reason="Pesticide residue above the limit",
                                    batch_ids=[world.lot_id("OF-26-01")], **options)


def test_a_recall_names_every_customer_order_quantity_serial_and_stock(world: World) -> None:
    recall = _recall(world)
    assert recall_summary(as_json(recall)) == {
        "lots": RECALL_LOTS, "deliveries": RECALL_DELIVERIES,
        "customer_totals": [("Alice Deli", 22), ("Bob Market", 30), ("Carol Cafe", 5)],
        "on_hand": RECALL_ON_HAND, "shipped": 57}
    assert (recall.reference, recall.status, recall.held) == ("RC-000001", "open", False)
    assert recall.shipped_quantity == D(57) and recall.recovered_quantity == D(0)
    assert recall.effectiveness == D(0)
    assert recall.report["unattributed"] == [] and recall.report["pending"] == []
    assert recall.report["held_lots"] == [] and recall.created_at == FIXED_NOW
    customers = {entry["customer"]["name"]: entry["customer"] for entry in
                 recall.report["customers"]}
    assert customers["Alice Deli"]["address"]["city"] == "Lisbon"
    # Quantities come back as exact Decimals from the stored report.
    assert recall.report["customers"][1]["orders"][0]["deliveries"][0]["quantity"] == D(30)
    assert world.svc.recalls.get(recall.id) == recall
    for lot in ("OF-26-01", "BL-1", "BT-1", "GB-1", "HG-77"):
        assert world.svc.batches.get(world.lot_id(lot)).hold is None


def test_hold_puts_every_downstream_lot_on_recall_hold(world: World) -> None:
    svc = world.svc
    recall = _recall(world, hold=True)
    affected = [world.lot_id(n) for n, _depth in RECALL_LOTS]
    assert sorted(recall.report["held_lots"]) == sorted(affected)
    assert recall.report["already_held"] == []
    for batch_id in affected:
        hold = svc.batches.get(batch_id).hold
        assert hold is not None
        assert (hold.kind, hold.reason, hold.since) == (
            HoldKind.RECALL, "Pesticide residue above the limit", FIXED_NOW)
        assert svc.batches.get(batch_id).available_quantity == 0
    assert svc.batches.get(world.lot_id("HG-77")).hold is None
    order = svc.orders.create_order(reference="SO-LATE", customer_id=world.customers[
        "Bob Market"].id, lines=[{"product_id": world.products["bottle"].id, "quantity": 1}])
    with pytest.raises(InsufficientStock):
        svc.orders.allocate(order.id)
    audit = Kit(svc).count(t.audit_log, entity="batch", action="hold")
    assert audit == 4


def test_a_lot_already_on_hold_keeps_its_hold(world: World) -> None:
    svc = world.svc
    svc.batches.hold(world.lot_id("BT-1"), "damaged pallet", kind="quarantine")
    recall = _recall(world, hold=True)
    assert recall.report["already_held"] == [world.lot_id("BT-1")]
    assert len(recall.report["held_lots"]) == 3
    assert svc.batches.get(world.lot_id("BT-1")).hold.kind is HoldKind.QUARANTINE  # type: ignore[union-attr]


def test_holds_and_the_recall_are_one_transaction(world: World) -> None:
    svc = world.svc
    _recall(world, reference="RC-DUP")
    with pytest.raises(Conflict):
        svc.recalls.create(reason="again", batch_ids=[world.lot_id("HG-77")], hold=True,
                           reference="RC-DUP")
    assert svc.batches.get(world.lot_id("HG-77")).hold is None
    assert len(svc.recalls.list()) == 1


def test_recoveries_and_effectiveness_follow_the_returns_until_closing(
        world: World, clock: MovableClock) -> None:
    svc = world.svc
    recall = _recall(world, hold=True)
    clock.advance(days=2)
    svc.orders.returns(world.orders["SO-BOB"].id,
                       [{"batch_id": world.lot_id("BT-1"), "quantity": 10}], reason="recall")
    svc.orders.returns(world.orders["SO-ALICE"].id, [{"serial_number": "GB-001"}],
                       reason="recall")
    # A lot outside the recall coming back is not a recovery.
    svc.orders.returns(world.orders["SO-DAVE"].id,
                       [{"batch_id": world.lot_id("HG-77"), "quantity": 5}], reason="unrelated")
    now = svc.recalls.get(recall.id)
    assert (now.shipped_quantity, now.recovered_quantity, now.effectiveness) == (
        D(57), D(11), D("0.1930"))
    rows = Kit(svc).count(t.recall_recoveries, recall_id=recall.id)
    assert rows == 2
    noted = svc.recalls.add_note(recall.id, "Bob and Alice called back")
    assert [(n["by"], n["text"]) for n in noted.notes] == [
        ("library", "Bob and Alice called back")]
    closed = svc.recalls.close(recall.id, "all customers reached")
    assert (closed.status, closed.closed_at) == ("closed", clock())
    assert [n["text"] for n in closed.notes] == ["Bob and Alice called back",
                                                 "all customers reached"]
    with pytest.raises(Conflict, match="already closed"):
        svc.recalls.close(recall.id)
    svc.orders.returns(world.orders["SO-CAROL"].id,
                       [{"batch_id": world.lot_id("BL-1"), "quantity": 5}], reason="late")
    assert svc.recalls.get(recall.id).recovered_quantity == D(11)
    assert [r.status for r in svc.recalls.list()] == ["closed"]
    assert svc.recalls.list(status="open") == []
    assert svc.ledger.verify().ok


def test_a_supplier_recall_by_receipt_dates(world: World) -> None:
    svc = world.svc
    today = world.svc.actor.now().date()
    recall = svc.recalls.create(reason="farm audit", supplier_id=world.suppliers[
        "Olive Farm"].id, received_from=today, received_to=today + dt.timedelta(days=1))
    assert recall_summary(as_json(recall))["lots"] == RECALL_LOTS
    assert recall.criteria == {"batch_ids": [], "supplier_id": world.suppliers["Olive Farm"].id,
                               "received_from": today.isoformat(),
                               "received_to": (today + dt.timedelta(days=1)).isoformat()}
    with pytest.raises(ValidationError, match="no lot of this supplier"):
        svc.recalls.create(reason="x", supplier_id=world.suppliers["Olive Farm"].id,
                           received_to=today - dt.timedelta(days=1))


def test_bad_recalls_write_nothing(world: World, database: Any) -> None:
    svc = world.svc
    kit = Kit(svc)
    with pytest.raises(ValidationError, match="batch_ids: must be a non-empty list"):
        svc.recalls.create(reason="x", batch_ids=[], hold=True)
    with pytest.raises(ValidationError, match="received_to: 2026-01-01 is before "
                                              "received_from 2026-05-01"):
        svc.recalls.create(reason="x", supplier_id=world.suppliers["Olive Farm"].id,
                           received_from="2026-05-01", received_to="2026-01-01")
    with pytest.raises(ValidationError, match="reason"):
        svc.recalls.create(reason="  ", batch_ids=[world.lot_id("OF-26-01")])
    with pytest.raises(NotFound, match="batch_ids=no-such-lot"):
        svc.recalls.create(reason="x", batch_ids=[world.lot_id("OF-26-01"), "no-such-lot"],
                           hold=True)
    stranger = database.services()
    with pytest.raises(NotFound):
        stranger.recalls.create(reason="x", batch_ids=[world.lot_id("OF-26-01")])
    with pytest.raises(PermissionDenied):
        kit.as_role(Role.VIEWER).recalls.create(reason="x",
                                                batch_ids=[world.lot_id("OF-26-01")])
    assert kit.count(t.recalls) == 0
    assert svc.batches.get(world.lot_id("OF-26-01")).hold is None
    with pytest.raises(NotFound):
        svc.recalls.get("no-such-recall")
