"""The floor pages that post a list of scans, in a real browser on a phone: transfers,
returns, counts and adjustments. A wrong scan is refused at once and a scan can be removed;
the scans survive a reload until posted; what the page says and what the database holds."""

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


def scan(page: Page, text: str) -> None:
    page.fill("#sl-data", text)
    page.press("#sl-data", "Enter")


def test_transfer_by_scanning_survives_a_reload(open_as: OpenAs, server: Server,
                                                world: World) -> None:
    shelf = world.svc.warehouses.create_location(world.svc.warehouses.default().id,
                                                 unique("SHELF"))
    stock = world.svc.warehouses.location_by_code("STOCK")
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/transfers']")
    scan(page, "stock")
    expect(page.locator("[data-scanlist-message]")).to_have_text("From MAIN/STOCK")
    expect(page.locator("#f-from")).to_have_value(stock.id)
    scan(page, shelf.code)
    expect(page.locator("#f-to")).to_have_value(shelf.id)
    prefix = world.numbers["last"][:-3]
    first, second, last = (f"{prefix}{n:03d}" for n in (8, 9, 10))
    scan(page, world.numbers["first"])
    expect(page.locator("[data-scanlist-message]")).to_have_text(
        f"{world.numbers['first']} is allocated for an order; release it before moving it")
    scan(page, first)
    expect(page.locator("[data-scanlist-message]")).to_have_text(f"{first} added")
    scan(page, "NO-SUCH-UNIT-42")
    expect(page.locator("[data-scanlist-message]")).to_contain_text(
        "NO-SUCH-UNIT-42: unrecognised input")
    scan(page, first)
    expect(page.locator("[data-scanlist-message]")).to_contain_text("is already scanned")
    scan(page, second)
    scan(page, last)
    expect(page.locator("ul.scanlist li")).to_have_count(3)
    page.click(f"button[aria-label^='Remove {last}']")
    expect(page.locator("ul.scanlist li")).to_have_count(2)
    page.reload()
    expect(page.locator("ul.scanlist li")).to_have_count(2)
    expect(page.locator("[data-scanlist-count]")).to_have_text("2")
    page.select_option("#f-from", stock.id)
    page.select_option("#f-to", shelf.id)
    page.click("button[data-action=transfer]")
    expect(page.locator(".alert-ok")).to_have_text("Moved 2 units.")
    expect(page.locator("ul.scanlist li")).to_have_count(0)
    moved = {n: world.svc.serials.lookup(n).location_id for n in (first, second, last)}
    assert moved == {first: shelf.id, second: shelf.id, last: stock.id}
    page.reload()
    expect(page.locator("ul.scanlist li")).to_have_count(0)


def test_return_one_unit_as_defective_on_a_phone(open_as: OpenAs, server: Server,
                                                 world: World) -> None:
    world.svc.orders.ship(world.ids["order"])
    first, in_stock = world.numbers["first"], world.numbers["last"]
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/returns']")
    scan(page, in_stock)
    expect(page.locator("[data-scanlist-message]")).to_have_text(
        f"{in_stock} is in stock; only a shipped unit comes back as a return")
    scan(page, first)
    expect(page.locator("ul.scanlist li")).to_have_count(1)
    page.fill("#f-reason", "screen cracked")
    page.check("input[name=outcome][value=scrap]")
    expect(page.locator("label.confirm")).to_be_visible()
    page.check("input[name=outcome][value=defective]")
    expect(page.locator("label.confirm")).to_be_hidden()
    page.click("button[data-action=return]")
    expect(page.locator(".alert-ok")).to_have_text("Returned 1 unit: Defective.")
    unit = world.svc.serials.lookup(first)
    assert (unit.status.value, unit.order_id is not None) == ("DEFECTIVE", True)
    assert world.svc.serials.lookup(world.numbers["second"]).status.value == "SHIPPED"


def test_count_a_location_one_missing_one_unexpected(open_as: OpenAs, server: Server,
                                                     world: World) -> None:
    stock = world.svc.warehouses.location_by_code("STOCK")
    bin_ = world.svc.warehouses.create_location(world.svc.warehouses.default().id,
                                                unique("BIN"))
    prefix = world.numbers["last"][:-3]
    kept, lost, stray = (f"{prefix}{n:03d}" for n in (8, 9, 10))
    world.svc.stock.transfer(stock.id, bin_.id, serial_numbers=[kept, lost])
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/counts']")
    page.select_option("#f-location", bin_.id)
    page.click("form.filters button[type=submit]")
    expect(page.locator("[data-missing]")).to_have_text("2")
    scan(page, kept)
    expect(page.locator("[data-scanlist-message]")).to_have_text(f"{kept} found")
    scan(page, stray)
    expect(page.locator("[data-scanlist-message]")).to_contain_text("is not expected here")
    expect(page.locator("[data-found]")).to_have_text("1")
    expect(page.locator("[data-missing]")).to_have_text("1")
    expect(page.locator("[data-unexpected]")).to_have_text("1")
    expect(page.locator("[data-missing-list] li.missing")).to_contain_text(lost)
    page.reload()
    expect(page.locator("[data-unexpected]")).to_have_text("1")
    page.click("button[data-action=count]")
    expect(page.locator(".alert-ok")).to_have_text(
        "Count posted: 2 units scanned, 1 missing, 1 moved here.")
    where = {n: world.svc.serials.lookup(n).location_id for n in (kept, lost, stray)}
    assert where == {kept: bin_.id, lost: bin_.id, stray: bin_.id}  # missing: reported only


def test_adjust_a_lot_by_scanning(open_as: OpenAs, server: Server, world: World) -> None:
    later = world.svc.batches.get(world.ids["pill_later"])
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/adjustments']")
    scan(page, world.numbers["last"])
    expect(page.locator("[data-scanlist-message]")).to_contain_text("is serial-tracked")
    scan(page, later.batch_number)
    expect(page.locator("ul.scanlist li")).to_have_count(1)
    page.fill("ul.scanlist li input.qty", "-3")
    page.dispatch_event("ul.scanlist li input.qty", "change")
    page.select_option("#f-reason", "expiry_write_off")
    page.click("button[data-action=adjust]")
    expect(page.locator(".alert-ok")).to_have_text("Adjusted 1 lot.")
    assert world.svc.batches.get(later.id).balance_quantity == 17


def test_screenshots_of_the_floor_pages(open_as: OpenAs, server: Server,
                                        world: World) -> None:
    stock = world.svc.warehouses.location_by_code("STOCK")
    pages = {"transfers": "/transfers", "returns": "/returns", "adjustments": "/adjustments",
             "counts": f"/counts?location_id={stock.id}"}
    for name, path in pages.items():
        for shot in shoot_both(open_as, server.base_url, path, name):
            assert shot.stat().st_size > 5_000
