"""Issue 12's floor traps in a real browser, each found on the existing pages: tabs that keep
their status, the active tab in view, a held lot on a phone, filters and touch targets."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_kit import CHROMIUM, PHONE_390, Server
from playwright.sync_api import Page, expect
from web_kit import World

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install chromium)")
TARGETS = ("table.list td a", "form.signout button", ".tabs a", ".nav a", ".pager a",
           ".filters select", ".filters input", ".filters button")
MEASURE_SELECT = """el => {
  const ctx = document.createElement("canvas").getContext("2d");
  const style = getComputedStyle(el);
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = el.options[el.selectedIndex].text;
  return {text, needs: ctx.measureText(text).width + parseFloat(style.paddingLeft) + 24,
          has: el.clientWidth};
}"""


def test_a_search_or_a_product_keeps_the_chosen_tab(open_as: Callable[..., Page],
                                                    world: World) -> None:
    page = open_as("viewer", PHONE_390)
    page.goto(page.url + "serials")
    page.click('.tabs a[data-status="IN_STOCK"]')
    expect(page).to_have_url(re.compile(r"status=IN_STOCK"))
    page.fill("#f-q", world.numbers["first"][:-4])  # all ten serials share it
    expect(page).to_have_url(re.compile(r"q=SN-.*status=IN_STOCK|status=IN_STOCK.*q=SN-"))
    expect(page.locator('.tabs a[aria-current="page"]')).to_have_attribute(
        "data-status", "IN_STOCK")
    expect(page.locator("table.serials tbody tr")).to_have_count(8)  # 2 of 10 are allocated
    expect(page.locator("table.serials .badge")).to_have_text(["In stock"] * 8)
    page.select_option("#f-product", world.ids["scanner"])
    expect(page).to_have_url(re.compile(r"product_id=.*status=IN_STOCK|status=IN_STOCK.*product"))
    expect(page.locator("table.serials tbody tr")).to_have_count(8)
    page.click('.tabs a[data-status="ALLOCATED"]')
    page.fill("#f-q", world.numbers["first"][:-3])
    expect(page).to_have_url(re.compile(r"status=ALLOCATED"))
    expect(page.locator("table.serials .badge")).to_have_text(["Allocated"] * 2)


def test_a_far_tab_stays_in_view_and_is_marked_current_on_a_phone(
        open_as: Callable[..., Page], world: World) -> None:
    page = open_as("viewer", PHONE_390)
    page.goto(page.url + "serials")
    page.click('.tabs a[data-status="DEFECTIVE"]')
    expect(page).to_have_url(re.compile(r"status=DEFECTIVE"))
    current = page.locator('.tabs a[aria-current="page"]')
    expect(current).to_have_attribute("data-status", "DEFECTIVE")
    page.wait_for_timeout(200)
    box = current.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.reload()  # a full page load shows it too
    box = page.locator('.tabs a[aria-current="page"]').bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def test_a_held_lot_shows_its_hold_on_a_phone(open_as: Callable[..., Page],
                                              world: World) -> None:
    world.svc.batches.hold(world.ids["pill_later"], reason="lab check", kind="quarantine")
    page = open_as("viewer", PHONE_390)
    page.goto(page.url + "lots")
    row = page.locator("table.lots tbody tr", has_text="P-later-")
    expect(row.locator(".badge.hold")).to_be_visible()
    expect(row.locator(".badge.hold")).to_have_text("Held (quarantine)")
    free = page.locator("table.lots tbody tr", has_text="P-soon-")
    expect(free.locator('td[data-label="Status"]')).to_be_visible()
    expect(free.locator('td[data-label="Status"]')).to_have_text("Active")


@pytest.mark.parametrize("path", ["serials", "lots"])
def test_phone_filters_show_labels_and_whole_choices_and_targets_are_24px(
        open_as: Callable[..., Page], world: World, path: str) -> None:
    page = open_as("viewer", PHONE_390)
    page.goto(page.url + path)
    for select in page.locator(".filters select").all():
        label = page.locator(f'label[for="{select.get_attribute("id")}"]')
        expect(label).to_be_visible()
        box = label.bounding_box()
        assert box is not None and box["height"] >= 12, box
        fit = select.evaluate(MEASURE_SELECT)
        assert fit["needs"] <= fit["has"], fit
    small = []
    for selector in TARGETS:
        for target in page.locator(selector).all():
            box = target.bounding_box()
            if box is not None and (box["height"] < 24 or box["width"] < 24):
                small.append((selector, target.inner_text()[:20], box["height"], box["width"]))
    assert small == []


def _confirm(page: Page, question: str) -> None:
    expect(page.locator("h1")).to_have_text(question)
    page.click('button[data-action="confirm"]')


def test_irreversible_actions_ask_first_even_without_javascript(
        open_as: Callable[..., Page], world: World) -> None:
    svc = world.svc
    in_stock = svc.serials.search(status="IN_STOCK", limit=3).items
    page = open_as("manager", PHONE_390, java_script=False)
    base = page.url
    for serial, action, label, word in zip(
            in_stock, ("SCRAPPED", "CONSUMED", "CANCELLED"),
            ("Scrap", "Consume", "Void a mistaken entry"), ("Scrapped", "Consumed", "Cancelled"),
            strict=True):
        page.goto(f"{base}serials/{serial.id}")
        page.click(f'button[data-action="{action}"]')
        expect(page).to_have_url(re.compile(rf"/serials/{serial.id}/confirm\?status={action}"))
        assert svc.serials.get(serial.id).status.value == "IN_STOCK"
        page.click('a[data-action="cancel"]')
        expect(page).to_have_url(f"{base}serials/{serial.id}")
        page.click(f'button[data-action="{action}"]')
        _confirm(page, f"{label} {serial.serial_number}?")
        expect(page.locator(".alert-ok")).to_have_text(f"Status changed to {word}.")
        assert svc.serials.get(serial.id).status.value == action
    order_id = world.ids["order"]
    page.goto(f"{base}picking/{order_id}")
    page.click('button[data-action="ship"]')
    assert svc.orders.view(order_id).status == "allocated"
    _confirm(page, f"Ship {world.numbers['order']} with 2 units not picked?")
    expect(page.locator(".alert-ok")).to_have_text("Shipped.")
    assert svc.orders.view(order_id).status == "shipped"


def test_revoking_an_api_key_asks_first(open_as: Callable[..., Page], world: World) -> None:
    world.svc.users.issue_api_key(name="scanner-9", role="viewer")
    page = open_as("admin", PHONE_390, java_script=False)
    page.goto(page.url + "admin")
    page.click('button[data-action="revoke"]')
    assert world.svc.users.list_api_keys()[0].revoked_at is None
    _confirm(page, "Revoke the API key “scanner-9”?")
    expect(page.locator(".alert-ok")).to_have_text("API key revoked.")
    assert world.svc.users.list_api_keys()[0].revoked_at is not None


def test_a_failed_form_and_a_new_api_key_leave_a_get_address(
        open_as: Callable[..., Page], server: Server, world: World) -> None:
    page = open_as("admin", PHONE_390)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{server.base_url}/admin")
    page.fill("#f-username", "shorty")
    page.fill("#f-password", "short")
    page.click("form[action='/admin/users'] button[type=submit]")
    expect(page.locator(".field-error")).to_contain_text("8")
    assert page.url == f"{server.base_url}/admin"
    page.fill("#f-name", "scanner-7")
    page.click("form[action='/admin/api-keys'] button[type=submit]")
    expect(page.locator("#new-api-key")).to_contain_text("llk_")
    assert page.url == f"{server.base_url}/admin"
    posts.clear()
    page.reload()
    expect(page.locator("h1")).to_have_text("Administration")
    expect(page.locator("#new-api-key")).to_have_count(0)  # shown once, never re-posted
    assert posts == []
    assert [k.name for k in world.svc.users.list_api_keys()] == ["scanner-7"]
    page.goto(f"{server.base_url}/serials/new")
    page.fill("#f-serial_number", "PRG-1")
    page.click("form[action='/serials/new'] button[type=submit]")
    expect(page.locator(".field-error").first).to_be_visible()
    assert page.url == f"{server.base_url}/serials/new"
    expect(page.locator("#f-serial_number")).to_have_value("PRG-1")
