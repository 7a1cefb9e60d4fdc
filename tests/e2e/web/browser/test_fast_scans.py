"""Issue 12, floor bug: a keyboard-wedge scanner types a code and Enter within milliseconds,
so the next scan arrives while the page still waits for the last answer. Every scan must be
applied once, none lost: receiving (pending list in the page) and picking (each scan posts)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_kit import CHROMIUM, PHONE_390
from playwright.sync_api import Page, expect
from web_kit import World, unique

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install chromium)")


def _wedge(page: Page, field: str, codes: list[str]) -> None:
    """What a hardware scanner does: each code and Enter typed at once, no pause between."""
    page.locator(field).focus()
    for code in codes:
        page.keyboard.type(code, delay=0)
        page.keyboard.press("Enter")


def test_six_serials_scanned_without_a_pause_are_all_received(
        open_as: Callable[..., Page], world: World) -> None:
    svc = world.svc
    product = svc.products.create_product(sku=unique("LAP"), name="Laptop", tracking="serial")
    numbers = [unique("FS") for _ in range(6)]
    receipt = svc.receipts.create_receipt(unique("ASN"), world.ids["supplier"], [
        {"product_id": product.id, "expected_quantity": 6, "expected_serials": numbers}])
    page = open_as("manager", PHONE_390)
    page.goto(page.url + f"receiving/{receipt.id}")
    _wedge(page, "#rc-data", [*numbers[:3], numbers[0], *numbers[3:]])  # one read twice
    expect(page.locator("#scan-count")).to_have_text("6")
    expect(page.locator(".scan-msg")).to_have_text(f"{numbers[5]} scanned")
    expect(page.locator(".counter")).to_have_text("6 of 6 scanned")
    expect(page.locator("ul.scanned li .mono")).to_have_text(numbers)
    expect(page.locator(".chips.announced li.scanned")).to_have_count(6)
    expect(page.locator("#rc-data")).to_have_value("")
    page.locator('button[data-action="receive"]').click()
    expect(page).to_have_url(re.compile(r"received=6"))
    assert svc.receipts.get(receipt.id).lines[0].received_quantity == 6
    assert [svc.serials.lookup(n).status.value for n in numbers] == ["RECEIVED"] * 6


def test_three_units_scanned_without_a_pause_are_all_picked(
        open_as: Callable[..., Page], world: World) -> None:
    svc = world.svc
    order = svc.orders.create_order(unique("SO"), world.ids["customer"],
                                    [{"product_id": world.ids["scanner"], "quantity": 3}])
    svc.orders.allocate(order.id)
    listed = [n for item in svc.orders.pick_list(order.id) for n in item.serial_numbers]
    assert len(listed) == 3
    page = open_as("manager", PHONE_390)
    page.goto(page.url + f"picking/{order.id}")
    _wedge(page, "#pk-data", [listed[0], listed[0], *listed[1:]])  # one read twice
    expect(page.locator("#picked-count")).to_have_text("3")
    expect(page.locator(".scan-msg")).to_have_text(f"✓ {listed[2]} picked")
    expect(page.locator("ul.ticks li a")).to_have_text(sorted(listed))
    picked = svc.serials.search(order_id=order.id, status="PICKED", limit=10).items
    assert sorted(s.serial_number for s in picked) == sorted(listed)
    assert svc.orders.pick_list(order.id) == []


def test_a_transfer_scanned_without_a_pause_lists_every_unit_once(
        open_as: Callable[..., Page], world: World) -> None:
    svc = world.svc
    shelf = svc.warehouses.create_location(svc.warehouses.default().id, unique("SHELF"))
    stock = svc.warehouses.location_by_code("STOCK")
    prefix = world.numbers["last"][:-3]
    units = [f"{prefix}{n:03d}" for n in (8, 9, 10)]
    page = open_as("manager", PHONE_390)
    page.goto(page.url + "transfers")
    _wedge(page, "#sl-data", ["STOCK", shelf.code, *units, units[0]])
    sku = svc.products.get(world.ids["scanner"]).sku
    expect(page.locator("[data-scanlist-message]")).to_have_text(
        f"{units[0]} · {sku} is already scanned")
    expect(page.locator("ul.scanlist li .mono")).to_have_text([f"{n} · {sku}" for n in units])
    expect(page.locator("[data-scanlist-count]")).to_have_text("3")
    expect(page.locator("#f-from")).to_have_value(stock.id)
    expect(page.locator("#f-to")).to_have_value(shelf.id)
    page.click("button[data-action=transfer]")
    expect(page.locator(".alert-ok")).to_have_text("Moved 3 units.")
    assert [svc.serials.lookup(n).location_id for n in units] == [shelf.id] * 3


def test_without_java_script_receiving_and_picking_still_post_a_page_per_scan(
        open_as: Callable[..., Page], world: World) -> None:
    svc = world.svc
    product = svc.products.create_product(sku=unique("LAP"), name="Laptop", tracking="serial")
    numbers = [unique("NJ") for _ in range(3)]
    receipt = svc.receipts.create_receipt(unique("ASN"), world.ids["supplier"], [
        {"product_id": product.id, "expected_quantity": 3, "expected_serials": numbers}])
    page = open_as("manager", PHONE_390, java_script=False)
    base = page.url
    page.goto(f"{base}receiving/{receipt.id}")
    for number in numbers:
        page.fill("#rc-data", number)
        page.press("#rc-data", "Enter")
        expect(page.locator(".scan-msg")).to_contain_text(number)
    page.click(f'button[data-remove="{numbers[1]}"]')
    expect(page.locator(".scan-msg.ok")).to_have_text(f"{numbers[1]} removed")
    expect(page.locator(".counter")).to_have_text("2 of 3 scanned")
    page.fill("#rc-data", numbers[1])
    page.press("#rc-data", "Enter")
    expect(page.locator(".counter")).to_have_text("3 of 3 scanned")
    page.click('button[data-action="receive"]')
    expect(page.locator(".alert-ok")).to_contain_text("Received 3 units")
    assert [svc.serials.lookup(n).status.value for n in numbers] == ["RECEIVED"] * 3
    listed = [n for item in svc.orders.pick_list(world.ids["order"]) for n in item.serial_numbers]
    page.goto(f"{base}picking/{world.ids['order']}")
    for number in listed:
        page.fill("#pk-data", number)
        page.press("#pk-data", "Enter")
        expect(page.locator(".scan-msg.ok")).to_have_text(f"✓ {number} picked")
    assert [svc.serials.lookup(n).status.value for n in listed] == ["PICKED"] * len(listed)
