"""Orders in a real browser on a phone: a new order with lines (a bad line said in words,
then fixed), allocation, and what the database holds; screenshots at 390 and 1366 px."""

from __future__ import annotations

from collections.abc import Callable

from browser_kit import Server
from new_pages_kit import PHONE, needs_chromium, shoot_both
from new_pages_kit import browser as browser  # the module's fixtures
from new_pages_kit import open_as as open_as
from new_pages_kit import server as server
from new_pages_kit import world as world
from playwright.sync_api import Page, expect
from web_kit import World, unique

pytestmark = needs_chromium
OpenAs = Callable[[str, dict[str, int]], Page]


def test_new_order_and_allocate_on_a_phone(open_as: OpenAs, server: Server,
                                           world: World) -> None:
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/orders']")
    page.click("a[data-action=new]")
    reference = unique("SO")
    page.fill("#f-reference", reference)
    page.select_option("#f-customer_id", world.ids["customer"])
    page.select_option("#l1-product", world.ids["pill"])
    page.fill("#l1-quantity", "0.5x")
    page.click("button[data-action=save]")
    pill = world.svc.products.get(world.ids["pill"])
    expect(page.locator("#l1-err")).to_have_text(f"Line 1 ({pill.sku}): quantity must be a "
                                                 "number")
    page.fill("#l1-quantity", "4")
    page.click("button[data-action=save]")
    expect(page.locator(".alert-ok")).to_contain_text("Order created.")
    order = world.svc.orders.by_reference(reference)
    assert (order.status, order.lines[0].quantity) == ("open", 4)
    page.click("button[data-action=allocate]")
    expect(page.locator(".alert-ok")).to_contain_text("Allocated")
    expect(page.locator("[data-badge=allocated]")).to_have_text("Allocated")
    view = world.svc.orders.view(order.id)
    assert (view.status, view.lines[0].allocated_quantity) == ("allocated", 4)
    page.click("text=Pick this order")
    expect(page).to_have_url(f"{server.base_url}/picking/{order.id}")


def test_screenshots_of_the_order_pages(open_as: OpenAs, server: Server,
                                        world: World) -> None:
    pages = {"orders": "/orders", "order-new": "/orders/new",
             "order-detail": f"/orders/{world.ids['order']}"}
    for name, path in pages.items():
        for shot in shoot_both(open_as, server.base_url, path, name):
            assert shot.stat().st_size > 5_000
