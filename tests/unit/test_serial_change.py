"""A serial's change of status decided from facts alone (domain.serial_change.decide): the
whole transition table, its effects, and the blocks of DESIGN §2, with no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotline.domain.errors import Conflict, InvalidTransition, LotBlocked, NotFound, ValidationError
from lotline.domain.lots import LotRecord
from lotline.domain.model import Hold, Location, Order, OrderLine, Serial
from lotline.domain.serial_change import (
    BalanceMove,
    ChangeRequest,
    Facts,
    OrderEffect,
    OrderFacts,
    decide,
)
from lotline.domain.statuses import (
    CANONICAL_STATUSES,
    MOVEMENT_KINDS,
    TRANSITIONS,
    HoldKind,
    LocationKind,
    LotStatus,
    MovementKind,
    SerialStatus,
)

S = SerialStatus
TODAY = dt.date(2026, 5, 1)
NOW = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
HOLD = Hold(reason="checking", kind=HoldKind.QUARANTINE, since=BEFORE)
# Where a unit in each status sits in these tests (None: out of custody).
IN_CUSTODY = {S.RECEIVED, S.IN_STOCK, S.ALLOCATED, S.PICKED, S.RETURNED, S.DEFECTIVE}
WITH_ORDER = {S.ALLOCATED, S.PICKED, S.SHIPPED, S.RETURNED}
BLOCKED = {S.ALLOCATED, S.PICKED, S.SHIPPED}
# DESIGN §2 and §5, written out by hand: the ledger kind of each allowed pair.
KINDS = {
    ("EXPECTED", "RECEIVED"): "receipt", ("EXPECTED", "IN_STOCK"): "receipt",
    ("EXPECTED", "CANCELLED"): "cancel", ("RECEIVED", "IN_STOCK"): "putaway",
    ("RECEIVED", "CANCELLED"): "cancel", ("IN_STOCK", "ALLOCATED"): "allocation",
    ("IN_STOCK", "SHIPPED"): "shipment", ("IN_STOCK", "DEFECTIVE"): "status_change",
    ("IN_STOCK", "SCRAPPED"): "scrap", ("IN_STOCK", "CONSUMED"): "consume",
    ("IN_STOCK", "INSTALLED"): "install", ("IN_STOCK", "CANCELLED"): "cancel",
    ("ALLOCATED", "IN_STOCK"): "deallocation", ("ALLOCATED", "PICKED"): "pick",
    ("ALLOCATED", "SHIPPED"): "shipment", ("PICKED", "SHIPPED"): "shipment",
    ("PICKED", "IN_STOCK"): "deallocation", ("SHIPPED", "RETURNED"): "return",
    ("SHIPPED", "DEFECTIVE"): "status_change", ("RETURNED", "IN_STOCK"): "putaway",
    ("RETURNED", "DEFECTIVE"): "status_change", ("RETURNED", "SCRAPPED"): "scrap",
    ("DEFECTIVE", "IN_STOCK"): "putaway", ("DEFECTIVE", "SCRAPPED"): "scrap",
    ("INSTALLED", "IN_STOCK"): "remove", ("INSTALLED", "SCRAPPED"): "scrap",
}


def location(code: str, held: bool = False) -> Location:
    return Location(id=f"loc-{code}", warehouse_id="wh-1", code=code, kind=LocationKind.STORAGE,
                    hold=HOLD if held else None, created_at=BEFORE)


def lot(**changes: object) -> LotRecord:
    record = LotRecord(
        id="lot-1", product_id="p-1", supplier_id=None, batch_number="L1",
        manufacturer_batch_number=None, internal_batch_number=None, external_batch_number=None,
        manufacturing_date=None, expiry_date=dt.date(2027, 1, 1), quantity=Decimal(10),
        unit_cost=Decimal("2.5"), purchase_date=dt.date(2026, 4, 1), received_at=BEFORE,
        entry_transaction_ref="mv-0", location_id="loc-STOCK", status=LotStatus.ACTIVE, hold=None,
        sales_rate=None, label_rate=None, custom_fields=[], serial_count=1, created_at=BEFORE,
        updated_at=BEFORE)
    return replace(record, **changes)  # type: ignore[arg-type]


def unit(status: SerialStatus, **changes: object) -> Serial:
    here = location("SHELF") if status in IN_CUSTODY else None
    serial = Serial(
        id="sn-1", serial_number="SN-1", product_id="p-1", batch_id="lot-1", status=status,
        order_id="so-1" if status in WITH_ORDER else None,
        location_id=here.id if here else None, warehouse_id="wh-1" if here else None,
        purchase_date=None, warranty_expiry=None, unit_cost=None, hold=None,
        parent_serial_id="sn-9" if status is S.INSTALLED else None, created_at=BEFORE,
        updated_at=BEFORE)
    return replace(serial, **changes)  # type: ignore[arg-type]


def order(status: str = "open", quantity: int = 2) -> Order:
    return Order(id="so-2", reference="SO-2", customer_id="c-1", status=status,
                 lines=[OrderLine(id="ol-1", line_no=1, product_id="p-1",
                                  quantity=Decimal(quantity), unit_price=None)],
                 created_at=BEFORE, updated_at=BEFORE)


def request_for(current: SerialStatus, target: SerialStatus) -> ChangeRequest:
    sells = target is S.SHIPPED and current is S.IN_STOCK
    return ChangeRequest(target, order_id="so-2" if target is S.ALLOCATED or sells else None,
                         parent_serial_id="sn-parent" if target is S.INSTALLED else None)


def facts_for(serial: Serial, request: ChangeRequest, **changes: object) -> Facts:
    """The facts a service would load for the request (the standard location is 'NEW')."""
    here = location("SHELF") if serial.location_id else None
    keeps = request.target in (S.ALLOCATED, S.PICKED, S.DEFECTIVE) or (
        request.target is S.IN_STOCK and serial.status in (S.ALLOCATED, S.PICKED))
    parent = unit(S.IN_STOCK, id="sn-parent", serial_number="P-1", location_id="loc-SHELF")
    facts = Facts(unit=serial, lot=lot(), here=here,
                  there=here if keeps else location("NEW"),
                  order=OrderFacts(order(), 0) if request.order_id else None,
                  parents=(parent,) if request.parent_serial_id else (), needs_lot=True,
                  today=TODAY, now=NOW)
    return replace(facts, **changes)  # type: ignore[arg-type]


ALL_PAIRS = [(a, b) for a in CANONICAL_STATUSES for b in CANONICAL_STATUSES]
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


def test_the_table_has_26_allowed_and_118_refused_pairs() -> None:
    assert (len(ALLOWED), len(REFUSED)) == (26, 118)
    assert {(a.value, b.value): MOVEMENT_KINDS[(a, b)].value for a, b in ALLOWED} == KINDS


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALLOWED))
def test_every_allowed_pair_succeeds_with_its_effects(pair: tuple[SerialStatus,
                                                                  SerialStatus]) -> None:
    current, target = pair
    serial = unit(current)
    request = request_for(current, target)
    facts = facts_for(serial, request)
    decision = decide(facts, request)
    after = decision.unit
    assert (after.status, after.updated_at, after.id) == (target, NOW, serial.id)
    assert decision.movement is MovementKind(KINDS[(current.value, target.value)])
    custody = target in IN_CUSTODY and not (target is S.DEFECTIVE and current is S.SHIPPED)
    expected_place = facts.there.id if custody and facts.there else None
    assert after.location_id == expected_place
    assert after.warehouse_id == ("wh-1" if expected_place else None)
    expected_order = ("so-2" if request.order_id else None if target is S.IN_STOCK
                      else serial.order_id)
    assert after.order_id == expected_order
    assert decision.movement_order_id == (expected_order or serial.order_id)
    assert after.parent_serial_id == ("sn-parent" if target is S.INSTALLED else None)
    moved = serial.location_id != expected_place
    assert decision.balance == (BalanceMove("lot-1", serial.location_id, expected_place,
                                            Decimal(1)) if moved else None)
    assert decision.leaves_lot_count is (target is S.CANCELLED)
    assert decision.unit_cost == Decimal("2.5")
    effects = {S.ALLOCATED: OrderEffect.ALLOCATE, S.PICKED: OrderEffect.PICK,
               S.SHIPPED: OrderEffect.SHIP}
    released = target is S.IN_STOCK and current in (S.ALLOCATED, S.PICKED)
    assert decision.order_effect is (OrderEffect.RELEASE if released
                                     else effects.get(target, OrderEffect.NONE))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REFUSED))
def test_every_other_pair_fails_naming_the_allowed_ones(pair: tuple[SerialStatus,
                                                                    SerialStatus]) -> None:
    current, target = pair
    request = request_for(current, target)
    with pytest.raises(InvalidTransition) as caught:
        decide(facts_for(unit(current), request), request)
    allowed = [s.value for s in TRANSITIONS[current]]
    assert (caught.value.current, caught.value.target, caught.value.allowed) == (
        current.value, target.value, allowed)
    assert caught.value.details["allowed"] == allowed
    shown = ", ".join(allowed) if allowed else "none (final status)"
    assert str(caught.value).endswith(f"allowed from {current.value}: {shown}")


BLOCKS = {
    "unit held": lambda f: replace(f, unit=replace(f.unit, hold=HOLD)),
    "lot held": lambda f: replace(f, lot=lot(hold=HOLD)),
    "lot expired": lambda f: replace(f, lot=lot(expiry_date=TODAY - dt.timedelta(days=1))),
    "lot inactive": lambda f: replace(f, lot=lot(status=LotStatus.INACTIVE)),
    "location held": lambda f: replace(f, here=location("SHELF", held=True)),
}


def check_blocks(pair: tuple[SerialStatus, SerialStatus], blocks: set[str]) -> None:
    current, target = pair
    request = request_for(current, target)
    facts = facts_for(unit(current), request)
    for name in blocks:
        facts = BLOCKS[name](facts)
    # A held location blocks only a unit that is there.
    effective = blocks - ({"location held"} if facts.unit.location_id is None else set())
    if target in BLOCKED and effective:
        with pytest.raises(LotBlocked):
            decide(facts, request)
    else:
        assert decide(facts, request).unit.status is target


@pytest.mark.parametrize("block", sorted(BLOCKS))
@pytest.mark.parametrize("pair", ALLOWED, ids=lambda p: f"{p[0].value}-{p[1].value}")
def test_each_hold_and_expiry_blocks_allocated_picked_and_shipped(
        pair: tuple[SerialStatus, SerialStatus], block: str) -> None:
    check_blocks(pair, {block})


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALLOWED), st.sets(st.sampled_from(sorted(BLOCKS)), min_size=1))
def test_any_mix_of_holds_and_expiry_blocks_them_too(
        pair: tuple[SerialStatus, SerialStatus], blocks: set[str]) -> None:
    check_blocks(pair, blocks)


def test_a_lot_is_expired_on_its_expiry_date_not_the_day_before() -> None:
    request = request_for(S.IN_STOCK, S.ALLOCATED)
    tomorrow = facts_for(unit(S.IN_STOCK), request,
                         lot=lot(expiry_date=TODAY + dt.timedelta(days=1)))
    assert decide(tomorrow, request).unit.status is S.ALLOCATED
    with pytest.raises(LotBlocked, match="lot 'L1' of serial 'SN-1' is expired on 2026-05-01; "
                                         "it cannot be allocated"):
        decide(replace(tomorrow, lot=lot(expiry_date=TODAY)), request)


@pytest.mark.parametrize(("the_order", "assigned", "error", "text"), [
    (order("cancelled"), 0, Conflict, "order 'SO-2' is cancelled"),
    (order("shipped"), 0, Conflict, "order 'SO-2' is shipped"),
    (order(quantity=2), 2, Conflict, "order 'SO-2' wants 2 of product p-1; all are assigned"),
    (replace(order(), lines=[]), 0, ValidationError, "order_id: order 'SO-2' has no line for "
                                                     "product p-1"),
])
def test_allocation_needs_an_open_order_with_room(the_order: Order, assigned: int,
                                                 error: type[Exception], text: str) -> None:
    request = request_for(S.IN_STOCK, S.ALLOCATED)
    facts = facts_for(unit(S.IN_STOCK), request, order=OrderFacts(the_order, assigned))
    with pytest.raises(error, match=text):
        decide(facts, request)


def test_allocation_without_an_order_names_the_field() -> None:
    request = ChangeRequest(S.ALLOCATED)
    with pytest.raises(ValidationError) as caught:
        decide(facts_for(unit(S.IN_STOCK), request), request)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("order_id", "is required to allocate a unit (or customer_id to reserve it for a "
                     "customer)")]


def test_an_order_named_on_another_change_is_refused() -> None:
    request = ChangeRequest(S.SCRAPPED, order_id="so-2")
    with pytest.raises(ValidationError, match="order_id: an order is set only when a unit is "
                                              "allocated or sold, not on SCRAPPED"):
        decide(facts_for(unit(S.IN_STOCK), request), request)


def test_an_order_the_service_did_not_find_is_not_found() -> None:
    request = request_for(S.IN_STOCK, S.ALLOCATED)
    with pytest.raises(NotFound, match="order not found: order_id=so-2"):
        decide(facts_for(unit(S.IN_STOCK), request, order=None), request)


def test_install_needs_a_live_parent_that_is_not_its_own_component() -> None:
    request = ChangeRequest(S.INSTALLED)
    with pytest.raises(ValidationError, match="parent_serial_id: is required"):
        decide(facts_for(unit(S.IN_STOCK), request), request)
    request = request_for(S.IN_STOCK, S.INSTALLED)
    scrapped = unit(S.SCRAPPED, id="sn-parent", serial_number="P-1")
    with pytest.raises(Conflict, match="serial 'P-1' is SCRAPPED; nothing can be installed"):
        decide(facts_for(unit(S.IN_STOCK), request, parents=(scrapped,)), request)
    own = unit(S.INSTALLED, id="sn-parent", serial_number="P-1", parent_serial_id="sn-1")
    chain = (own, unit(S.IN_STOCK))
    with pytest.raises(ValidationError, match="cannot be installed into itself or into one of "
                                              "its own components"):
        decide(facts_for(unit(S.IN_STOCK), request, parents=chain), request)


def test_a_lot_and_serial_unit_without_its_lot_cannot_enter_custody() -> None:
    request = request_for(S.EXPECTED, S.RECEIVED)
    facts = facts_for(unit(S.EXPECTED, batch_id=None), request, lot=None)
    with pytest.raises(ValidationError, match="batch_id: serial 'SN-1' of a lot and serial"):
        decide(facts, request)
    cancelled = decide(replace(facts, there=None), ChangeRequest(S.CANCELLED))
    assert (cancelled.unit.status, cancelled.balance) == (S.CANCELLED, None)


def test_the_first_unit_of_a_lot_to_arrive_is_its_first_arrival() -> None:
    request = request_for(S.EXPECTED, S.RECEIVED)
    dated = lot(entry_transaction_ref=None, received_at=BEFORE + dt.timedelta(hours=1))
    fresh = facts_for(unit(S.EXPECTED), request, lot=dated)
    decision = decide(fresh, request)
    assert decision.lot_arrival == {"location_id": "loc-NEW", "updated_at": NOW}
    assert decision.balance == BalanceMove("lot-1", None, "loc-NEW", Decimal(1))
    assert decision.balance.received is True
    assert decide(facts_for(unit(S.EXPECTED), request), request).lot_arrival is None
    # A lot made without a purchase date was "received" when it was made: the first
    # arrival sets its received_at and purchase_date.
    undated = replace(fresh, lot=lot(entry_transaction_ref=None, received_at=BEFORE))
    assert decide(undated, request).lot_arrival == {
        "location_id": "loc-NEW", "updated_at": NOW, "received_at": NOW,
        "purchase_date": TODAY}
