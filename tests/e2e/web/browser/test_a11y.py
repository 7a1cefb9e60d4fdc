"""axe-core (the copy axe-playwright-python ships) on every page of the web UI, as an admin,
on a 390×844 phone and a 1366×900 desktop: any violation of impact serious or critical fails
(WCAG 2.2 AA, DESIGN §6), and so does an empty table header."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_kit import CHROMIUM, SIZES, Server
from playwright.sync_api import Browser, Page
from web_kit import World

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install chromium)")
FAILING_IMPACTS = ("serious", "critical")
ALSO_FAILING_RULES = ("empty-table-header",)
AXE = Axe()


def every_page(world: World) -> list[str]:
    """Each page of the web UI with content in it (a recall, a held lot, a shipped order)."""
    svc, ids = world.svc, world.ids
    serial = svc.serials.lookup(world.numbers["first"])
    svc.batches.hold(ids["pill_soon"], reason="lab check", kind="quarantine")
    recall = svc.recalls.create(reason="battery swelling", batch_ids=[ids["lot"]], hold=False)
    key = svc.users.issue_api_key(name="scanner-1", role="viewer").api_key
    svc.orders.ship(ids["order"])  # the recall has customers, with recovery forms
    fresh = svc.orders.create_order(f"SO-A11Y-{serial.serial_number}", ids["customer"],
                                    [{"product_id": ids["scanner"], "quantity": 1}])
    svc.orders.allocate(fresh.id)
    spare = svc.serials.search(status="IN_STOCK", limit=1).items[0]
    return ["/", "/serials", "/serials?status=IN_STOCK", f"/serials/{serial.id}",
            "/serials/new", "/serials/bulk", "/lots", f"/lots/{ids['lot']}", "/expiry",
            "/receiving", f"/receiving/{ids['receipt']}", "/picking",
            f"/picking/{fresh.id}", f"/picking/{fresh.id}/ship",
            f"/scan?data={world.numbers['lot'][:3]}", "/trace",
            f"/trace?q={serial.serial_number}", f"/trace?q={serial.serial_number[-3:]}",
            "/recalls", f"/recalls/{recall.id}", f"/recalls/{recall.id}/close",
            f"/serials/{spare.id}/confirm?status=CANCELLED", "/admin",
            f"/admin/api-keys/{key.id}/revoke", "/no-such-page"]


def serious_violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}×): "
            f"{rule['nodes'][0]['target']} {rule['nodes'][0]['failureSummary'][:160]}"
            for rule in results.response["violations"]
            if rule["impact"] in FAILING_IMPACTS or rule["id"] in ALSO_FAILING_RULES]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_no_serious_axe_violation_on_any_page(open_as: Callable[..., Page], server: Server,
                                              world: World, size: dict[str, int]) -> None:
    urls = every_page(world)
    page = open_as("admin", size)
    found = {}
    for url in urls:
        page.goto(server.base_url + url)
        page.wait_for_load_state("networkidle")
        if violations := serious_violations(page):
            found[url] = violations
    assert found == {}, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)


def test_the_login_page_has_no_serious_axe_violation(browser: Browser, server: Server) -> None:
    for size in SIZES:
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.goto(f"{server.base_url}/login")
        assert serious_violations(page) == []
        context.close()
