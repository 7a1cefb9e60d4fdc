"""The master-data pages without a browser: products, suppliers, customers and locations are
listed (paged, searched), created and edited with the API's rules; errors name the field in
words; a viewer reads and cannot write; a location is held and released with a reason."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_kit import World, login, post, unique


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{name}">([^<]*)</p>', page)
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


PRODUCT = {"sku": "", "name": "Widget", "tracking": "lot", "gtin": "", "uom": "EA",
           "removal_strategy": "fefo", "shelf_life_days": "", "expiry_alert_days": "30",
           "serial_pattern": ""}


def test_product_created_and_edited_with_the_apis_rules(client: TestClient,
                                                       world: World) -> None:
    token = login(client, world.usernames["manager"])
    sku = unique("WID")
    created = post(client, "/products/new", token, **{**PRODUCT, "sku": sku,
                                                       "gtin": "4006381333931"})
    assert created.status_code == 303
    assert created.headers["location"] == f"/products?saved={sku}"
    product = world.svc.products.by_sku(sku)
    assert (product.name, product.tracking.value, product.gtin, product.uom) == (
        "Widget", "lot", "04006381333931", "EA")
    listed = client.get(f"/products?q={sku}").text
    assert f'href="/products/{product.id}" class="row-link">{sku}</a>' in listed
    assert f"Product {sku} saved." in client.get(created.headers["location"]).text
    edited = post(client, f"/products/{product.id}", token,
                  **{**PRODUCT, "sku": sku, "name": "Widget XL", "shelf_life_days": "365"})
    assert edited.status_code == 303
    after = world.svc.products.get(product.id)
    assert (after.name, after.shelf_life_days, after.gtin) == ("Widget XL", 365, None)


def test_product_errors_name_the_field_in_words_and_change_nothing(
        client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    sku = unique("BAD")
    bad = post(client, "/products/new", token, **{**PRODUCT, "sku": sku,
                                                   "gtin": "4006381333932", "uom": "pieces"})
    assert bad.status_code == 422
    assert _field_error(bad.text, "gtin") == "GTIN has a wrong check digit"
    assert _field_error(bad.text, "uom") == ("Unit of measure must be a UN/ECE Rec 20 code "
                                             "such as EA, KGM, LTR")
    assert 'value="4006381333932"' in bad.text and "gtin:" not in bad.text
    assert world.svc.products.list(q=sku).items == []
    empty = post(client, "/products/new", token, **PRODUCT)
    assert _field_error(empty.text, "sku") == "Enter the sku"
    taken = world.svc.products.get(world.ids["scanner"])
    clash = post(client, "/products/new", token, **{**PRODUCT, "sku": taken.sku})
    assert clash.status_code == 422
    assert _field_error(clash.text, "sku") == (f"SKU {taken.sku!r} is already used by "
                                               "another product")


def test_supplier_and_customer_with_address(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["admin"])
    name = unique("Nordic Foods")
    address = {"street": "Kai 4", "city": "Aarhus", "postal_code": "8000", "country": "DK"}
    created = post(client, "/suppliers/new", token, name=name, code="", email="",
                   phone="+45 1234", **address)
    assert created.status_code == 303
    supplier = world.svc.suppliers.list(q=name).items[0]
    assert (supplier.address.street, supplier.address.city, supplier.address.postal_code,
            supplier.address.country, supplier.phone) == ("Kai 4", "Aarhus", "8000", "DK",
                                                          "+45 1234")
    bad = post(client, f"/suppliers/{supplier.id}", token, name=name, email="nobody",
               postal_code="9" * 41)
    assert bad.status_code == 422
    assert _field_error(bad.text, "email") == "E-mail must be an e-mail address"
    assert _field_error(bad.text, "postal_code").startswith("Postal code ")
    assert world.svc.suppliers.get(supplier.id).email is None
    customer = post(client, "/customers/new", token, name=unique("Shop"),
                    min_remaining_shelf_life_days="abc")
    assert _field_error(customer.text, "min_remaining_shelf_life_days") == (
        "Minimum shelf life left at shipping, days must be a whole number")
    ok = post(client, "/customers/new", token, name="Corner Shop", city="Lyon",
              min_remaining_shelf_life_days="20")
    assert ok.status_code == 303
    shop = world.svc.customers.list(q="Corner Shop").items[0]
    assert (shop.address.city, shop.min_remaining_shelf_life_days) == ("Lyon", 20)


def test_viewer_reads_but_cannot_write(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["viewer"])
    listing = client.get("/products").text
    assert "New product" not in listing
    detail = client.get(f"/products/{world.ids['scanner']}").text
    assert "<fieldset class=\"plain\" disabled>" in detail and 'data-action="save"' not in detail
    assert client.get("/suppliers/new").status_code == 403
    denied = post(client, f"/customers/{world.ids['customer']}", token, name="Hacked")
    assert denied.status_code == 403
    assert world.svc.customers.get(world.ids["customer"]).name == "Bolt Retail"


def test_lists_are_paged_and_searched(client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    tag = unique("PG")
    for n in range(55):
        world.svc.suppliers.create_supplier(name=f"{tag} supplier {n:02d}")
    first = client.get(f"/suppliers?q={tag}").text
    assert first.count('class="row-link"') == 50
    found = re.search(r'href="([^"]+)" rel="next"', first)
    assert found
    second = client.get(html.unescape(found.group(1))).text
    assert second.count('class="row-link"') == 5 and "First page" in second
    assert "Nothing matches “zzz-none”." in client.get("/suppliers?q=zzz-none").text


def test_location_created_searched_held_and_released(client: TestClient,
                                                     world: World) -> None:
    token = login(client, world.usernames["manager"])
    warehouse = world.svc.warehouses.default()
    created = post(client, "/locations/new", token, warehouse_id=warehouse.id,
                   code="a-01-03", kind="storage")
    assert created.status_code == 303
    location = world.svc.warehouses.location_by_code("A-01-03")
    assert location.kind.value == "storage"
    assert "A-01-03" in client.get("/locations?q=01-0").text
    duplicate = post(client, "/locations/new", token, warehouse_id=warehouse.id,
                     code="A-01-03", kind="storage")
    assert duplicate.status_code == 422 and "already exists in that warehouse" in duplicate.text
    no_reason = post(client, f"/locations/{location.id}/hold", token, reason=" ",
                     kind="quarantine")
    assert _field_error(no_reason.text, "reason") == "Enter why the location is held"
    assert world.svc.warehouses.get_location(location.id).hold is None
    held = post(client, f"/locations/{location.id}/hold", token, reason="leaking roof",
                kind="quarantine")
    assert held.headers["location"] == f"/locations/{location.id}?done=held"
    hold = world.svc.warehouses.get_location(location.id).hold
    assert hold is not None and (hold.reason, hold.kind.value) == ("leaking roof", "quarantine")
    assert "On quarantine hold" in client.get(f"/locations/{location.id}").text
    released = post(client, f"/locations/{location.id}/release", token, reason="roof fixed")
    assert released.status_code == 303
    assert world.svc.warehouses.get_location(location.id).hold is None
    assert _audited_reason(world, "location", location.id, "release") == \
        "roof fixed"


def test_lot_release_needs_a_reason_kept_in_the_audit_log(client: TestClient,
                                                          world: World) -> None:
    token = login(client, world.usernames["manager"])
    url = f"/lots/{world.ids['lot']}"
    post(client, f"{url}/hold", token, reason="smell check", kind="quarantine")
    refused = post(client, f"{url}/release", token, reason="  ")
    assert refused.status_code == 422
    assert "Say why the hold ends (the release reason)" in refused.text
    assert world.svc.batches.get(world.ids["lot"]).hold is not None
    released = post(client, f"{url}/release", token, reason="lab says fine")
    assert released.headers["location"] == f"{url}?done=released"
    assert world.svc.batches.get(world.ids["lot"]).hold is None
    assert _audited_reason(world, "batch", world.ids["lot"], "release") == "lab says fine"


def _audited_reason(world: World, entity: str, entity_id: str, action: str) -> str | None:
    """The reason kept on the last audit row of this entity and action."""
    log = sa.table("audit_log", sa.column("entity"), sa.column("entity_id"),
                   sa.column("action"), sa.column("reason"), sa.column("id"))
    with world.svc.engine.connect() as conn:
        reason: str | None = conn.execute(sa.select(log.c.reason).where(
            log.c.entity == entity, log.c.entity_id == entity_id, log.c.action == action)
            .order_by(log.c.id.desc()).limit(1)).scalar_one()
    return reason
