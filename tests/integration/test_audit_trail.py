"""The audit trail of master data (issue 14 item 5), on SQLite and PostgreSQL: every edit of a
product, supplier, customer, warehouse, location, lot, the settings, a user or an API key
writes one row in the edit's own transaction, holding only the fields it changed before and
after; a lot's expiry date or cost change needs a reason, which the row keeps; an edit that
fails or changes nothing leaves no row."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from lotline.bootstrap import Services
from lotline.domain.errors import Conflict, PermissionDenied, ReasonRequired, ValidationError
from lotline.domain.model import AuditEntry
from lotline.domain.statuses import Role
from support import FIXED_NOW, Kit

ACTOR = "library"


def latest(svc: Services, entity: str, entity_id: str | None = None) -> AuditEntry:
    return svc.audit.list(entity=entity, entity_id=entity_id, limit=1).items[0]


def changes(svc: Services, entity: str, entity_id: str) -> list[tuple[str, Any, Any, Any]]:
    """(action, before, after, reason) of a record's rows, oldest first."""
    items = svc.audit.list(entity=entity, entity_id=entity_id).items
    return [(e.action, e.before, e.after, e.reason) for e in reversed(items)]


def test_master_data_edits_keep_only_the_changed_fields(fixed_svc: Services,
                                                        fixed_kit: Kit) -> None:
    svc = fixed_svc
    product = fixed_kit.product(name="Widget")
    svc.products.update(product.id, name="Gadget", shelf_life_days=30, sku=product.sku)
    supplier = fixed_kit.supplier("Acme", city="Lisbon")
    svc.suppliers.update(supplier.id, address={"city": "Porto"}, phone="+351 1")
    customer = fixed_kit.customer("Bolt")
    svc.customers.update(customer.id, min_remaining_shelf_life_days=10)
    warehouse = svc.warehouses.create_warehouse("WH2", "Second")
    svc.warehouses.update(warehouse.id, name="Annex")
    location = svc.warehouses.create_location(warehouse.id, "A-1")
    svc.warehouses.update_location(location.id, code="A-2", kind="quarantine")
    svc.settings.update(timezone="Europe/Lisbon")

    assert changes(svc, "product", product.id)[1:] == [
        ("update", {"name": "Widget", "shelf_life_days": None},
         {"name": "Gadget", "shelf_life_days": 30}, None)]
    assert changes(svc, "supplier", supplier.id)[1:] == [
        ("update", {"phone": None, "address.city": "Lisbon"},
         {"phone": "+351 1", "address.city": "Porto"}, None)]
    assert changes(svc, "customer", customer.id)[1:] == [
        ("update", {"min_remaining_shelf_life_days": None},
         {"min_remaining_shelf_life_days": 10}, None)]
    assert changes(svc, "warehouse", warehouse.id)[1:] == [
        ("update", {"name": "Second"}, {"name": "Annex"}, None)]
    assert changes(svc, "location", location.id)[1:] == [
        ("update", {"code": "A-1", "kind": "storage"}, {"code": "A-2", "kind": "quarantine"},
         None)]
    settings = latest(svc, "settings")
    assert (settings.entity_id, settings.action, settings.before, settings.after,
            settings.actor, settings.occurred_at) == (
        svc.org_id, "update", {"timezone": "UTC"}, {"timezone": "Europe/Lisbon"}, ACTOR,
        FIXED_NOW)


def test_users_and_keys(fixed_svc: Services) -> None:
    svc = fixed_svc
    name = f"ana-{uuid.uuid4().hex[:8]}"
    user = svc.users.create_user(name, "long enough password", "viewer")
    svc.users.update_user(user.id, role="manager")
    svc.users.update_user(user.id, password="another long password")
    svc.users.update_user(user.id, role="manager")  # no change: no row
    assert changes(svc, "user", user.id) == [
        ("create", None, {"username": name, "role": "viewer"}, None),
        ("update", {"role": "viewer"}, {"role": "manager"}, None),
        ("update", {"password": None}, {"password": "changed"}, None)]
    svc.users.create_api_key(username=name, name="scanner-1")
    key = svc.users.list_api_keys()[0]
    svc.users.revoke_api_key(key.id)
    assert changes(svc, "api_key", key.id) == [
        ("create", None, {"name": "scanner-1", "role": "manager", "owner": name}, None),
        ("revoke", {"revoked": False}, {"revoked": True}, None)]


def test_lot_edits_and_the_reason_rule(fixed_svc: Services, fixed_kit: Kit) -> None:
    svc = fixed_svc
    lot = fixed_kit.lot(fixed_kit.product(), "L-1", quantity=10, unit_cost="2",
                        expiry_date="2026-12-31")
    for change in ({"expiry_date": "2027-01-31"}, {"expiration_date": None},
                   {"unit_cost": "2.5", "manufacturer_batch_number": "M-1"},
                   {"unit_cost": "3", "reason": " "}):
        with pytest.raises(ReasonRequired) as caught:
            svc.batches.update(lot.id, **change)
        assert [e.field for e in caught.value.errors] == ["reason"]
        assert isinstance(caught.value, ValidationError)
    with pytest.raises(ReasonRequired) as both:
        svc.batches.update(lot.id, expiry_date="2027-01-31", unit_cost="3")
    assert both.value.message == "reason: is required to change expiry_date and unit_cost"
    unchanged = svc.batches.get(lot.id)
    assert (unchanged.expiry_date, unchanged.unit_cost, unchanged.manufacturer_batch_number
            ) == (dt.date(2026, 12, 31), 2, None)

    svc.batches.update(lot.id, unit_cost="2.00", expiry_date="2026-12-31")  # same values
    svc.batches.update(lot.id, expiry_date="2027-01-31", unit_cost="2.75",
                       reason="supplier corrected the label")
    svc.batches.update(lot.id, quantity=12, reason="recount")
    svc.batches.hold(lot.id, "mould", kind="quarantine")
    svc.batches.release(lot.id, reason="lab ok")
    svc.batches.mark_inactive([lot.id])
    since = FIXED_NOW.isoformat()
    assert changes(svc, "batch", lot.id)[1:] == [
        ("update", {"expiry_date": "2026-12-31", "unit_cost": "2"},
         {"expiry_date": "2027-01-31", "unit_cost": "2.75"}, "supplier corrected the label"),
        ("update", {"quantity": "10"}, {"quantity": "12"}, "recount"),
        ("hold", {"hold": None}, {"hold": {"reason": "mould", "kind": "quarantine",
                                           "since": since}}, "mould"),
        ("release", {"hold": {"reason": "mould", "kind": "quarantine", "since": since}},
         {"hold": None}, "lab ok"),
        ("status", {"status": "active"}, {"status": "inactive"}, None)]


def test_a_failed_edit_leaves_no_row(svc: Services, kit: Kit) -> None:
    first, second = kit.product(), kit.product()
    with pytest.raises(Conflict):
        svc.products.update(second.id, sku=first.sku, name="Renamed")
    lot = kit.lot(second, quantity=5)
    with pytest.raises(ValidationError):
        svc.batches.update(lot.id, expiry_date="2027-01-01", reason="x",
                           manufacturing_date="2027-02-01")
    assert [e.action for e in svc.audit.list(entity="product", entity_id=second.id).items] \
        == ["create"]
    assert [e.action for e in svc.audit.list(entity="batch").items] == ["create"]


def test_reading_the_log_filters_and_pages(svc: Services, kit: Kit) -> None:
    product = kit.product(name="v0")
    for n in range(1, 6):
        svc.products.update(product.id, name=f"v{n}")
    names = []
    cursor = None
    while True:
        page = svc.audit.list(entity="product", action="update", limit=2, cursor=cursor)
        names += [e.after["name"] for e in page.items if e.after]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert names == ["v5", "v4", "v3", "v2", "v1"]
    assert svc.audit.list(actor="someone else").items == []
    report = svc.audit.export(entity="product", entity_id=product.id)
    assert [row["action"] for row in report.rows] == ["update"] * 5 + ["create"]
    assert report.rows[0]["before"] == '{"name":"v4"}'

    with pytest.raises(ValidationError) as caught:
        svc.audit.list(entity="lots", since="soon", until="2026-01-01T00:00:00+25:00",
                       entity_id="x" * 101)
    assert [e.field for e in caught.value.errors] == ["entity", "entity_id", "since", "until"]
    with pytest.raises(ValidationError) as order:
        svc.audit.list(since="2026-05-01", until="2026-05-01T00:00:00Z")
    assert order.value.errors[0].field == "until"
    with pytest.raises(ValidationError) as limit:
        svc.audit.list(limit=0)
    assert limit.value.errors[0].field == "limit"
    with pytest.raises(PermissionDenied):
        kit.as_role(Role.MANAGER).audit.list()
