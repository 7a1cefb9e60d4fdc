"""axe-core (the copy axe-playwright-python ships) on issue 12's new pages, as a manager, at
390×844 and 1366×900, with scans pending where a page keeps them: any violation of impact
serious or critical fails (WCAG 2.2 AA, DESIGN §6), and so does an empty table header."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_kit import Server
from new_pages_kit import browser as browser  # the module's fixtures
from new_pages_kit import needs_chromium
from new_pages_kit import open_as as open_as
from new_pages_kit import server as server
from new_pages_kit import world as world
from playwright.sync_api import Page
from web_kit import World

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = needs_chromium
FAILING_IMPACTS = ("serious", "critical")
ALSO_FAILING_RULES = ("empty-table-header",)
SIZES = ({"width": 390, "height": 844}, {"width": 1366, "height": 900})


def new_pages(world: World) -> list[str]:
    svc, ids = world.svc, world.ids
    stock = svc.warehouses.location_by_code("STOCK")
    svc.stock.hold_location(stock.id, "wet floor")
    asn = svc.receipts.create_receipt(  # a receipt page listing a line's expected lots
        reference="ASN-A11Y-LOTS", supplier_id=ids["supplier"], lines=[
            {"product_id": ids["pill"], "expected_quantity": 30, "expected_lots": [
                {"batch_number": "A11Y-1", "expiry_date": "2031-03-31", "quantity": 20},
                {"batch_number": "A11Y-2"}]}])
    return ["/products", "/products/new", f"/products/{ids['scanner']}", "/suppliers",
            "/suppliers/new", f"/suppliers/{ids['supplier']}", "/customers", "/customers/new",
            f"/customers/{ids['customer']}", "/locations", "/locations/new",
            f"/locations/{stock.id}", "/orders", "/orders?status=allocated", "/orders/new",
            f"/orders/{ids['order']}", "/receiving/new", "/returns", "/transfers",
            f"/counts?location_id={stock.id}", "/adjustments", f"/receiving/{asn.id}"]


def serious_violations(page: Page) -> list[str]:
    results = axe_playwright.Axe().run(page)
    assert results.response["passes"], "axe-core checked nothing"
    return [f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}×): "
            f"{rule['nodes'][0]['target']} {rule['nodes'][0]['failureSummary'][:160]}"
            for rule in results.response["violations"]
            if rule["impact"] in FAILING_IMPACTS or rule["id"] in ALSO_FAILING_RULES]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_no_serious_axe_violation_on_the_new_pages(
        open_as: Callable[[str, dict[str, int]], Page], server: Server, world: World,
        size: dict[str, int]) -> None:
    urls = new_pages(world)
    page = open_as("manager", size)
    found: dict[str, list[str]] = {}
    for url in urls:
        page.goto(server.base_url + url)
        page.wait_for_load_state("networkidle")
        if url.startswith("/counts"):  # the count's summary with a scan pending
            page.fill("#sl-data", world.numbers["last"])
            page.press("#sl-data", "Enter")
            page.wait_for_selector("ul.scanlist li")
        if violations := serious_violations(page):
            found[url] = violations
    assert found == {}, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)
