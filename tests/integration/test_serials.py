"""Serials, DESIGN §2: registration (one and bulk, all or nothing), the status lifecycle with
its rules, lookup, search with cursor paging, counts and history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.model import Serial
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.errors import (
    Conflict,
    DuplicateSerial,
    InsufficientStock,
    InvalidTransition,
    LotBlocked,
    NotFound,
    ValidationError,
)
from support import FIXED_NOW, Kit

S = SerialStatus


def fields_of(error: ValidationError) -> list[str]:
    return sorted(e.field for e in error.errors)


# --- registration ------------------------------------------------------------------------------


def test_register_one_serial_into_a_lot(fixed_svc: Services, fixed_kit: Kit) -> None:
    product, batch = fixed_kit.serial_lot(quantity=500, unit_cost="20.00")
    serial = fixed_svc.serials.register("  SN-00042 ", batch_id=batch.id,
                                        warranty_expiry="2028-04-10")
    stock = fixed_svc.warehouses.location_by_code("STOCK")
    assert (serial.serial_number, serial.product_id, serial.batch_id, serial.status,
            serial.order_id, serial.location_id, serial.warehouse_id, serial.warranty_expiry,
            serial.hold, serial.parent_serial_id, serial.created_at) == (
        "SN-00042", product.id, batch.id, S.IN_STOCK, None, stock.id, stock.warehouse_id,
        dt.date(2028, 4, 10), None, None, FIXED_NOW)
    after = fixed_svc.batches.get(batch.id)
    (movement,) = fixed_kit.movements(batch_id=batch.id)
    assert (movement.kind, movement.serial_id, movement.quantity, movement.to_location_id,
            movement.to_status, movement.unit_cost, movement.serial_numbers) == (
        MovementKind.RECEIPT, serial.id, 1, stock.id, S.IN_STOCK, Decimal(20), ())
    assert (after.balance_quantity, after.available_quantity, after.entry_transaction_ref,
            after.location_id, after.received_at) == (1, 1, movement.id, stock.id, FIXED_NOW)
    assert fixed_svc.serials.get(serial.id) == serial


def test_register_many_writes_one_movement_covering_all(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=10)
    created = svc.serials.register_many(["SN-3", "SN-1", " SN-2\n"], batch_id=batch.id)
    assert len(created) == 3
    assert [s.serial_number for s in created] == ["SN-3", "SN-1", "SN-2"]
    assert created[-1].serial_number == "SN-2"
    assert [s.serial_number for s in created[0:2]] == ["SN-3", "SN-1"]
    assert all(s.status is S.IN_STOCK and s.batch_id == batch.id for s in created)
    (movement,) = kit.movements(batch_id=batch.id)
    assert (movement.kind, movement.quantity, movement.serial_id, movement.serial_numbers) == (
        MovementKind.RECEIPT, 3, None, ("SN-1", "SN-2", "SN-3"))
    for serial in created:
        assert svc.serials.get(serial.id) == serial
        assert [m.id for m in svc.serials.history(serial.id)] == [movement.id]
    assert svc.batches.get(batch.id).balance_quantity == 3
    assert kit.chain_problems() == []


def test_register_expected_and_received(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    expected = svc.serials.register("EXP-1", batch_id=batch.id, status="expected")
    assert (expected.status, expected.location_id, expected.warehouse_id) == (
        S.EXPECTED, None, None)
    received = svc.serials.register("REC-1", batch_id=batch.id, status="RECEIVED")
    assert received.location_id == kit.location_id("RECEIVING")
    kinds = [(m.kind, m.to_status) for m in kit.movements(batch_id=batch.id)]
    assert kinds == [(MovementKind.STATUS_CHANGE, S.EXPECTED), (MovementKind.RECEIPT,
                                                                 S.RECEIVED)]
    after = svc.batches.get(batch.id)
    assert (after.balance_quantity, after.available_quantity) == (1, 0)  # RECEIVED: on hand


def test_serial_product_needs_no_lot(svc: Services, kit: Kit) -> None:
    product = kit.product("serial")
    serial = svc.batch_tracking.register_serial(serial_number="SN-9", product_id=product.id,
                                                unit_cost="99.90", purchase_date="2026-01-02")
    assert (serial.batch_id, serial.product_id, serial.unit_cost, serial.purchase_date) == (
        None, product.id, Decimal("99.9"), dt.date(2026, 1, 2))
    (movement,) = kit.movements(product_id=product.id)
    assert (movement.stream_id, movement.batch_id, movement.unit_cost) == (
        product.id, None, Decimal("99.9"))
    assert kit.chain_problems() == []


def test_registration_bad_input(svc: Services, kit: Kit) -> None:
    lot_serial, batch = kit.serial_lot()
    with pytest.raises(ValidationError) as caught:
        svc.serials.register("SN-1", product_id=lot_serial.id)
    assert fields_of(caught.value) == ["batch_id"]
    with pytest.raises(ValidationError) as caught:
        svc.serials.register("SN-1", product_id=kit.product("lot").id)
    assert fields_of(caught.value) == ["product_id"]
    with pytest.raises(ValidationError) as caught:
        svc.serials.register("SN-1")
    assert fields_of(caught.value) == ["batch_id"]
    with pytest.raises(ValidationError) as caught:
        svc.serials.register("SN-1", batch_id=batch.id, status="SHIPPED")
    assert fields_of(caught.value) == ["status"]
    with pytest.raises(ValidationError) as caught:
        svc.serials.register("SN-1", batch_id=batch.id, status="LOST")
    assert "'LOST'" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        svc.serials.register("SN-1", batch_id=batch.id, product_id=kit.product("serial").id)
    assert fields_of(caught.value) == ["product_id"]
    with pytest.raises(NotFound) as caught_nf:
        svc.serials.register("SN-1", batch_id="ghost")
    assert (caught_nf.value.entity, caught_nf.value.field) == ("batch", "batch_id")
    with pytest.raises(NotFound) as caught_nf:
        svc.serials.register("SN-1", product_id="ghost")
    assert (caught_nf.value.entity, caught_nf.value.field) == ("product", "product_id")
    with pytest.raises(NotFound) as caught_nf:
        svc.serials.register("SN-1", batch_id=batch.id, location_id="ghost")
    assert caught_nf.value.field == "location_id"
    assert kit.count(t.serials) == 0
    assert kit.movements() == []


@pytest.mark.parametrize(("numbers", "fields"), [
    (["A", "   ", "B", ""], ["serial_numbers.1", "serial_numbers.3"]),
    (["A", "x" * 101], ["serial_numbers.1"]),
    (["A", "B\x00"], ["serial_numbers.1"]),
    (["A", 7], ["serial_numbers.1"]),
    ([], ["serial_numbers"]),
    ("A,B", ["serial_numbers"]),
])
def test_bulk_registration_rejects_bad_numbers(svc: Services, kit: Kit, numbers: object,
                                               fields: list[str]) -> None:
    _product, batch = kit.serial_lot()
    with pytest.raises(ValidationError) as caught:
        svc.serials.register_many(numbers, batch_id=batch.id)
    assert fields_of(caught.value) == fields
    assert kit.count(t.serials) == 0


def test_repeated_numbers_in_one_request_are_all_named(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    with pytest.raises(ValidationError) as caught:
        svc.serials.register_many(["A", "B", "C", "B", " A", "D", "A"], batch_id=batch.id)
    (error,) = caught.value.errors
    assert error.field == "serial_numbers"
    assert error.value == ["A", "B"]
    assert "A, B" in error.message
    assert kit.count(t.serials) == 0
    assert kit.movements() == []


def test_duplicates_in_the_database_are_all_named_and_nothing_is_written(svc: Services,
                                                                         kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=20)
    svc.serials.register_many(["SN-1", "SN-2", "SN-3"], batch_id=batch.id)
    with pytest.raises(DuplicateSerial) as caught:
        svc.serials.register_many(["SN-4", "SN-3", "SN-5", "SN-1"], batch_id=batch.id)
    error = caught.value
    assert (error.code, error.http_status) == ("duplicate_serial", 409)
    assert error.serial_numbers == ["SN-1", "SN-3"]
    assert "SN-1, SN-3" in error.message
    assert "SN-4" not in error.message
    assert kit.count(t.serials) == 3
    assert len(kit.movements()) == 1
    assert svc.batches.get(batch.id).balance_quantity == 3
    assert svc.serials.counts()["ALL"] == 3
    with pytest.raises(DuplicateSerial) as caught:
        svc.serials.register(" SN-2 ", batch_id=batch.id)
    assert caught.value.serial_numbers == ["SN-2"]
    assert kit.chain_problems() == []


def test_numbers_are_never_reused_even_after_cancelling(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    svc.serials.change_status(serial.id, "CANCELLED", reason="typo")
    with pytest.raises(DuplicateSerial):
        svc.serials.register("SN-1", batch_id=batch.id)
    other = kit.serial_lot()[1]
    with pytest.raises(DuplicateSerial):  # organization scope: another product too
        svc.serials.register("SN-1", batch_id=other.id)


def test_matching_is_case_sensitive(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    upper = svc.serials.register("SN-A", batch_id=batch.id)
    lower = svc.serials.register("sn-a", batch_id=batch.id)
    assert upper.id != lower.id
    assert svc.serials.lookup("SN-A").id == upper.id
    assert svc.serials.lookup("sn-a").id == lower.id
    assert svc.serials.find("Sn-A") is None


def test_more_serials_than_the_lot_quantity_is_insufficient_stock(svc: Services,
                                                                  kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=3)
    svc.serials.register("SN-1", batch_id=batch.id)
    with pytest.raises(InsufficientStock) as caught:
        svc.serials.register_many(["SN-2", "SN-3", "SN-4"], batch_id=batch.id)
    error = caught.value
    assert (error.code, error.http_status) == ("insufficient_stock", 409)
    assert error.details["registered"] == 1 and error.details["requested"] == 3
    assert "over by 1" in error.message
    assert kit.count(t.serials) == 1
    assert len(kit.movements()) == 1
    svc.serials.register_many(["SN-2", "SN-3"], batch_id=batch.id)  # exactly full is fine
    assert svc.batches.get(batch.id).balance_quantity == 3


def test_cancelled_serials_do_not_count_against_the_lot(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=1)
    wrong = svc.serials.register("SN-WRONG", batch_id=batch.id)
    svc.serials.change_status(wrong.id, "CANCELLED")
    right = svc.serials.register("SN-RIGHT", batch_id=batch.id)
    assert right.status is S.IN_STOCK
    assert svc.batches.get(batch.id).balance_quantity == 1


# --- status changes ----------------------------------------------------------------------------


def test_full_lifecycle_with_order(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot()
    order = kit.order(product)
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    stock = kit.stock_location_id()
    allocated = svc.serials.change_status(serial.id, "RESERVED", order_id=order.id)
    assert (allocated.status, allocated.order_id, allocated.location_id) == (
        S.ALLOCATED, order.id, stock)
    assert svc.batches.get(batch.id).available_quantity == 0
    picked = svc.serials.change_status(serial.id, S.PICKED)
    assert (picked.status, picked.order_id, picked.location_id) == (S.PICKED, order.id, stock)
    shipped = svc.serials.change_status(serial.id, "sold")
    assert (shipped.status, shipped.order_id, shipped.location_id, shipped.warehouse_id) == (
        S.SHIPPED, order.id, None, None)
    assert svc.batches.get(batch.id).balance_quantity == 0
    returned = svc.serials.change_status(serial.id, "RETURNED", reason="wrong colour")
    assert (returned.status, returned.order_id, returned.location_id) == (
        S.RETURNED, order.id, kit.location_id("RETURNS"))
    restocked = svc.serials.change_status(serial.id, "available")
    assert (restocked.status, restocked.order_id, restocked.location_id) == (
        S.IN_STOCK, None, stock)
    history = svc.serials.history(serial.id)
    assert [(m.kind, m.from_status, m.to_status) for m in history] == [
        (MovementKind.RECEIPT, None, S.IN_STOCK),
        (MovementKind.ALLOCATION, S.IN_STOCK, S.ALLOCATED),
        (MovementKind.PICK, S.ALLOCATED, S.PICKED),
        (MovementKind.SHIPMENT, S.PICKED, S.SHIPPED),
        (MovementKind.RETURN, S.SHIPPED, S.RETURNED),
        (MovementKind.PUTAWAY, S.RETURNED, S.IN_STOCK)]
    assert [m.order_id for m in history] == [None, order.id, order.id, order.id, order.id,
                                             order.id]
    assert history[4].reason == "wrong colour"
    assert [m.seq for m in history] == [1, 2, 3, 4, 5, 6]
    assert (history[3].from_location_id, history[3].to_location_id) == (stock, None)
    balance = svc.batches.get(batch.id)
    assert (balance.balance_quantity, balance.available_quantity) == (1, 1)
    assert kit.chain_problems() == []


def test_invalid_transition_lists_the_allowed_targets(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    svc.serials.change_status(serial.id, "SHIPPED")
    with pytest.raises(InvalidTransition) as caught:
        svc.serials.change_status(serial.id, "IN_STOCK")
    error = caught.value
    assert (error.code, error.http_status) == ("invalid_transition", 409)
    assert (error.current, error.target, error.allowed) == ("SHIPPED", "IN_STOCK",
                                                            ["RETURNED", "DEFECTIVE"])
    assert error.message == ("serial 'SN-1' cannot go from SHIPPED to IN_STOCK; allowed from "
                             "SHIPPED: RETURNED, DEFECTIVE")
    with pytest.raises(InvalidTransition) as caught:
        svc.serials.change_status(serial.id, "SOLD")  # same status is not a transition
    assert caught.value.target == "SHIPPED"
    assert svc.serials.get(serial.id).status is S.SHIPPED
    assert len(kit.movements(serial_id=serial.id)) == 2


def test_final_status_allows_nothing(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    scrapped = svc.serials.change_status(serial.id, "SCRAPPED", reason="crushed")
    assert (scrapped.status, scrapped.location_id) == (S.SCRAPPED, None)
    with pytest.raises(InvalidTransition) as caught:
        svc.serials.change_status(serial.id, "IN_STOCK")
    assert caught.value.allowed == []
    assert "none (final status)" in caught.value.message


def test_unknown_status_and_unknown_serial(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    with pytest.raises(ValidationError) as caught:
        svc.serials.change_status(serial.id, "MISSING")
    assert fields_of(caught.value) == ["status"]
    assert "'MISSING'" in caught.value.message
    with pytest.raises(NotFound) as caught_nf:
        svc.serials.change_status("ghost", "SHIPPED")
    assert (caught_nf.value.entity, caught_nf.value.field) == ("serial", "serial_id")
    with pytest.raises(NotFound):
        svc.serials.get("ghost")
    with pytest.raises(NotFound):
        svc.serials.history("ghost")


def test_allocation_needs_a_fitting_open_order(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot()
    a, b = svc.serials.register_many(["A", "B"], batch_id=batch.id)
    with pytest.raises(ValidationError) as caught:
        svc.serials.change_status(a.id, "ALLOCATED")
    assert fields_of(caught.value) == ["order_id"]
    with pytest.raises(NotFound) as caught_nf:
        svc.serials.change_status(a.id, "ALLOCATED", order_id="ghost")
    assert (caught_nf.value.entity, caught_nf.value.field) == ("order", "order_id")
    unrelated = kit.order(kit.product("serial"))
    with pytest.raises(ValidationError) as caught:
        svc.serials.change_status(a.id, "ALLOCATED", order_id=unrelated.id)
    assert fields_of(caught.value) == ["order_id"]
    order = kit.order(product, quantity=1)
    svc.serials.change_status(a.id, "ALLOCATED", order_id=order.id)
    with pytest.raises(Conflict) as caught_c:
        svc.serials.change_status(b.id, "ALLOCATED", order_id=order.id)
    assert "all are assigned already" in caught_c.value.message
    with pytest.raises(ValidationError):  # an order only on allocation or sale
        svc.serials.change_status(b.id, "DEFECTIVE", order_id=order.id)
    assert svc.serials.get(b.id).status is S.IN_STOCK


def test_direct_sale_may_name_an_order(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot()
    order = kit.order(product)
    a, b = svc.serials.register_many(["A", "B"], batch_id=batch.id)
    sold = svc.serials.change_status(a.id, "SHIPPED", order_id=order.id)
    assert (sold.status, sold.order_id) == (S.SHIPPED, order.id)
    gap = svc.serials.change_status(b.id, "SHIPPED")
    assert (gap.order_id, gap.location_id) == (None, None)
    (movement,) = [m for m in kit.movements(serial_id=b.id)
                   if m.kind is MovementKind.SHIPMENT]
    assert (movement.order_id, movement.to_location_id) == (None, None)


@pytest.mark.parametrize("target", ["ALLOCATED", "PICKED", "SHIPPED"])
def test_held_lot_blocks_allocation_picking_and_shipping(svc: Services, kit: Kit,
                                                         target: str) -> None:
    product, batch = kit.serial_lot()
    order = kit.order(product)
    serial = svc.serials.register("SN-1", batch_id=batch.id)
    if target == "PICKED":
        svc.serials.change_status(serial.id, "ALLOCATED", order_id=order.id)
    svc.batches.hold(batch.id, "recall 42", kind="recall")
    with pytest.raises(LotBlocked) as caught:
        svc.serials.change_status(serial.id, target, order_id=None if target == "PICKED"
                                  else order.id)
    error = caught.value
    assert (error.code, error.http_status) == ("lot_blocked", 409)
    assert "on hold" in error.message and batch.batch_number in error.message
    assert error.details["batch_id"] == batch.id
    # Inspection and scrapping stay possible.
    assert svc.serials.change_status(serial.id, "IN_STOCK" if target == "PICKED"
                                     else "DEFECTIVE").status in (S.IN_STOCK, S.DEFECTIVE)


def test_expired_and_inactive_lots_block_allocation(svc: Services, kit: Kit) -> None:
    product = kit.product("lot_serial")
    order = kit.order(product, quantity=5)
    expired = kit.lot(product, "OLD", quantity=5, expiry_date="2020-01-01")
    inactive = kit.lot(product, "OFF", quantity=5)
    a = svc.serials.register("A", batch_id=expired.id)
    b = svc.serials.register("B", batch_id=inactive.id)
    svc.batches.mark_inactive([inactive.id])
    with pytest.raises(LotBlocked) as caught:
        svc.serials.change_status(a.id, "ALLOCATED", order_id=order.id)
    assert "expired on 2020-01-01" in caught.value.message
    with pytest.raises(LotBlocked) as caught:
        svc.serials.change_status(b.id, "ASSIGNED", order_id=order.id)
    assert "inactive" in caught.value.message
    assert svc.serials.change_status(a.id, "SCRAPPED").status is S.SCRAPPED
    assert svc.serials.get(b.id).status is S.IN_STOCK


def test_install_needs_a_parent_unit(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    parent, part, other = svc.serials.register_many(["PC-1", "RAM-1", "RAM-2"],
                                                    batch_id=batch.id)
    with pytest.raises(ValidationError) as caught:
        svc.serials.change_status(part.id, "INSTALLED")
    assert fields_of(caught.value) == ["parent_serial_id"]
    with pytest.raises(ValidationError):
        svc.serials.change_status(part.id, "INSTALLED", parent_serial_id=part.id)
    with pytest.raises(NotFound) as caught_nf:
        svc.serials.change_status(part.id, "INSTALLED", parent_serial_id="ghost")
    assert caught_nf.value.field == "parent_serial_id"
    installed = svc.serials.change_status(part.id, "INSTALLED", parent_serial_id=parent.id)
    assert (installed.status, installed.parent_serial_id, installed.location_id) == (
        S.INSTALLED, parent.id, None)
    with pytest.raises(ValidationError):  # a unit into its own component
        svc.serials.change_status(parent.id, "INSTALLED", parent_serial_id=part.id)
    removed = svc.serials.change_status(part.id, "IN_STOCK")
    assert (removed.status, removed.location_id) == (S.IN_STOCK, kit.stock_location_id())
    assert [m.kind for m in svc.serials.history(part.id)] == [
        MovementKind.RECEIPT, MovementKind.INSTALL, MovementKind.REMOVE]
    assert other.status is S.IN_STOCK


def test_expected_serial_received_then_put_away(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-1", batch_id=batch.id, status="EXPECTED")
    received = svc.serials.change_status(serial.id, "RECEIVED")
    assert received.location_id == kit.location_id("RECEIVING")
    stocked = svc.serials.change_status(serial.id, "IN_STOCK")
    assert stocked.location_id == kit.stock_location_id()
    after = svc.batches.get(batch.id)
    assert (after.balance_quantity, after.available_quantity) == (1, 1)
    assert after.entry_transaction_ref == kit.movements(serial_id=serial.id)[1].id
    assert {loc.location_id: (loc.in_quantity, loc.balance_quantity)
            for loc in after.associated_locations} == {
        kit.location_id("RECEIVING"): (1, 0), kit.stock_location_id(): (0, 1)}


# --- lookup, search, counts, history -----------------------------------------------------------


def test_lookup_and_find(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("SN-00042", batch_id=batch.id)
    assert svc.serials.lookup(" SN-00042\t") == serial
    assert svc.serials.find("SN-00042") == serial
    assert svc.serials.find("SN-0004") is None
    with pytest.raises(NotFound) as caught:
        svc.serials.lookup("SN-404")
    assert (caught.value.field, caught.value.value) == ("serial_number", "SN-404")
    with pytest.raises(ValidationError):
        svc.serials.lookup("   ")


def test_search_filters(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot(quantity=20)
    other_product, other_batch = kit.serial_lot(quantity=20)
    a = svc.serials.register_many(["ABC-001", "ABC-002", "XYZ-003"], batch_id=batch.id)
    b = svc.serials.register_many(["ABC-104", "abc-105"], batch_id=other_batch.id)
    order = kit.order(product)
    svc.serials.change_status(a[1].id, "ALLOCATED", order_id=order.id)
    svc.serials.change_status(b[0].id, "SHIPPED")

    def numbers(**filters: object) -> list[str]:
        return [s.serial_number for s in svc.serials.search(**filters).items]  # type: ignore[arg-type]

    assert numbers() == ["ABC-001", "ABC-002", "XYZ-003", "ABC-104", "abc-105"]
    # Partial search ignores case (DESIGN §2), through the trigram index and without it.
    assert numbers(q="ABC") == ["ABC-001", "ABC-002", "ABC-104", "abc-105"]
    assert numbers(q="abc") == numbers(q="aBc") == numbers(q="ABC")
    assert numbers(q="c-1") == ["ABC-104", "abc-105"]  # shorter than a trigram
    assert numbers(q="C-0") == ["ABC-001", "ABC-002"]
    assert numbers(q="00") == ["ABC-001", "ABC-002", "XYZ-003"]  # shorter than a trigram
    assert numbers(q="3") == ["XYZ-003"]
    assert numbers(q="%") == [] and numbers(q="_") == []
    assert numbers(q="ABC", product_id=other_product.id) == ["ABC-104", "abc-105"]
    assert numbers(status="RESERVED") == ["ABC-002"]
    assert numbers(status="sold") == ["ABC-104"]
    assert numbers(batch_id=other_batch.id) == ["ABC-104", "abc-105"]
    assert numbers(location_id=kit.stock_location_id(), product_id=product.id) == [
        "ABC-001", "ABC-002", "XYZ-003"]
    assert numbers(q="nothing-like-this") == []
    with pytest.raises(ValidationError) as caught:
        svc.serials.search(status="LOST")
    assert fields_of(caught.value) == ["status"]


def test_search_cursor_walks_every_row_exactly_once(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=23)
    made = svc.serials.register_many([f"P-{i:03d}" for i in range(23)], batch_id=batch.id)
    for limit in (1, 5, 7, 23, 50):
        seen: list[str] = []
        pages = 0
        cursor = None
        while True:
            page = svc.serials.search(q="P-", limit=limit, cursor=cursor)
            pages += 1
            assert len(page.items) <= limit
            seen.extend(s.id for s in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == [s.id for s in made]
        assert pages == -(-23 // limit) if limit < 23 else pages == 1
    with pytest.raises(ValidationError) as caught:
        svc.serials.search(limit=501)
    assert fields_of(caught.value) == ["limit"]
    with pytest.raises(ValidationError):
        svc.serials.search(cursor="%%%")


def test_counts_per_status(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot(quantity=10)
    other = kit.product("serial")
    a, b, c, _d = svc.serials.register_many(["A", "B", "C", "D"], batch_id=batch.id)
    svc.serials.register("E", product_id=other.id, status="EXPECTED")
    svc.serials.change_status(a.id, "SHIPPED")
    svc.serials.change_status(b.id, "DEFECTIVE")
    svc.serials.change_status(c.id, "SHIPPED")
    svc.serials.change_status(c.id, "RETURNED")
    counts = svc.serials.counts()
    assert counts == {"ALL": 5, "EXPECTED": 1, "RECEIVED": 0, "IN_STOCK": 1, "ALLOCATED": 0,
                      "PICKED": 0, "SHIPPED": 1, "RETURNED": 1, "DEFECTIVE": 1, "SCRAPPED": 0,
                      "CONSUMED": 0, "INSTALLED": 0, "CANCELLED": 0}
    assert next(iter(counts)) == "ALL"
    by_product = svc.serials.counts(product_id=product.id)
    assert (by_product["ALL"], by_product["EXPECTED"], by_product["SHIPPED"]) == (4, 0, 1)
    assert svc.serials.counts(product_id=other.id)["ALL"] == 1


def test_history_is_oldest_first_and_includes_the_bulk_registration(svc: Services,
                                                                    kit: Kit) -> None:
    product, batch = kit.serial_lot()
    order = kit.order(product)
    serials = svc.serials.register_many(["H-1", "H-2"], batch_id=batch.id)
    svc.serials.change_status(serials[0].id, "ALLOCATED", order_id=order.id)
    svc.serials.change_status(serials[0].id, "IN_STOCK")
    svc.serials.change_status(serials[1].id, "DEFECTIVE")
    first = svc.serials.history(serials[0].id)
    second = svc.serials.history(serials[1].id)
    assert [m.kind for m in first] == [MovementKind.RECEIPT, MovementKind.ALLOCATION,
                                       MovementKind.DEALLOCATION]
    assert [m.kind for m in second] == [MovementKind.RECEIPT, MovementKind.STATUS_CHANGE]
    assert first[0].id == second[0].id  # the one bulk movement
    assert [m.seq for m in first] == sorted(m.seq for m in first)
    assert first[1].recorded_at <= first[2].recorded_at
    assert all(m.actor == "library" for m in first)


def test_get_serial_returns_exact_fields(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot()
    serial = svc.serials.register("G-1", batch_id=batch.id)
    assert isinstance(serial, Serial)
    assert svc.serials.get(serial.id).updated_at == serial.created_at


def test_expected_unit_of_a_lot_serial_product_needs_its_lot_to_be_received(
        svc: Services, kit: Kit) -> None:
    product = kit.product("lot_serial")
    serial = svc.serials.register("ASN-1", product_id=product.id, status="EXPECTED")
    assert (serial.batch_id, serial.status, serial.location_id) == (None, S.EXPECTED, None)
    with pytest.raises(ValidationError) as caught:
        svc.serials.change_status(serial.id, "RECEIVED")
    assert fields_of(caught.value) == ["batch_id"]
    assert svc.serials.get(serial.id).status is S.EXPECTED
    assert svc.serials.change_status(serial.id, "CANCELLED").status is S.CANCELLED
    assert [m.stream_id for m in svc.serials.history(serial.id)] == [product.id, product.id]
