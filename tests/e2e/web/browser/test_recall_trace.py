"""Issue 12's recall, dashboard and trace findings in a real browser, on the demo data of a
fresh organization: a recall page that agrees with itself, names whom to call, records
recoveries and closes; the dashboard's orders to pick; trace offering partial matches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from browser_kit import CHROMIUM, DESKTOP_1366, PHONE_390, Server, sign_in
from playwright.sync_api import Browser, Page, expect
from web_kit import PASSWORD

from lotline.bootstrap import Services
from lotline.demo import seed_demo
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install chromium)")


@pytest.fixture
def demo(server: Server) -> tuple[Services, str]:
    """A new organization holding the demo data, and its admin's username."""
    admin = f"ana-{uuid.uuid4().hex[:6]}"
    org = server.app.state.identity.create_organization(
        f"demo-{admin}", admin_username=admin, admin_password=PASSWORD)
    svc = Services(server.app.state.engine, Actor(org_id=org.id, name=admin, role=Role.ADMIN))
    seed_demo(svc)
    return svc, admin


@pytest.fixture
def page_of(browser: Browser, server: Server, demo: tuple[Services, str]) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP_1366)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, server.base_url, demo[1])
    yield page
    context.close()


def test_the_recall_page_agrees_with_itself_names_contacts_records_and_closes(
        page_of: Page, server: Server, demo: tuple[Services, str]) -> None:
    svc, _ = demo
    lot = svc.batches.by_number("INS-24A02")[0]
    recall = svc.recalls.create(reason="pen cartridge cracks", batch_ids=[lot.id], hold=True)
    page = page_of
    page.goto(f"{server.base_url}/recalls/{recall.id}")
    row = page.locator("table.recall-customers tbody tr", has_text="City Care Pharmacy")
    expect(row.locator("td.contact")).to_contain_text("orders@citycare.example")
    expect(row.locator("td.contact")).to_contain_text("+44 113 496 0120")
    expect(page.locator("table.on-hand th")).to_have_text(["Lot", "Location", "Qty"])
    expect(page.locator(".allocated-note")).to_have_text(
        "Of lot INS-24A02 on hand, 2 allocated to orders and not shipped (see “Allocated, "
        "not shipped”).")
    expect(page.locator(".pending-orders li")).to_contain_text(["SO-1002 · lot INS-24A02 · 2"])
    row.locator("select[name=serial_number]").select_option("INS-24A02-0003")
    row.locator('button[data-action="record-recovery"]').click()
    expect(page.locator(".alert-ok")).to_have_text(
        "Recovery recorded: INS-24A02-0003 back from the customer.")
    assert svc.recalls.get(recall.id).recovered_quantity == 1
    assert svc.serials.lookup("INS-24A02-0003").status.value == "RETURNED"
    page.fill("#close-note", "customers called")
    page.click('button[data-action="close-recall"]')
    expect(page.locator("h1")).to_have_text(f"Close recall {recall.reference}?")
    assert svc.recalls.get(recall.id).status == "open"
    page.click('button[data-action="confirm"]')
    expect(page.locator(".alert-ok")).to_have_text("Recall closed.")
    assert svc.recalls.get(recall.id).status == "closed"
    expect(page.locator('button[data-action="close-recall"]')).to_have_count(0)


def test_the_dashboard_lists_every_order_with_units_to_pick(
        page_of: Page, server: Server, demo: tuple[Services, str]) -> None:
    svc, _ = demo
    page_of.goto(f"{server.base_url}/")
    expect(page_of.locator(".to-pick li")).to_have_text(
        ["SO-1004 · 2 to pick", "SO-1001 · 1 to pick", "SO-1002 · 2 to pick"])
    assert svc.orders.by_reference("SO-1002").status == "partially_shipped"


def test_trace_offers_the_numbers_that_contain_a_fragment(
        browser: Browser, server: Server, demo: tuple[Services, str]) -> None:
    context = browser.new_context(viewport=PHONE_390)
    page = context.new_page()
    sign_in(page, server.base_url, demo[1])
    page.goto(f"{server.base_url}/trace")
    page.fill("#f-trace", "0007")
    page.press("#f-trace", "Enter")
    matches = page.locator(".partial-matches li a")
    expect(matches).to_have_text(["INS-24A02-0007", "INS-24B11-0007", "GM-2406-0007",
                                  "LT14-7F3K-0007"])
    page.click("text=INS-24A02-0007")
    expect(page.locator(".trace-unit h2")).to_contain_text("INS-24A02-0007")
    context.close()
