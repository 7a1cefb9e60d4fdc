"""Organization settings (serial uniqueness scope), roles, and tenancy: another organization's
ids answer NotFound, never its data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.model import OrgSettings
from lotline.domain.statuses import Role, SerialScope
from lotline.errors import (
    Ambiguous,
    Conflict,
    DuplicateSerial,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from support import Kit

# --- settings and the serial uniqueness scope --------------------------------------------------


def test_default_settings(svc: Services) -> None:
    assert svc.settings.get() == OrgSettings(serial_scope=SerialScope.ORGANIZATION,
                                             timezone="UTC",
                                             digital_link_domain="https://id.gs1.org")


def test_update_settings(svc: Services, kit: Kit) -> None:
    updated = svc.settings.update(timezone="Europe/Lisbon",
                                  digital_link_domain="https://id.example.com/")
    assert (updated.timezone, updated.digital_link_domain) == ("Europe/Lisbon",
                                                               "https://id.example.com")
    assert svc.settings.get() == updated
    with pytest.raises(ValidationError) as caught:
        svc.settings.update(timezone="Mars/Olympus", serial_scope="galaxy",
                            digital_link_domain="ftp://x")
    assert sorted(e.field for e in caught.value.errors) == [
        "digital_link_domain", "serial_scope", "timezone"]
    with pytest.raises(ValidationError) as caught:
        svc.settings.update(colour="blue")
    assert caught.value.errors[0].field == "colour"
    assert svc.settings.get() == updated
    assert kit.count(t.audit_log, entity="settings") == 1


def test_product_scope_allows_the_same_number_on_two_products(svc: Services, kit: Kit) -> None:
    svc.settings.update(serial_scope="product")
    assert svc.settings.get().serial_scope is SerialScope.PRODUCT
    first, second = kit.product("serial"), kit.product("serial")
    a = svc.serials.register("SN-SHARED", product_id=first.id)
    b = svc.serials.register("SN-SHARED", product_id=second.id)
    with pytest.raises(DuplicateSerial):  # still unique inside one product
        svc.serials.register("SN-SHARED", product_id=first.id)
    with pytest.raises(Ambiguous) as caught:
        svc.serials.lookup("SN-SHARED")
    error = caught.value
    assert (error.code, error.http_status) == ("ambiguous", 409)
    assert error.candidates == [{"id": a.id, "product_id": first.id, "sku": first.sku},
                                {"id": b.id, "product_id": second.id, "sku": second.sku}]
    assert "'SN-SHARED' matches 2 records" in error.message
    with pytest.raises(Ambiguous):
        svc.batch_tracking.lookup_serial("SN-SHARED")
    assert svc.serials.lookup("SN-SHARED", product_id=second.id).id == b.id
    # Back to one number per organization is refused while they clash.
    with pytest.raises(Conflict) as caught_c:
        svc.settings.update(serial_scope="organization")
    assert "SN-SHARED" in caught_c.value.message
    assert caught_c.value.details["serial_numbers"] == ["SN-SHARED"]
    assert svc.settings.get().serial_scope is SerialScope.PRODUCT
    svc.serials.change_status(b.id, "CANCELLED")  # a cancelled number still exists
    with pytest.raises(Conflict):
        svc.settings.update(serial_scope="organization")


def test_scope_round_trip_without_clashes(svc: Services, kit: Kit) -> None:
    product = kit.product("serial")
    svc.serials.register_many(["X-1", "X-2"], product_id=product.id)
    svc.settings.update(serial_scope="product")
    other = kit.product("serial")
    svc.serials.register("X-3", product_id=other.id)
    assert svc.settings.update(serial_scope="organization").serial_scope is \
        SerialScope.ORGANIZATION
    with pytest.raises(DuplicateSerial) as caught:
        svc.serials.register("X-1", product_id=other.id)
    assert caught.value.serial_numbers == ["X-1"]
    assert svc.serials.lookup("X-1").product_id == product.id


# --- roles -------------------------------------------------------------------------------------


def test_viewer_services_are_denied_every_write(database: Any) -> None:
    viewer = database.services(role=Role.VIEWER)
    writes: list[Callable[[], object]] = [
        lambda: viewer.products.create_product(sku="A", name="A"),
        lambda: viewer.suppliers.create_supplier(name="S"),
        lambda: viewer.customers.create_customer(name="C"),
        lambda: viewer.warehouses.create_warehouse("W2"),
        lambda: viewer.orders.create_order(reference="SO", customer_id="c", lines=[]),
        lambda: viewer.batches.create(product_id="p", batch_number="L"),
        lambda: viewer.batch_tracking.create_batch(product_id="p", batch_number="L"),
        lambda: viewer.batches.bulk_delete(["x"]),
        lambda: viewer.batches.mark_inactive(["x"]),
        lambda: viewer.batches.hold("x", "why"),
        lambda: viewer.batches.release("x"),
        lambda: viewer.serials.register("SN", product_id="p"),
        lambda: viewer.serials.register_many(["SN"], product_id="p"),
        lambda: viewer.serials.change_status("x", "SHIPPED"),
        lambda: viewer.settings.update(serial_scope="product"),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied) as caught:
            write()
        assert (caught.value.code, caught.value.http_status) == ("forbidden", 403)
        assert caught.value.details == {"required": caught.value.details["required"],
                                        "role": "viewer"}
    assert viewer.products.list().items == []
    assert viewer.settings.get().serial_scope is SerialScope.ORGANIZATION


def test_viewer_reads_what_a_manager_wrote(svc: Services, kit: Kit) -> None:
    manager = kit.as_role(Role.MANAGER)
    product = manager.products.create_product(sku="M-1", name="M", tracking="lot_serial")
    batch = manager.batches.create(product_id=product.id, batch_number="L", quantity=2)
    serial = manager.serials.register("SN-1", batch_id=batch.id)
    viewer = kit.as_role(Role.CONSULTOR)
    assert viewer.products.get(product.id) == product
    assert viewer.batches.get(batch.id).balance_quantity == 1
    assert viewer.serials.lookup("SN-1") == serial
    assert viewer.serials.counts()["IN_STOCK"] == 1
    assert [m.kind.value for m in viewer.serials.history(serial.id)] == ["receipt"]
    with pytest.raises(PermissionDenied) as caught:
        viewer.serials.change_status(serial.id, "SHIPPED")
    assert "manager" in caught.value.message
    with pytest.raises(PermissionDenied) as caught:
        manager.settings.update(timezone="UTC")  # settings need an admin
    assert caught.value.details == {"required": "admin", "role": "manager"}
    assert svc.serials.get(serial.id).status.value == "IN_STOCK"


# --- tenancy -----------------------------------------------------------------------------------


def test_another_organizations_ids_are_not_found(svc: Services, kit: Kit,
                                                 database: Any) -> None:
    product, batch = kit.serial_lot(expiry_date="2026-12-31")
    supplier, customer = kit.supplier(), kit.customer()
    order = kit.order(product, customer=customer)
    serial = svc.serials.register("SN-MINE", batch_id=batch.id)
    stock = kit.stock_location_id()
    other = database.services()
    reads: list[tuple[Callable[[], object], str]] = [
        (lambda: other.products.get(product.id), "product"),
        (lambda: other.suppliers.get(supplier.id), "supplier"),
        (lambda: other.customers.get(customer.id), "customer"),
        (lambda: other.orders.get(order.id), "order"),
        (lambda: other.batches.get(batch.id), "batch"),
        (lambda: other.serials.get(serial.id), "serial"),
        (lambda: other.serials.history(serial.id), "serial"),
        (lambda: other.serials.lookup("SN-MINE"), "serial"),
        (lambda: other.warehouses.get_location(stock), "location"),
        (lambda: other.batch_tracking.get_serials_by_batch(batch.id), "batch"),
    ]
    for read, entity in reads:
        with pytest.raises(NotFound) as caught:
            read()
        assert caught.value.entity == entity
    assert other.batch_tracking.lookup_serial("SN-MINE") is None
    assert other.batches.list_by_product(product.id) == []
    assert other.serials.search(q="SN-MINE").items == []
    assert other.serials.counts()["ALL"] == 0
    assert other.batches.by_number(batch.batch_number) == []
    assert other.batches.expired(as_of=batch.created_at.date().replace(year=2100)) == []


def test_another_organizations_ids_in_a_body_are_not_found_by_field(
        svc: Services, kit: Kit, database: Any) -> None:
    product, batch = kit.serial_lot()
    supplier = kit.supplier()
    mine = svc.serials.register("SN-1", batch_id=batch.id)
    other = database.services()
    other_product = other.products.create_product(sku="O", name="O", tracking="lot_serial")
    other_customer = other.customers.create_customer(name="Theirs")
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: other.batches.create(product_id=product.id, batch_number="X"), "product_id"),
        (lambda: other.batches.create(product_id=other_product.id, batch_number="X",
                                      supplier_id=supplier.id), "supplier_id"),
        (lambda: other.serials.register("SN-2", batch_id=batch.id), "batch_id"),
        (lambda: other.orders.create_order(reference="SO-X", customer_id=other_customer.id,
                                           lines=[{"product_id": product.id, "quantity": 1}]),
         "lines.0.product_id"),
        (lambda: other.batches.bulk_delete([batch.id]), "ids"),
        (lambda: other.serials.change_status(mine.id, "SHIPPED"), "serial_id"),
    ]
    for call, field in cases:
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.field == field
    their_order = other.orders.create_order(
        reference="SO-THEIRS", customer_id=other_customer.id,
        lines=[{"product_id": other_product.id, "quantity": 1}])
    with pytest.raises(NotFound) as caught:
        svc.serials.change_status(mine.id, "ALLOCATED", order_id=their_order.id)
    assert (caught.value.entity, caught.value.field) == ("order", "order_id")
    assert svc.serials.get(mine.id).status.value == "IN_STOCK"
    # The same serial number is free in another organization.
    their_lot = other.batches.create(product_id=other_product.id, batch_number="L",
                                     quantity=1)
    assert other.serials.register("SN-1", batch_id=their_lot.id).serial_number == "SN-1"
