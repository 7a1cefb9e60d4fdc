"""Master data services: products, suppliers, customers, warehouses and locations, orders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.model import Address
from lotline.domain.statuses import LocationKind, RemovalStrategy, Tracking
from lotline.errors import Conflict, NotFound, ValidationError
from support import Kit

# --- products ----------------------------------------------------------------------------------


def test_create_product_defaults_and_normalised_gtin(svc: Services) -> None:
    product = svc.products.create_product(sku="WIDGET-1", name=" Widget ",
                                          tracking="LOT_SERIAL", gtin="4006381333931")
    assert product.sku == "WIDGET-1"
    assert product.name == "Widget"
    assert product.tracking is Tracking.LOT_SERIAL
    assert product.gtin == "04006381333931"
    assert product.uom == "EA"
    assert product.removal_strategy is RemovalStrategy.FEFO
    assert product.expiry_alert_days == 30
    assert product.shelf_life_days is None
    assert product.created_at.tzinfo is not None
    assert svc.products.get(product.id) == product
    assert svc.products.by_sku("WIDGET-1") == product


def test_create_product_with_every_field(svc: Services) -> None:
    product = svc.products.create_product(
        sku="MILK", name="Milk 1L", tracking="lot", uom="ltr", removal_strategy="FIFO",
        shelf_life_days=10, expiry_alert_days=3, serial_pattern="^M[0-9]+$")
    assert (product.uom, product.removal_strategy, product.shelf_life_days,
            product.expiry_alert_days, product.serial_pattern) == (
        "LTR", RemovalStrategy.FIFO, 10, 3, "^M[0-9]+$")


@pytest.mark.parametrize(("fields", "field"), [
    ({"tracking": "batch"}, "tracking"),
    ({"gtin": "4006381333932"}, "gtin"),
    ({"uom": "litres"}, "uom"),
    ({"removal_strategy": "random"}, "removal_strategy"),
    ({"shelf_life_days": 0}, "shelf_life_days"),
    ({"sku": "   "}, "sku"),
    ({"colour": "red"}, "colour"),
])
def test_create_product_rejects_bad_fields(svc: Services, fields: dict[str, object],
                                           field: str) -> None:
    values = {"sku": "S-1", "name": "N", **fields}
    with pytest.raises(ValidationError) as caught:
        svc.products.create_product(**values)
    assert [e.field for e in caught.value.errors] == [field]
    assert svc.products.list().items == []


def test_unknown_tracking_names_the_value(svc: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.products.create_product(sku="S", name="N", tracking="serialised")
    assert "'serialised'" in caught.value.message
    assert "lot_serial" in caught.value.message


def test_product_name_required(svc: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.products.create_product(sku="S-1")
    assert caught.value.errors[0].field == "name"


def test_duplicate_sku_and_gtin_conflict(svc: Services) -> None:
    first = svc.products.create_product(sku="A", name="A", gtin="96385074")
    with pytest.raises(Conflict) as caught:
        svc.products.create_product(sku="A", name="Other")
    assert "'A'" in caught.value.message and first.id in caught.value.message
    with pytest.raises(Conflict) as caught:
        svc.products.create_product(sku="B", name="B", gtin="00000096385074")
    assert "00000096385074" in caught.value.message
    assert [p.sku for p in svc.products.list().items] == ["A"]


def test_unknown_product_is_not_found_naming_the_field(svc: Services) -> None:
    with pytest.raises(NotFound) as caught:
        svc.products.get("no-such-id")
    assert (caught.value.entity, caught.value.field, caught.value.value) == (
        "product", "product_id", "no-such-id")
    assert caught.value.code == "not_found" and caught.value.http_status == 404
    with pytest.raises(NotFound) as caught:
        svc.products.by_sku("NOPE")
    assert caught.value.field == "sku"


def test_update_list_and_delete_product(svc: Services, kit: Kit) -> None:
    a = kit.product("none")
    b = kit.product("serial", name="Scanner")
    updated = svc.products.update(a.id, name="Renamed", expiry_alert_days=7, tracking="lot")
    assert (updated.name, updated.expiry_alert_days, updated.tracking) == ("Renamed", 7,
                                                                          Tracking.LOT)
    assert updated.updated_at >= a.updated_at
    assert [p.id for p in svc.products.list().items] == [a.id, b.id]
    assert [p.id for p in svc.products.list(q="scan").items] == [b.id]
    assert [p.id for p in svc.products.list(tracking="serial").items] == [b.id]
    svc.products.delete(a.id)
    with pytest.raises(NotFound):
        svc.products.get(a.id)
    assert kit.count(t.audit_log, entity="product", entity_id=a.id) == 3  # create, update, delete


def test_product_with_lots_cannot_change_tracking_or_be_deleted(svc: Services,
                                                                kit: Kit) -> None:
    product = kit.product("lot")
    kit.lot(product, quantity=1)
    with pytest.raises(Conflict) as caught:
        svc.products.update(product.id, tracking="serial")
    assert "lots" in caught.value.message
    with pytest.raises(Conflict):
        svc.products.delete(product.id)
    assert svc.products.get(product.id).tracking is Tracking.LOT


def test_product_list_pages_with_cursor(svc: Services, kit: Kit) -> None:
    made = [kit.product("none").id for _ in range(5)]
    first = svc.products.list(limit=2)
    second = svc.products.list(limit=2, cursor=first.next_cursor)
    third = svc.products.list(limit=2, cursor=second.next_cursor)
    assert [p.id for p in first.items + second.items + third.items] == made
    assert third.next_cursor is None
    with pytest.raises(ValidationError) as caught:
        svc.products.list(limit=0)
    assert caught.value.errors[0].field == "limit"
    with pytest.raises(ValidationError) as caught:
        svc.products.list(cursor="not a cursor!")
    assert caught.value.errors[0].field == "cursor"


# --- suppliers and customers -------------------------------------------------------------------


def test_supplier_create_get_update_delete(svc: Services) -> None:
    supplier = svc.suppliers.create_supplier(
        name="Acme Parts", code="ACME", email="orders@acme.example", phone="+351 22 000 0000",
        address={"street": "Rua 1", "city": "Porto", "postal_code": "4000-001",
                 "country": "PT"})
    assert supplier.address == Address("Rua 1", "Porto", "4000-001", "PT")
    assert (supplier.name, supplier.code, supplier.email) == ("Acme Parts", "ACME",
                                                              "orders@acme.example")
    assert svc.suppliers.get(supplier.id) == supplier
    changed = svc.suppliers.update(supplier.id, city="Lisboa", name="Acme")
    assert changed.address.city == "Lisboa" and changed.address.street == "Rua 1"
    assert changed.name == "Acme"
    assert [s.id for s in svc.suppliers.list(q="acm").items] == [supplier.id]
    svc.suppliers.delete(supplier.id)
    with pytest.raises(NotFound) as caught:
        svc.suppliers.get(supplier.id)
    assert caught.value.entity == "supplier"


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "  "}, "name"),
    ({"name": "A", "email": "not-an-email"}, "email"),
    ({"name": "A", "address": {"planet": "Mars"}}, "address.planet"),
    ({"name": "A", "address": "Rua 1"}, "address"),
    ({"name": "A", "vat": "PT1"}, "vat"),
])
def test_supplier_rejects_bad_fields(svc: Services, fields: dict[str, object],
                                     field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.suppliers.create_supplier(**fields)
    assert [e.field for e in caught.value.errors] == [field]
    assert svc.suppliers.list().items == []


def test_supplier_used_by_a_lot_cannot_be_deleted(svc: Services, kit: Kit) -> None:
    supplier = kit.supplier()
    kit.lot(kit.product(), supplier_id=supplier.id)
    with pytest.raises(Conflict) as caught:
        svc.suppliers.delete(supplier.id)
    assert "batches" in caught.value.message
    assert svc.suppliers.get(supplier.id).id == supplier.id


def test_customer_with_shelf_life_requirement(svc: Services, kit: Kit) -> None:
    customer = svc.customers.create_customer(name="Bolt Retail",
                                             min_remaining_shelf_life_days=45,
                                             address={"country": "ES"})
    assert customer.min_remaining_shelf_life_days == 45
    assert customer.address == Address(country="ES")
    with pytest.raises(ValidationError) as caught:
        svc.customers.create_customer(name="X", min_remaining_shelf_life_days=-1)
    assert caught.value.errors[0].field == "min_remaining_shelf_life_days"
    kit.order(kit.product(), customer=customer)
    with pytest.raises(Conflict):
        svc.customers.delete(customer.id)
    with pytest.raises(NotFound) as caught_nf:
        svc.customers.update("missing", name="Y")
    assert caught_nf.value.entity == "customer"


# --- warehouses and locations ------------------------------------------------------------------


def test_default_warehouse_has_the_standard_locations(svc: Services) -> None:
    main = svc.warehouses.default()
    assert (main.code, main.is_default) == ("MAIN", True)
    locations = svc.warehouses.list_locations(warehouse_id=main.id).items
    assert sorted((loc.code, loc.kind) for loc in locations) == [
        ("QUARANTINE", LocationKind.QUARANTINE), ("RECEIVING", LocationKind.RECEIVING),
        ("RETURNS", LocationKind.RETURNS), ("SHIPPING", LocationKind.SHIPPING),
        ("STOCK", LocationKind.STORAGE)]
    stock = svc.warehouses.location_by_code("stock")
    assert (stock.code, stock.warehouse_id) == ("STOCK", main.id)


def test_warehouse_and_location_lifecycle(svc: Services) -> None:
    east = svc.warehouses.create_warehouse("east", "East DC")
    assert (east.code, east.name, east.is_default) == ("EAST", "East DC", False)
    assert len(svc.warehouses.list_locations(warehouse_id=east.id).items) == 5
    with pytest.raises(Conflict):
        svc.warehouses.create_warehouse("EAST")
    bin_a = svc.warehouses.create_location(east.id, "a-01-01", kind="storage")
    assert (bin_a.code, bin_a.kind, bin_a.hold) == ("A-01-01", LocationKind.STORAGE, None)
    with pytest.raises(Conflict):
        svc.warehouses.create_location(east.id, "A-01-01")
    with pytest.raises(ValidationError) as caught:
        svc.warehouses.create_location(east.id, "B", kind="attic")
    assert caught.value.errors[0].field == "kind"
    with pytest.raises(NotFound) as caught_nf:
        svc.warehouses.create_location("nope", "B")
    assert caught_nf.value.field == "warehouse_id"
    moved = svc.warehouses.update_location(bin_a.id, kind="staging")
    assert moved.kind is LocationKind.STAGING
    assert svc.warehouses.update(east.id, name="East").name == "East"
    stock = svc.warehouses.location_by_code("STOCK", east.id)
    with pytest.raises(ValidationError):
        svc.warehouses.delete_location(stock.id)  # standard locations stay
    svc.warehouses.delete_location(bin_a.id)
    with pytest.raises(NotFound):
        svc.warehouses.get_location(bin_a.id)
    svc.warehouses.delete(east.id)
    with pytest.raises(NotFound):
        svc.warehouses.get(east.id)
    with pytest.raises(Conflict):
        svc.warehouses.delete(svc.warehouses.default().id)


def test_location_holding_stock_cannot_be_deleted(svc: Services, kit: Kit) -> None:
    bin_b = svc.warehouses.create_location(svc.warehouses.default().id, "B-1")
    kit.lot(kit.product(), quantity=3, location_id=bin_b.id)
    with pytest.raises(Conflict):
        svc.warehouses.delete_location(bin_b.id)


# --- orders ------------------------------------------------------------------------------------


def test_create_and_read_order(svc: Services, kit: Kit) -> None:
    customer = kit.customer()
    a, b = kit.product(), kit.product("serial")
    order = svc.orders.create_order(reference=" SO-1001 ", customer_id=customer.id, lines=[
        {"product_id": a.id, "quantity": "2.5", "unit_price": 10},
        {"item_id": b.id, "quantity": 1}])
    assert (order.reference, order.customer_id, order.status) == ("SO-1001", customer.id,
                                                                  "open")
    assert [(line.line_no, line.product_id, line.quantity, line.unit_price)
            for line in order.lines] == [(1, a.id, Decimal("2.5"), Decimal(10)),
                                         (2, b.id, Decimal(1), None)]
    assert svc.orders.get(order.id) == order
    assert svc.orders.by_reference("SO-1001") == order
    assert [o.id for o in svc.orders.list(customer_id=customer.id).items] == [order.id]
    with pytest.raises(Conflict) as caught:
        svc.orders.create_order(reference="SO-1001", customer_id=customer.id,
                                lines=[{"product_id": a.id, "quantity": 1}])
    assert "'SO-1001'" in caught.value.message


def test_order_bad_input(svc: Services, kit: Kit) -> None:
    customer, product = kit.customer(), kit.product()
    with pytest.raises(NotFound) as caught:
        svc.orders.create_order(reference="SO-1", customer_id="ghost",
                                lines=[{"product_id": product.id, "quantity": 1}])
    assert (caught.value.entity, caught.value.field) == ("customer", "customer_id")
    with pytest.raises(NotFound) as caught:
        svc.orders.create_order(reference="SO-1", customer_id=customer.id,
                                lines=[{"product_id": product.id, "quantity": 1},
                                       {"product_id": "ghost", "quantity": 1}])
    assert (caught.value.entity, caught.value.field) == ("product", "lines.1.product_id")
    with pytest.raises(ValidationError) as caught_v:
        svc.orders.create_order(reference="  ", customer_id=customer.id, lines=[
            {"product_id": product.id, "quantity": 0},
            {"product_id": product.id, "quantity": -1},
            {"quantity": 1}])
    assert sorted(e.field for e in caught_v.value.errors) == [
        "lines.0.quantity", "lines.1.quantity", "lines.2.product_id", "reference"]
    with pytest.raises(ValidationError) as caught_v:
        svc.orders.create_order(reference="SO-2", customer_id=customer.id, lines=[])
    assert caught_v.value.errors[0].field == "lines"
    with pytest.raises(NotFound) as caught:
        svc.orders.get("ghost")
    assert caught.value.field == "order_id"
    assert svc.orders.list().items == []
