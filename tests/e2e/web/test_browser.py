"""The web UI in a real browser (Playwright + Debian's Chromium) against a real server: login,
tabs and counts, add serial, transitions, the scan box with FNC1, receiving and picking by
scans, trace, recall export, a viewer's read-only pages, inert XSS payloads, and phone-sized
screenshots in test-artifacts/."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_kit import CHROMIUM, PHONE, Server, screenshot
from browser_kit import browser as browser  # the module's fixtures
from browser_kit import open_as as open_as
from browser_kit import server as server
from browser_kit import world as world
from playwright.sync_api import Browser, Page, expect
from web_kit import GTIN, XSS, World

from lotline.domain.statuses import SerialStatus

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install chromium)")
GS = "\x1d"


def test_login_and_logout(browser: Browser, server: Server, world: World) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/serials")
    expect(page).to_have_url(re.compile(r"/login\?next=/serials$"))
    page.fill("#f-username", world.usernames["manager"])
    page.fill("#f-password", "wrong password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator(".alert-error")).to_contain_text("Unknown username or wrong password")
    expect(page.locator("#f-username")).to_have_value(world.usernames["manager"])
    page.fill("#f-password", "correct horse battery staple")
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{server.base_url}/serials")
    expect(page.locator(".who")).to_contain_text(world.usernames["manager"])
    cookie = next(c for c in context.cookies() if c["name"] == "lotline_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click("text=Sign out")
    expect(page).to_have_url(f"{server.base_url}/login")
    context.close()


def test_tabs_show_counts_and_switch_in_place(open_as: Callable[..., Page],
                                              world: World) -> None:
    page = open_as("viewer", PHONE)
    page.goto(page.url + "serials")
    counts = world.svc.serials.counts()
    expect(page.locator('.tabs a[data-status="ALL"] .count')).to_have_text(str(counts["ALL"]))
    page.click('.tabs a[data-status="IN_STOCK"]')
    expect(page).to_have_url(re.compile(r"/serials\?status=IN_STOCK$"))
    expect(page.locator('.tabs a.current')).to_contain_text("In stock")
    expect(page.locator("table.serials tbody tr")).to_have_count(counts["IN_STOCK"])
    page.click('.tabs a[data-status="ALL"]')
    expect(page.locator("table.serials tbody tr")).to_have_count(counts["ALL"])
    page.fill("#f-q", world.numbers["last"][-3:])
    expect(page.locator("table.serials tbody tr")).to_have_count(1)
    page.fill("#f-q", "")
    expect(page.locator("table.serials tbody tr")).to_have_count(counts["ALL"])
    path = screenshot(page, "serial-list-360x740.png")
    assert path.stat().st_size > 5_000


def test_add_serial_and_change_its_status_with_the_buttons(open_as: Callable[..., Page],
                                                          world: World) -> None:
    page = open_as("manager")
    page.goto(page.url + "serials")
    page.click("text=Add serial")
    page.fill("#f-serial_number", "UI-0001")
    page.select_option("#f-product_id", world.ids["scanner"])
    expect(page.locator(f'#f-batch_id option[value="{world.ids["lot"]}"]')).to_have_count(1)
    page.select_option("#f-batch_id", world.ids["lot"])
    page.fill("#f-warranty_expiry", "2028-06-30")
    page.click("form[action='/serials/new'] button[type=submit]")
    expect(page.locator(".alert-ok")).to_have_text("Serial number registered.")
    expect(page.locator(".head-row .badge")).to_have_text("In stock")
    buttons = page.locator("button[data-action]")
    expect(buttons).to_have_count(7)
    page.click('button[data-action="DEFECTIVE"]')
    expect(page.locator(".alert-ok")).to_have_text("Status changed to Defective.")
    actions = page.locator("button[data-action]").evaluate_all(
        "els => els.map(e => e.dataset.action)")
    assert actions == ["IN_STOCK", "SCRAPPED"]
    page.click('button[data-action="IN_STOCK"]')
    expect(page.locator(".head-row .badge")).to_have_text("In stock")
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(3)
    assert world.svc.serials.lookup("UI-0001").status is SerialStatus.IN_STOCK


def test_the_scan_box_takes_gs1_with_fnc1(open_as: Callable[..., Page], world: World) -> None:
    page = open_as("viewer")
    serial = world.svc.serials.lookup(world.numbers["last"])
    page.fill("#scan-input", f"01{GTIN}10{world.numbers['lot']}{GS}21{serial.serial_number}")
    page.press("#scan-input", "Enter")
    expect(page).to_have_url(re.compile(f"/serials/{serial.id}$"))
    # A wedge scanner that types FNC1 as Ctrl+]: the page puts a GS into the field.
    other = world.svc.serials.lookup(world.numbers["second"])
    page.click("#scan-input")
    page.keyboard.type(f"01{GTIN}10{world.numbers['lot']}")
    page.keyboard.press("Control+BracketRight")
    page.keyboard.type(f"21{other.serial_number}")
    assert GS in page.input_value("#scan-input")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/serials/{other.id}$"))


def test_receive_by_scans_then_put_away(open_as: Callable[..., Page], world: World) -> None:
    page = open_as("manager", PHONE)
    page.goto(page.url + f"receiving/{world.ids['receipt']}")
    scan = page.locator("#rc-data")

    def scan_in(text: str) -> None:
        scan.fill(text)
        scan.press("Enter")

    scan_in(f"01{GTIN}17301231{GS}10BR-LOT")
    expect(page.locator(".scan-msg")).to_contain_text("Lot BR-LOT selected")
    expect(page.locator("#rc-lot")).to_have_value("BR-LOT")
    expect(page.locator("#rc-expiry")).to_have_value("2030-12-31")
    scan_in("BR-0001")
    expect(page.locator("#scan-count")).to_have_text("1")
    scan_in("BR-0001")
    error = page.locator(".scan-msg.error")
    expect(error).to_contain_text("already scanned")
    assert error.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    expect(page.locator("#scan-count")).to_have_text("1")
    scan_in(f"01{GTIN}21BR-0002")
    expect(page.locator("#scan-count")).to_have_text("2")
    expect(page.locator(".counter.complete")).to_have_count(1)
    page.click('button[data-action="receive"]')
    expect(page.locator(".alert-ok")).to_contain_text("Received 2 units")
    page.click('button[data-action="putaway"]')
    expect(page.locator(".alert-ok")).to_contain_text("Put away")
    assert world.svc.serials.lookup("BR-0002").status is SerialStatus.IN_STOCK


def test_pick_by_scans_then_ship(open_as: Callable[..., Page], world: World) -> None:
    page = open_as("manager", PHONE)
    order_id = world.ids["order"]
    page.goto(page.url + f"picking/{order_id}")
    wanted = [n for item in world.svc.orders.pick_list(order_id) for n in item.serial_numbers]
    expect(page.locator(".picklist .todo")).to_have_count(2)
    path = screenshot(page, "picking-360x740.png")
    assert path.stat().st_size > 5_000
    scan = page.locator("#pk-data")
    scan.fill("NOT-OURS-1")
    scan.press("Enter")
    expect(page.locator(".scan-msg.error")).to_contain_text(
        "Wrong unit — NOT-OURS-1: no serial or lot with this number")
    scan = page.locator("#pk-data")
    scan.fill(f"01{GTIN}21{wanted[0]}")
    scan.press("Enter")
    expect(page.locator(".ticks li")).to_have_count(1)
    expect(page.locator(".scan-msg.ok")).to_contain_text(f"{wanted[0]} picked")
    page.locator("#pk-data").fill(wanted[0])
    page.locator("#pk-data").press("Enter")
    expect(page.locator(".scan-msg.error")).to_contain_text("already picked")
    page.locator("#pk-data").fill(wanted[1])
    page.locator("#pk-data").press("Enter")
    expect(page.locator(".ticks li")).to_have_count(2)
    expect(page.locator("#to-pick-count")).to_have_text("0")
    page.click('button[data-action="ship"]')
    expect(page.locator(".alert-ok")).to_have_text("Shipped.")
    assert world.svc.orders.view(order_id).status == "shipped"


def test_trace_shows_where_a_unit_came_from_and_where_its_lot_went(
        open_as: Callable[..., Page], world: World) -> None:
    world.svc.orders.ship(world.ids["order"])
    page = open_as("viewer")
    page.goto(page.url + "trace")
    page.fill("#f-trace", world.numbers["first"])
    page.press("#f-trace", "Enter")
    expect(page.locator(".trace-unit")).to_contain_text(world.numbers["order"])
    backward = page.locator("section:has(h2:text('Backward'))")
    expect(backward).to_contain_text("Acme Parts")
    forward = page.locator("section:has(h2:text('Forward'))")
    expect(forward).to_contain_text("Bolt Retail")


def test_a_recall_is_confirmed_and_its_csv_downloads(open_as: Callable[..., Page],
                                                     world: World, tmp_path: Path) -> None:
    world.svc.orders.ship(world.ids["order"])
    page = open_as("manager")
    page.goto(page.url + f"lots/{world.ids['lot']}")
    page.click("text=Recall this lot")
    page.fill("#f-reason", "battery swelling")
    page.click("text=Review the recall")
    expect(page.locator("h1")).to_have_text("Confirm the recall")
    page.click('button[data-action="confirm-recall"]')
    expect(page.locator(".recall-customers")).to_contain_text("Bolt Retail")
    with page.expect_download() as download:
        page.click('a[data-export="csv"]')
    target = tmp_path / "recall.csv"
    download.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert any(r["customer_name"] == "Bolt Retail" for r in rows)
    with page.expect_download() as xlsx:
        page.click('a[data-export="xlsx"]')
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    assert world.svc.batches.get(world.ids["lot"]).hold is not None


def test_a_viewer_sees_no_actions_and_a_forged_post_is_refused(
        open_as: Callable[..., Page], server: Server, world: World) -> None:
    page = open_as("viewer")
    serial = world.svc.serials.lookup(world.numbers["last"])
    for url in (f"serials/{serial.id}", f"lots/{world.ids['lot']}", f"picking/{world.ids['order']}",
                f"receiving/{world.ids['receipt']}", "serials", "recalls"):
        page.goto(f"{server.base_url}/{url}")
        expect(page.locator("button[data-action]")).to_have_count(0)
        expect(page.locator("form[method=post]:not(.signout)")).to_have_count(0)
    token = page.locator("form.signout input[name=csrf_token]").input_value()
    forged = page.request.post(f"{server.base_url}/serials/{serial.id}/status",
                               form={"csrf_token": token, "status": "SCRAPPED"},
                               max_redirects=0)
    assert forged.status == 403
    assert world.svc.serials.get(serial.id).status is SerialStatus.IN_STOCK


def test_xss_payloads_stay_inert(open_as: Callable[..., Page], server: Server,
                                world: World) -> None:
    svc = world.svc
    product = svc.products.create_product(sku=f"XSS-{world.org_id[-6:]}",
                                          name="<img src=x onerror=alert('p')>",
                                          tracking="lot_serial")
    lot = svc.batches.create(product_id=product.id, batch_number="<svg onload=alert('l')>",
                             quantity=5)
    serial = svc.serials.register(XSS, batch_id=lot.id)
    page = open_as("admin")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in ("serials", f"serials/{serial.id}", f"lots/{lot.id}", "lots",
                f"trace?batch_id={lot.id}", f"serials?q={XSS}"):
        page.goto(f"{server.base_url}/{url}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{server.base_url}/serials/{serial.id}")
    expect(page.locator("h1 .mono")).to_have_text(XSS)
    expect(page.locator("dl.facts")).to_contain_text("<img src=x onerror=alert('p')>")
    assert dialogs == []
