"""Lots (batches), DESIGN §3: create with the seed aliases, identity and duplicates, what a
create receives, updates, deletes, active/inactive, holds, expiry queries and seed 004's list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.model import CustomField, LocationBalance
from lotline.domain.statuses import HoldKind, LotStatus, MovementKind, Role
from lotline.errors import (
    Conflict,
    DuplicateBatch,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from support import FIXED_NOW, Kit, fixed_clock

TODAY = FIXED_NOW.date()  # 2026-04-10


def only_field(error: ValidationError) -> str:
    (field_error,) = error.errors
    return field_error.field


# --- create ------------------------------------------------------------------------------------


def test_create_lot_of_an_untracked_serial_product_receives_into_stock(
        fixed_svc: Services, fixed_kit: Kit) -> None:
    product = fixed_kit.product("lot")
    supplier = fixed_kit.supplier()
    origin = fixed_svc.custom_fields.create(label="Origin", applies_to="batch")
    batch = fixed_svc.batches.create(
        product_id=product.id, batch_number="LOT-2026-04-A", quantity=100, unit_cost=12.50,
        supplier_id=supplier.id, manufacturing_date="2026-03-15", expiry_date="2027-03-15",
        manufacturer_batch_number="M-77", external_batch_number="EXT-1", sales_rate="19.90",
        custom_fields=[{"label": "Origin", "value": "PT"}])
    stock = fixed_kit.stock_location_id()
    assert batch.product_id == product.id
    assert batch.batch_number == "LOT-2026-04-A"
    assert batch.supplier_id == supplier.id
    assert batch.manufacturing_date == dt.date(2026, 3, 15)
    assert batch.expiry_date == dt.date(2027, 3, 15)
    assert batch.quantity == 100 and str(batch.quantity) == "100"
    assert batch.balance_quantity == 100
    assert batch.available_quantity == 100
    assert str(batch.unit_cost) == "12.5"
    assert str(batch.sales_rate) == "19.9"
    assert batch.manufacturer_batch_number == "M-77"
    assert batch.external_batch_number == "EXT-1"
    assert batch.internal_batch_number is None
    assert batch.custom_fields == [CustomField("Origin", "PT", origin.id)]
    assert batch.purchase_date == TODAY
    assert batch.received_at == FIXED_NOW
    assert batch.created_at == FIXED_NOW
    assert batch.location_id == stock
    assert batch.associated_locations == [LocationBalance(stock, Decimal(100), Decimal(100))]
    assert batch.status is LotStatus.ACTIVE
    assert batch.hold is None
    assert batch.is_expired is False
    (receipt,) = fixed_kit.movements(batch_id=batch.id)
    assert batch.entry_transaction_ref == receipt.id
    assert (receipt.kind, receipt.quantity, receipt.to_location_id, receipt.unit_cost,
            receipt.from_location_id, receipt.seq) == (
        MovementKind.RECEIPT, Decimal(100), stock, Decimal("12.5"), None, 1)
    assert fixed_svc.batches.get(batch.id) == batch


def test_create_lot_of_a_serial_product_is_only_a_cap(fixed_svc: Services,
                                                      fixed_kit: Kit) -> None:
    product = fixed_kit.product("lot_serial")
    batch = fixed_kit.lot(product, quantity=500)
    assert (batch.quantity, batch.balance_quantity, batch.available_quantity) == (500, 0, 0)
    assert batch.entry_transaction_ref is None
    assert batch.location_id is None
    assert batch.associated_locations == []
    assert batch.received_at == FIXED_NOW
    assert batch.purchase_date == TODAY
    assert fixed_kit.movements(batch_id=batch.id) == []


def test_create_without_quantity_receives_nothing(svc: Services, kit: Kit) -> None:
    batch = kit.lot(kit.product("lot"))
    assert (batch.quantity, batch.balance_quantity, batch.entry_transaction_ref) == (0, 0, None)
    assert kit.movements(batch_id=batch.id) == []


def test_seed_aliases_are_accepted(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    grade = svc.custom_fields.create(label="Grade", applies_to="batch")
    batch = svc.batches.create(item_id=product.id, batch_number="A-1",
                               manufacturer_date="2026-01-05", expiration_date="2026-07-05",
                               initial_quantity=40,
                               batch_custom_fields=[{"label": "Grade", "value": "A"}])
    assert (batch.product_id, batch.manufacturing_date, batch.expiry_date, batch.quantity,
            batch.balance_quantity, batch.custom_fields) == (
        product.id, dt.date(2026, 1, 5), dt.date(2026, 7, 5), 40, 40,
        [CustomField("Grade", "A", grade.id)])
    other = svc.batches.create(item_id=product.id, batch_number="A-2",
                               manufactured_date=dt.date(2026, 2, 1), in_quantity="2.5")
    assert (other.manufacturing_date, other.quantity) == (dt.date(2026, 2, 1), Decimal("2.5"))


def test_conflicting_alias_and_canonical_name(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    with pytest.raises(ValidationError) as caught:
        svc.batches.create(product_id=product.id, item_id=kit.product().id, batch_number="A")
    assert only_field(caught.value) == "item_id"
    assert kit.count(t.batches) == 0


def test_explicit_purchase_date_counts_as_received_that_day(fixed_svc: Services,
                                                            fixed_kit: Kit) -> None:
    batch = fixed_kit.lot(fixed_kit.product("lot"), quantity=5, purchase_date="2026-01-15")
    assert batch.purchase_date == dt.date(2026, 1, 15)
    assert batch.received_at == dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    serial_lot = fixed_kit.lot(fixed_kit.product("lot_serial"), quantity=5,
                               purchase_date="2026-02-01")
    fixed_svc.serials.register("SN-1", batch_id=serial_lot.id)
    after = fixed_svc.batches.get(serial_lot.id)
    assert after.received_at == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)  # kept on first arrival
    assert after.purchase_date == dt.date(2026, 2, 1)


def test_shelf_life_fills_a_missing_expiry(svc: Services, kit: Kit) -> None:
    product = kit.product("lot", shelf_life_days=30)
    filled = kit.lot(product, manufacturing_date="2026-03-01")
    assert filled.expiry_date == dt.date(2026, 3, 31)
    explicit = kit.lot(product, manufacturing_date="2026-03-01", expiry_date="2026-03-10")
    assert explicit.expiry_date == dt.date(2026, 3, 10)
    neither = kit.lot(product)
    assert neither.expiry_date is None


def test_lot_into_a_named_location(svc: Services, kit: Kit) -> None:
    bin_a = svc.warehouses.create_location(svc.warehouses.default().id, "A-1")
    batch = kit.lot(kit.product("none"), quantity="7.25", location_id=bin_a.id)
    assert batch.location_id == bin_a.id
    assert batch.associated_locations == [LocationBalance(bin_a.id, Decimal("7.25"),
                                                          Decimal("7.25"))]
    with pytest.raises(NotFound) as caught:
        kit.lot(kit.product("none"), quantity=1, location_id="ghost")
    assert (caught.value.entity, caught.value.field) == ("location", "location_id")


# --- identity ----------------------------------------------------------------------------------


def test_same_product_supplier_and_folded_number_is_a_duplicate(svc: Services,
                                                                kit: Kit) -> None:
    product, supplier = kit.product("lot"), kit.supplier()
    first = kit.lot(product, "LOT-2025A", supplier_id=supplier.id, quantity=10)
    with pytest.raises(DuplicateBatch) as caught:
        kit.lot(product, "lot-2025a", supplier_id=supplier.id, quantity=5)
    error = caught.value
    assert error.code == "duplicate_batch" and error.http_status == 409
    assert error.details == {"batch_number": "lot-2025a", "existing_id": first.id}
    assert "'lot-2025a'" in error.message and first.id in error.message
    assert kit.count(t.batches) == 1
    assert svc.batches.get(first.id).balance_quantity == 10
    assert len(kit.movements()) == 1


def test_different_supplier_same_number_is_another_lot(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    alpha, beta = kit.supplier("Alpha"), kit.supplier("Beta")
    a = kit.lot(product, "LOT-2025A", supplier_id=alpha.id)
    b = kit.lot(product, "lot-2025a", supplier_id=beta.id)
    own = kit.lot(product, "LOT-2025a")  # own production: no supplier
    assert len({a.id, b.id, own.id}) == 3
    assert b.batch_number == "lot-2025a"  # the case first entered is kept
    with pytest.raises(DuplicateBatch):
        kit.lot(product, "LOT-2025A")  # no supplier counts as one supplier
    other_product = kit.lot(kit.product("lot"), "LOT-2025A", supplier_id=alpha.id)
    found = svc.batches.by_number("Lot-2025A")
    assert sorted(x.id for x in found) == sorted([a.id, b.id, own.id, other_product.id])
    assert [x.id for x in svc.batches.by_number("lot-2025a", product_id=product.id)] == \
        sorted([a.id, b.id, own.id])


def test_update_into_an_existing_identity_is_a_duplicate(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    kit.lot(product, "A")
    b = kit.lot(product, "B")
    with pytest.raises(DuplicateBatch):
        svc.batches.update(b.id, batch_number="a")
    assert svc.batches.get(b.id).batch_number == "B"
    assert svc.batches.update(b.id, batch_number="b").batch_number == "b"  # its own identity


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"batch_number": "x" * 101}, "batch_number", "is longer than 100 characters (101)"),
    ({"batch_number": "   "}, "batch_number", "must not be empty or whitespace"),
    ({"batch_number": "L\tX"}, "batch_number", "must not contain control characters"),
    ({"quantity": -1}, "quantity", "must not be negative"),
    ({"quantity": "1.0000001"}, "quantity", "has more than 6 decimal places"),
    ({"quantity": "many"}, "quantity", "must be a number"),
    ({"unit_cost": "-0.01"}, "unit_cost", "must not be negative"),
    ({"manufacturing_date": "2026-03-15", "expiry_date": "2026-03-14"}, "expiry_date",
     "2026-03-14 is before the manufacturing date 2026-03-15"),
    ({"expiry_date": "31/12/2026"}, "expiry_date", "must be a date YYYY-MM-DD"),
    ({"status": "archived"}, "status", None),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"custom_fields": "Origin=PT"}, "custom_fields", None),
])
def test_create_rejects_bad_input_and_writes_nothing(
        svc: Services, kit: Kit, fields: dict[str, object], field: str,
        message: str | None) -> None:
    product = kit.product("lot")
    values = {"product_id": product.id, "batch_number": "LOT-1", "quantity": 5, **fields}
    with pytest.raises(ValidationError) as caught:
        svc.batches.create(**values)
    assert only_field(caught.value) == field
    if message is not None:
        assert caught.value.errors[0].message == message
    assert kit.count(t.batches) == 0
    assert kit.movements() == []


def test_batch_number_of_exactly_100_characters_is_fine(svc: Services, kit: Kit) -> None:
    assert kit.lot(kit.product(), "x" * 100).batch_number == "x" * 100


def test_unknown_status_names_the_value(svc: Services, kit: Kit) -> None:
    with pytest.raises(ValidationError) as caught:
        kit.lot(kit.product(), status="archived")
    assert "'archived'" in caught.value.message
    assert kit.lot(kit.product(), status="INACTIVE").status is LotStatus.INACTIVE


def test_create_reports_every_bad_field_at_once(svc: Services, kit: Kit) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.batches.create(product_id=kit.product().id, batch_number="", quantity=-2,
                           unit_cost="x")
    assert sorted(e.field for e in caught.value.errors) == ["batch_number", "quantity",
                                                             "unit_cost"]


def test_missing_required_fields(svc: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.batches.create(quantity=1)
    assert sorted(e.field for e in caught.value.errors) == ["batch_number", "product_id"]


def test_unknown_product_or_supplier_is_not_found_naming_the_field(svc: Services,
                                                                   kit: Kit) -> None:
    with pytest.raises(NotFound) as caught:
        svc.batches.create(product_id="ghost-product", batch_number="A")
    assert (caught.value.entity, caught.value.field, caught.value.value) == (
        "product", "product_id", "ghost-product")
    with pytest.raises(NotFound) as caught:
        svc.batches.create(item_id="ghost-product", batch_number="A")
    assert caught.value.field == "product_id"
    with pytest.raises(NotFound) as caught:
        kit.lot(kit.product(), supplier_id="ghost-supplier")
    assert (caught.value.entity, caught.value.field) == ("supplier", "supplier_id")
    assert kit.count(t.batches) == 0


def test_serial_lot_holds_whole_units(svc: Services, kit: Kit) -> None:
    with pytest.raises(ValidationError) as caught:
        kit.lot(kit.product("serial"), quantity="2.5")
    assert only_field(caught.value) == "quantity"


def test_unknown_batch_id_is_not_found(svc: Services) -> None:
    for call in (lambda: svc.batches.get("ghost"),
                 lambda: svc.batches.update("ghost", quantity=1),
                 lambda: svc.batches.hold("ghost", "why"),
                 lambda: svc.batches.release("ghost")):
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.entity == "batch"
        assert caught.value.value == "ghost"


# --- update ------------------------------------------------------------------------------------


def test_update_plain_fields_and_audit(svc: Services, kit: Kit) -> None:
    batch = kit.lot(kit.product("lot"), "L-1", expiry_date="2026-12-31")
    qa = svc.custom_fields.create(label="QA", applies_to="batch")
    changed = svc.batches.update(batch.id, expiry_date="2027-01-31", unit_cost="3.10",
                                 internal_batch_number="INT-9", reason="label misprint",
                                 batch_custom_fields=[{"label": "QA", "value": "ok"}])
    assert (changed.expiry_date, str(changed.unit_cost), changed.internal_batch_number,
            changed.custom_fields) == (dt.date(2027, 1, 31), "3.1", "INT-9",
                                       [CustomField("QA", "ok", qa.id)])
    assert kit.count(t.audit_log, entity="batch", entity_id=batch.id) == 2  # create, update
    with pytest.raises(ValidationError) as caught:
        svc.batches.update(batch.id, manufacturing_date="2027-02-01")
    assert only_field(caught.value) == "expiry_date"
    with pytest.raises(ValidationError) as caught:
        svc.batches.update(batch.id, product_id=kit.product().id)
    assert only_field(caught.value) == "product_id"
    with pytest.raises(ValidationError):
        svc.batches.update(batch.id, batch_number=None)


def test_update_quantity_of_a_serial_lot_moves_the_cap(svc: Services, kit: Kit) -> None:
    _product, batch = kit.serial_lot(quantity=500)
    svc.serials.register_many(["SN-1", "SN-2", "SN-3", "SN-4"], batch_id=batch.id)
    assert svc.batches.update(batch.id, quantity=480).quantity == 480
    assert svc.batches.update(batch.id, quantity=4).quantity == 4
    with pytest.raises(ValidationError) as caught:
        svc.batches.update(batch.id, quantity=3)
    assert only_field(caught.value) == "quantity"
    assert "at least 4" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        svc.batches.update(batch.id, quantity=-1)
    assert caught.value.errors[0].message == "must not be negative"
    with pytest.raises(InsufficientStock):
        svc.serials.register("SN-5", batch_id=batch.id)
    after = svc.batches.get(batch.id)
    assert (after.quantity, after.balance_quantity) == (4, 4)
    assert [m.kind for m in kit.movements(batch_id=batch.id)] == [MovementKind.RECEIPT]


def test_update_quantity_of_a_plain_lot_writes_an_adjustment(svc: Services,
                                                             kit: Kit) -> None:
    batch = kit.lot(kit.product("lot"), quantity=100, unit_cost=2)
    stock = kit.stock_location_id()
    up = svc.batches.update(batch.id, quantity=120, reason="recount")
    assert (up.quantity, up.balance_quantity, up.available_quantity) == (120, 120, 120)
    down = svc.batches.update(batch.id, quantity="90.5")
    assert (down.quantity, down.balance_quantity) == (Decimal("90.5"), Decimal("90.5"))
    receipt, plus, minus = kit.movements(batch_id=batch.id)
    assert (plus.kind, plus.quantity, plus.to_location_id, plus.from_location_id,
            plus.reason, plus.unit_cost) == (MovementKind.ADJUSTMENT, 20, stock, None,
                                             "recount", 2)
    assert (minus.kind, minus.quantity, minus.from_location_id, minus.to_location_id,
            minus.reason) == (MovementKind.ADJUSTMENT, Decimal("29.5"), stock, None,
                              "lot quantity corrected from 120 to 90.5")
    assert receipt.kind is MovementKind.RECEIPT
    assert kit.count(t.audit_log, entity="batch", entity_id=batch.id) == 3
    unchanged = svc.batches.update(batch.id, quantity="90.50")
    assert unchanged.quantity == Decimal("90.5")
    assert len(kit.movements(batch_id=batch.id)) == 3  # no change, no movement
    assert kit.chain_problems() == []


# --- delete ------------------------------------------------------------------------------------


def test_delete_unreferenced_lot_reverses_its_opening_receipt(svc: Services,
                                                              kit: Kit) -> None:
    product = kit.product("lot")
    batch = kit.lot(product, "L-DEL", quantity=8)
    svc.batches.delete(batch.id)
    with pytest.raises(NotFound):
        svc.batches.get(batch.id)
    receipt, reversal = kit.movements(batch_id=batch.id)
    assert (reversal.kind, reversal.quantity, reversal.reverses_id,
            reversal.from_location_id, reversal.reason) == (
        MovementKind.REVERSAL, 8, receipt.id, kit.stock_location_id(), "lot deleted")
    assert kit.count(t.batches) == 1  # the row stays, marked deleted
    assert svc.batches.list_by_product(product.id, active_only=False) == []
    again = kit.lot(product, "l-del")  # the number may be used again
    assert again.id != batch.id
    assert kit.chain_problems() == []


def test_lot_with_serials_or_movements_cannot_be_deleted(svc: Services, kit: Kit) -> None:
    _product, serial_lot = kit.serial_lot()
    svc.serials.register("SN-1", batch_id=serial_lot.id)
    with pytest.raises(Conflict) as caught:
        svc.batches.delete(serial_lot.id)
    assert "inactive" in caught.value.message
    assert serial_lot.batch_number in caught.value.message
    plain = kit.lot(kit.product("lot"), quantity=10)
    svc.batches.update(plain.id, quantity=11)
    with pytest.raises(Conflict):
        svc.batches.delete(plain.id)
    assert svc.batches.get(plain.id).balance_quantity == 11


def test_bulk_delete_is_all_or_nothing(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    free_a = kit.lot(product, "FREE-A", quantity=1)
    free_b = kit.lot(product, "FREE-B")
    _serial_product, busy = kit.serial_lot()
    svc.serials.register("SN-BUSY", batch_id=busy.id)
    with pytest.raises(Conflict) as caught:
        svc.batches.bulk_delete([free_a.id, busy.id, free_b.id])
    assert caught.value.details["batch_numbers"] == [busy.batch_number]
    assert svc.batches.get(free_a.id).balance_quantity == 1
    assert svc.batches.get(free_b.id).id == free_b.id
    with pytest.raises(NotFound) as caught_nf:
        svc.batches.bulk_delete([free_a.id, "ghost"])
    assert (caught_nf.value.field, caught_nf.value.value) == ("ids", "ghost")
    assert svc.batches.get(free_a.id).id == free_a.id
    with pytest.raises(ValidationError) as caught_v:
        svc.batches.bulk_delete([])
    assert only_field(caught_v.value) == "ids"
    svc.batches.bulk_delete([free_a.id, free_b.id])
    for batch in (free_a, free_b):
        with pytest.raises(NotFound):
            svc.batches.get(batch.id)
    assert svc.batches.get(busy.id).id == busy.id


# --- active / inactive, hold / release ---------------------------------------------------------


def test_mark_inactive_and_active_many(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    a, b, c = (kit.lot(product, quantity=5) for _ in range(3))
    inactive = svc.batches.mark_inactive([a.id, b.id])
    assert [(x.id, x.status, x.available_quantity, x.balance_quantity) for x in inactive] == [
        (a.id, LotStatus.INACTIVE, 0, 5), (b.id, LotStatus.INACTIVE, 0, 5)]
    assert svc.batches.get(c.id).status is LotStatus.ACTIVE
    again = svc.batches.mark_inactive(a.id)  # a single id, already inactive: no change
    assert [x.status for x in again] == [LotStatus.INACTIVE]
    active = svc.batches.mark_active([a.id, b.id, c.id])
    assert [(x.status, x.available_quantity) for x in active] == [(LotStatus.ACTIVE, 5)] * 3
    # create + inactive + active for a and b; create + nothing for c's no-op activation
    assert kit.count(t.audit_log, entity="batch", entity_id=a.id) == 3
    assert kit.count(t.audit_log, entity="batch", entity_id=c.id) == 1
    with pytest.raises(NotFound):
        svc.batches.mark_active([a.id, "ghost"])
    with pytest.raises(ValidationError):
        svc.batches.mark_inactive([])


def test_hold_and_release(fixed_svc: Services, fixed_kit: Kit) -> None:
    batch = fixed_kit.lot(fixed_kit.product("lot"), quantity=20)
    held = fixed_svc.batches.hold(batch.id, "supplier recall notice", kind="recall")
    assert held.hold is not None
    assert (held.hold.reason, held.hold.kind, held.hold.since) == (
        "supplier recall notice", HoldKind.RECALL, FIXED_NOW)
    assert (held.balance_quantity, held.available_quantity) == (20, 0)
    with pytest.raises(Conflict) as caught:
        fixed_svc.batches.hold(batch.id, "again")
    assert "already on recall hold" in caught.value.message
    released = fixed_svc.batches.release(batch.id)
    assert (released.hold, released.available_quantity) == (None, 20)
    with pytest.raises(Conflict) as caught:
        fixed_svc.batches.release(batch.id)
    assert "is not on hold" in caught.value.message
    default_kind = fixed_svc.batches.hold(batch.id, "inspection")
    assert default_kind.hold is not None and default_kind.hold.kind is HoldKind.QUARANTINE
    assert fixed_kit.count(t.audit_log, entity="batch", entity_id=batch.id) == 4


def test_hold_bad_input(svc: Services, kit: Kit) -> None:
    batch = kit.lot(kit.product("lot"))
    with pytest.raises(ValidationError) as caught:
        svc.batches.hold(batch.id, "  ", kind="forever")
    assert sorted(e.field for e in caught.value.errors) == ["kind", "reason"]
    assert svc.batches.get(batch.id).hold is None


# --- expiry ------------------------------------------------------------------------------------


def test_expired_on_and_after_the_expiry_date(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    may = kit.lot(product, "MAY", expiry_date="2026-05-01", quantity=3)
    june = kit.lot(product, "JUNE", expiry_date="2026-06-01")
    kit.lot(product, "NONE")
    bt = svc.batch_tracking
    assert bt.get_expired_batches(as_of=dt.date(2026, 4, 30)) == []
    on_day = bt.get_expired_batches(as_of=dt.date(2026, 5, 1))
    assert [b.id for b in on_day] == [may.id]
    assert on_day[0].is_expired is True
    assert on_day[0].available_quantity == 0
    assert on_day[0].balance_quantity == 3
    later = bt.get_expired_batches(as_of=dt.date(2026, 6, 1))
    assert [b.batch_number for b in later] == ["MAY", "JUNE"]
    assert svc.batches.expired(as_of=dt.date(2030, 1, 1))[1].id == june.id


def test_near_expiry_excludes_already_expired(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    kit.lot(product, "MAY", expiry_date="2026-05-01")
    kit.lot(product, "MAY-31", expiry_date="2026-05-31")
    kit.lot(product, "JUNE", expiry_date="2026-06-01")
    kit.lot(product, "NONE")
    bt = svc.batch_tracking

    def numbers(days: int, as_of: dt.date) -> list[str]:
        return [b.batch_number for b in bt.get_near_expiry_batches(days=days, as_of=as_of)]

    assert numbers(30, dt.date(2026, 5, 1)) == ["MAY-31"]
    assert numbers(31, dt.date(2026, 5, 1)) == ["MAY-31", "JUNE"]
    assert numbers(30, dt.date(2026, 4, 30)) == ["MAY"]
    assert numbers(31, dt.date(2026, 4, 30)) == ["MAY", "MAY-31"]
    assert numbers(1, dt.date(2026, 4, 30)) == ["MAY"]
    assert numbers(0, dt.date(2026, 4, 30)) == []
    near = bt.get_near_expiry_batches(days=30, as_of=dt.date(2026, 4, 30))
    assert near[0].is_expired is False
    with pytest.raises(ValidationError) as caught:
        bt.get_near_expiry_batches(days=-1)
    assert only_field(caught.value) == "days"


# --- seed 004: list by product -----------------------------------------------------------------


def test_list_by_product_seed_004(svc: Services, kit: Kit) -> None:
    product = kit.product("lot")
    alpha, beta = kit.supplier("supplier-alpha"), kit.supplier("supplier-beta")
    no_expiry = kit.lot(product, "batch-003", quantity=200, unit_cost="13.00",
                        purchase_date="2026-03-01")
    late = kit.lot(product, "batch-002", quantity=150, unit_cost="11.75",
                   purchase_date="2026-02-20", expiry_date="2026-08-20",
                   supplier_id=beta.id)
    early = kit.lot(product, "batch-001", quantity=100, unit_cost="12.50",
                    purchase_date="2026-01-15", expiry_date="2026-06-15",
                    supplier_id=alpha.id)
    empty = kit.lot(product, "batch-000", expiry_date="2026-01-31")
    svc.batches.update(early.id, quantity=45)  # 55 corrected away: 45 remain
    svc.batches.hold(late.id, "inspection")    # held stock stays visible here
    rows = svc.batches.list_by_product(product.id)
    assert [r.id for r in rows] == [early.id, late.id, no_expiry.id]
    first = rows[0]
    assert (first.product_id, first.initial_quantity, first.available_quantity,
            str(first.unit_cost), first.supplier_id) == (product.id, Decimal(45),
                                                         Decimal(45), "12.5", alpha.id)
    assert first.purchase_date == dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    assert first.expiration_date == dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    assert first.entry_transaction_ref == kit.movements(batch_id=early.id)[0].id
    assert (rows[1].available_quantity, str(rows[1].unit_cost)) == (150, "11.75")
    assert (rows[2].expiration_date, rows[2].supplier_id, str(rows[2].unit_cost)) == (
        None, None, "13")
    everything = svc.batches.list_by_product(product.id, active_only=False)
    assert [r.id for r in everything] == [empty.id, early.id, late.id, no_expiry.id]
    assert everything[0].available_quantity == 0
    assert everything[0].entry_transaction_ref is None
    assert svc.batches.list_by_product("no-such-product") == []


def test_list_by_product_serial_lot_counts_units_on_hand(svc: Services, kit: Kit) -> None:
    product, batch = kit.serial_lot(quantity=5)
    serials = svc.serials.register_many(["A", "B", "C"], batch_id=batch.id)
    svc.serials.change_status(serials[0].id, "SHIPPED")
    (row,) = svc.batches.list_by_product(product.id)
    assert (row.initial_quantity, row.available_quantity) == (5, 2)


# --- listing -----------------------------------------------------------------------------------


def test_list_filters_and_pages(svc: Services, kit: Kit) -> None:
    product, other = kit.product("lot"), kit.product("lot")
    supplier = kit.supplier()
    a = kit.lot(product, "ALPHA-1", quantity=1, supplier_id=supplier.id,
                expiry_date="2026-05-01")
    b = kit.lot(product, "beta-2", expiry_date="2026-09-01")
    c = kit.lot(other, "ALPHA-3", quantity=2, status="inactive")
    assert [x.id for x in svc.batches.list().items] == [a.id, b.id, c.id]
    assert [x.id for x in svc.batches.list(product_id=product.id).items] == [a.id, b.id]
    assert [x.id for x in svc.batches.list(supplier_id=supplier.id).items] == [a.id]
    assert [x.id for x in svc.batches.list(status="inactive").items] == [c.id]
    assert [x.id for x in svc.batches.list(q="alpha").items] == [a.id, c.id]
    assert [x.id for x in svc.batches.list(has_stock=True).items] == [a.id, c.id]
    assert [x.id for x in svc.batches.list(has_stock=False).items] == [b.id]
    assert [x.id for x in svc.batches.list(expiring_before="2026-06-01").items] == [a.id]
    page = svc.batches.list(limit=2)
    assert [x.id for x in page.items] == [a.id, b.id]
    rest = svc.batches.list(limit=2, cursor=page.next_cursor)
    assert ([x.id for x in rest.items], rest.next_cursor) == ([c.id], None)


def test_viewer_can_read_but_not_change_batches(svc: Services, kit: Kit) -> None:
    batch = kit.lot(kit.product("lot"), quantity=1)
    viewer = kit.as_role(Role.VIEWER)
    assert viewer.batches.get(batch.id).id == batch.id
    with pytest.raises(PermissionDenied):
        viewer.batches.update(batch.id, quantity=2)
    assert svc.batches.get(batch.id).quantity == 1


# --- "today" is the organization's date --------------------------------------------------------


def test_today_is_the_date_in_the_organizations_time_zone(database: Any) -> None:
    noon_utc = dt.datetime(2026, 4, 30, 12, 0, tzinfo=dt.UTC)  # already May 1st at UTC+14
    svc: Services = database.services(clock=fixed_clock(noon_utc))
    kit = Kit(svc)
    product = kit.product("lot")
    batch = kit.lot(product, "MAY-1", quantity=2, expiry_date="2026-05-01")
    assert (batch.is_expired, batch.available_quantity, batch.purchase_date) == (
        False, 2, dt.date(2026, 4, 30))
    assert svc.batch_tracking.get_expired_batches() == []
    svc.settings.update(timezone="Pacific/Kiritimati")
    in_kiritimati = svc.batches.get(batch.id)
    assert (in_kiritimati.is_expired, in_kiritimati.available_quantity,
            in_kiritimati.balance_quantity) == (True, 0, 2)
    assert [b.id for b in svc.batch_tracking.get_expired_batches()] == [batch.id]
    later = kit.lot(product, "LATER", quantity=1)
    assert (later.purchase_date, later.received_at) == (dt.date(2026, 5, 1), noon_utc)
