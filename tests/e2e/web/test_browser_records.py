"""Products, suppliers, customers and locations in a real browser at phone and desktop width:
what the page says after each step and what the database then holds; a viewer's read-only
form; screenshots of every page at 390 and 1366 px."""

from __future__ import annotations

from collections.abc import Callable

from browser_kit import Server
from new_pages_kit import DESKTOP, PHONE, needs_chromium, shoot_both
from new_pages_kit import browser as browser  # the module's fixtures
from new_pages_kit import open_as as open_as
from new_pages_kit import server as server
from new_pages_kit import world as world
from playwright.sync_api import Page, expect
from web_kit import World, unique

pytestmark = needs_chromium
OpenAs = Callable[[str, dict[str, int]], Page]


def test_manager_creates_product_supplier_customer_on_a_phone(open_as: OpenAs, server: Server,
                                                              world: World) -> None:
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/products']")
    page.click("a[data-action=new]")
    sku = unique("PH")
    page.fill("#f-sku", sku)
    page.fill("#f-name", "Phone-made widget")
    page.select_option("#f-tracking", "lot_serial")
    page.fill("#f-gtin", "4006381333932")
    page.click("button[data-action=save]")
    expect(page.locator("#err-gtin")).to_have_text("GTIN has a wrong check digit")
    expect(page.locator("#f-sku")).to_have_value(sku)
    assert world.svc.products.list(q=sku).items == []
    page.fill("#f-gtin", "4006381333931")
    page.click("button[data-action=save]")
    expect(page.locator(".alert-ok")).to_have_text(f"Product {sku} saved.")
    product = world.svc.products.by_sku(sku)
    assert (product.tracking.value, product.gtin) == ("lot_serial", "04006381333931")
    page.fill("#f-q", sku)
    page.click(".records-search button[type=submit]")
    expect(page.locator("table.records tbody tr")).to_have_count(1)

    page.goto(f"{server.base_url}/suppliers/new")
    page.fill("#f-name", "Fjord Fisheries")
    page.fill("#f-email", "not-an-address")
    page.fill("#f-city", "Bergen")
    page.click("button[data-action=save]")
    expect(page.locator("#err-email")).to_have_text("E-mail must be an e-mail address")
    page.fill("#f-email", "orders@fjord.example")
    page.click("button[data-action=save]")
    expect(page.locator(".alert-ok")).to_have_text("Supplier Fjord Fisheries saved.")
    supplier = world.svc.suppliers.list(q="Fjord Fisheries").items[0]
    assert (supplier.email, supplier.address.city) == ("orders@fjord.example", "Bergen")

    page.goto(f"{server.base_url}/customers/new")
    page.fill("#f-name", "Harbour Deli")
    page.fill("#f-street", "Quay 1")
    page.fill("#f-country", "NO")
    page.click("button[data-action=save]")
    expect(page.locator(".alert-ok")).to_have_text("Customer Harbour Deli saved.")
    customer = world.svc.customers.list(q="Harbour Deli").items[0]
    assert (customer.address.street, customer.address.country) == ("Quay 1", "NO")


def test_location_held_and_released_with_a_reason(open_as: OpenAs, server: Server,
                                                  world: World) -> None:
    page = open_as("manager", PHONE)
    page.goto(f"{server.base_url}/locations/new")
    code = unique("B").upper()
    page.fill("#f-code", code)
    page.click("button[data-action=save]")
    expect(page.locator(".alert-ok")).to_have_text(f"Location {code} saved.")
    page.click(f"table.records a.row-link:text-is(\"{code}\")")
    page.fill("#hold #f-reason", "sprinkler leak")
    page.click("button[data-action=hold]")
    expect(page.locator("#hold .alert-ok")).to_contain_text("The location is on hold")
    location = world.svc.warehouses.location_by_code(code)
    assert location.hold is not None and location.hold.reason == "sprinkler leak"
    page.click("button[data-action=release]")
    expect(page.locator("#err-reason")).to_have_text("Enter why the hold ends")
    page.fill("#hold #f-reason", "leak repaired")
    page.click("button[data-action=release]")
    expect(page.locator("#hold .alert-ok")).to_have_text("The hold is released.")
    assert world.svc.warehouses.location_by_code(code).hold is None


def test_viewer_reads_records_without_forms(open_as: OpenAs, server: Server,
                                            world: World) -> None:
    page = open_as("viewer", DESKTOP)
    page.goto(f"{server.base_url}/customers")
    expect(page.locator("a[data-action=new]")).to_have_count(0)
    page.click("text=Bolt Retail")
    expect(page.locator("#f-name")).to_be_disabled()
    expect(page.locator("button[data-action=save]")).to_have_count(0)


def test_screenshots_of_the_record_pages(open_as: OpenAs, server: Server,
                                         world: World) -> None:
    location = world.svc.warehouses.location_by_code("STOCK")
    pages = {"products": "/products", "product-new": "/products/new",
             "product-edit": f"/products/{world.ids['scanner']}",
             "suppliers": "/suppliers", "supplier-new": "/suppliers/new",
             "supplier-edit": f"/suppliers/{world.ids['supplier']}",
             "customers": "/customers", "customer-new": "/customers/new",
             "customer-edit": f"/customers/{world.ids['customer']}",
             "locations": "/locations", "location-new": "/locations/new",
             "location-edit": f"/locations/{location.id}"}
    for name, path in pages.items():
        for shot in shoot_both(open_as, server.base_url, path, name):
            assert shot.stat().st_size > 5_000


def test_lot_held_and_released_with_a_reason_on_a_phone(open_as: OpenAs, server: Server,
                                                        world: World) -> None:
    page = open_as("manager", PHONE)
    page.goto(f"{server.base_url}/lots/{world.ids['lot']}")
    page.fill("#f-reason", "customer complaint")
    page.click("button[data-action=hold]")
    expect(page.locator(".alert-ok")).to_have_text("The lot is on hold.")
    hold = world.svc.batches.get(world.ids["lot"]).hold
    assert hold is not None and hold.reason == "customer complaint"
    page.fill("input[aria-label='Why the hold ends']", "complaint unfounded")
    page.click("button[data-action=release]")
    expect(page.locator(".alert-ok")).to_have_text("The hold is released.")
    assert world.svc.batches.get(world.ids["lot"]).hold is None
