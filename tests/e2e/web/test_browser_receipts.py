"""A new receipt (ASN) in a real browser on a phone: serials pasted on one line, uploaded on
another, a bad line said in words first; the database then holds the expected serials."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from browser_kit import Server
from new_pages_kit import PHONE, needs_chromium, shoot_both
from new_pages_kit import browser as browser  # the module's fixtures
from new_pages_kit import open_as as open_as
from new_pages_kit import server as server
from new_pages_kit import world as world
from playwright.sync_api import Page, expect
from web_kit import World, unique

from lotline.domain.statuses import SerialStatus

pytestmark = needs_chromium
OpenAs = Callable[[str, dict[str, int]], Page]


def test_new_asn_with_pasted_and_uploaded_serials(open_as: OpenAs, server: Server,
                                                  world: World, tmp_path: Path) -> None:
    page = open_as("manager", PHONE)
    page.click(".nav a[href='/receiving']")
    page.click("a[data-action=new]")
    reference, tag = unique("ASN"), unique("S")
    page.fill("#f-reference", reference)
    page.select_option("#f-supplier_id", world.ids["supplier"])
    page.select_option("#l1-product", world.ids["scanner"])
    page.fill("#l1-serials", f"{tag}-01\n{tag}-02")
    page.select_option("#l2-product", world.ids["pill"])
    upload = tmp_path / "serials.txt"
    upload.write_text(f"{tag}-11\n{tag}-12\n", encoding="utf-8")
    page.set_input_files("#l2-file", str(upload))
    page.click("button[data-action=save]")
    pill = world.svc.products.get(world.ids["pill"])
    expect(page.locator("#l2-err")).to_have_text(
        f"Line 2 ({pill.sku}): expected serials: product {pill.sku!r} takes no serials")
    assert world.svc.serials.find(f"{tag}-01") is None
    page.select_option("#l2-product", world.ids["scanner"])
    page.set_input_files("#l2-file", str(upload))
    page.click("button[data-action=save]")
    expect(page.locator(".alert-ok")).to_contain_text("Receipt created")
    receipt = world.svc.receipts.by_reference(reference)
    assert [(line.expected_quantity, sorted(line.expected_serials))
            for line in receipt.lines] == [(2, [f"{tag}-01", f"{tag}-02"]),
                                           (2, [f"{tag}-11", f"{tag}-12"])]
    assert world.svc.serials.lookup(f"{tag}-12").status is SerialStatus.EXPECTED
    expect(page).to_have_url(f"{server.base_url}/receiving/{receipt.id}?created=1")


def test_screenshots_of_the_new_receipt_page(open_as: OpenAs, server: Server,
                                             world: World) -> None:
    for shot in shoot_both(open_as, server.base_url, "/receiving/new", "receipt-new"):
        assert shot.stat().st_size > 5_000
