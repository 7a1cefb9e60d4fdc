"""Web forms without a browser: add serial (one and bulk), errors beside their fields with the
typed values kept, status transitions from the table, tabs and counts, lots and expiry, admin."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from markupsafe import escape
from web_kit import PASSWORD, World, login, post

from lotline.domain.statuses import TRANSITIONS, SerialStatus
from lotline.entrypoints.web.templating import STATUS_WORDS


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{name}">([^<]*)</p>', page)
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


def test_tabs_show_every_status_with_its_count(client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    page = client.get("/serials").text
    counts = world.svc.serials.counts()
    labels = ["All", "Expected", "Received", "In stock", "Allocated", "Picked", "Shipped",
              "Returned", "Defective", "Scrapped"]
    found = re.findall(r'data-status="([A-Z_]+)">([^<]+)<span class="count">(\d+)</span>', page)
    assert [label.strip() for _, label, _ in found][:10] == labels
    for status, _label, count in found:
        assert int(count) == counts["ALL" if status == "ALL" else status]
    tab = client.get("/serials?status=ALLOCATED")
    assert 'aria-current="page" class="current" data-status="ALLOCATED"' in tab.text
    assert tab.text.count('class="badge tone-info" data-badge="ALLOCATED"') == counts[
        "ALLOCATED"] == 2
    partial = client.get("/serials?status=IN_STOCK", headers={"HX-Request": "true",
                                                              "HX-Target": "serial-results"})
    assert "<html" not in partial.text and 'data-status="IN_STOCK"' in partial.text


def test_search_by_partial_number_lot_and_paging(client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    fragment = world.numbers["last"][-7:]  # "<tag>-010"
    page = client.get(f"/serials?q={fragment}").text
    assert world.numbers["last"] in page and world.numbers["first"] not in page
    by_lot = client.get(f"/serials?lot={world.numbers['lot'].lower()}").text
    assert by_lot.count('class="mono">SN-') == 10
    numbers = [f"PG-{world.org_id[-6:]}-{n:03d}" for n in range(60)]
    world.svc.serials.register_many(numbers, batch_id=world.ids["lot"])
    first = client.get(f"/serials?q=PG-{world.org_id[-6:]}").text
    assert first.count('class="mono">PG-') == 50
    next_url = re.search(r'href="([^"]+)" hx-get="[^"]+" hx-target="#serial-results" '
                         r'hx-push-url="true" rel="next"', first)
    assert next_url
    second = client.get(next_url.group(1).replace("&amp;", "&")).text
    assert second.count('class="mono">PG-') == 10


def test_add_serial_registers_it_in_stock(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    form = client.get(f"/serials/new?product_id={world.ids['scanner']}").text
    for label in ("Serial number", "Product", "Lot (optional)", "Warehouse", "Location",
                  "Purchase date", "Warranty expiry"):
        assert f">{label}</label>" in form
    response = post(client, "/serials/new", token, serial_number="  NEW-0001 ",
                    product_id=world.ids["scanner"], batch_id=world.ids["lot"],
                    purchase_date="2026-01-15", warranty_expiry="2028-01-15")
    assert response.status_code == 303
    serial = world.svc.serials.lookup("NEW-0001")
    assert response.headers["location"] == f"/serials/{serial.id}?created=1"
    assert serial.status is SerialStatus.IN_STOCK and str(serial.warranty_expiry) == "2028-01-15"
    detail = client.get(response.headers["location"]).text
    assert "Serial number registered." in detail and "2028-01-15" in detail


def test_a_bad_form_comes_back_with_values_kept_and_errors_beside_fields(
        client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    duplicate = post(client, "/serials/new", token, serial_number=world.numbers["first"],
                     product_id=world.ids["scanner"], batch_id=world.ids["lot"],
                     warranty_expiry="2029-02-03")
    assert duplicate.status_code == 422
    assert world.numbers["first"] in _field_error(duplicate.text, "serial_number")
    assert f'value="{world.numbers["first"]}"' in duplicate.text
    assert 'value="2029-02-03"' in duplicate.text
    assert f'<option value="{world.ids["scanner"]}" selected>' in duplicate.text
    bad_date = post(client, "/serials/new", token, serial_number="<b>D-1</b>",
                    product_id=world.ids["scanner"], batch_id=world.ids["lot"],
                    warranty_expiry="31/12/2029")
    assert bad_date.status_code == 422
    assert _field_error(bad_date.text, "warranty_expiry")
    assert f'value="{escape("<b>D-1</b>")}"' in bad_date.text
    missing = post(client, "/serials/new", token, serial_number="", product_id="")
    assert _field_error(missing.text, "serial_number") == "enter the serial number"
    assert _field_error(missing.text, "product_id") == "choose the product"
    no_lot = post(client, "/serials/new", token, serial_number="L-1",
                  product_id=world.ids["scanner"])
    assert "name the lot" in _field_error(no_lot.text, "batch_id")


def test_bulk_add_takes_lines_and_ranges(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    response = post(client, "/serials/bulk", token, serial_numbers="B-1\nB-2\nR-0001..R-0005\n",
                    product_id=world.ids["scanner"], batch_id=world.ids["lot"])
    assert response.status_code == 303
    assert "added=7" in response.headers["location"]
    assert world.svc.serials.lookup("R-0005").status is SerialStatus.IN_STOCK
    again = post(client, "/serials/bulk", token, serial_numbers="B-9\nB-1",
                 product_id=world.ids["scanner"], batch_id=world.ids["lot"])
    assert again.status_code == 422 and "B-1" in _field_error(again.text, "serial_numbers")
    assert "B-9\nB-1</textarea>" in again.text
    assert world.svc.serials.find("B-9") is None  # all or nothing


def test_detail_offers_exactly_the_table_s_transitions(client: TestClient,
                                                      world: World) -> None:
    login(client, world.usernames["manager"])
    serial = world.svc.serials.lookup(world.numbers["last"])
    page = client.get(f"/serials/{serial.id}").text
    offered = re.findall(r'data-action="([A-Z_]+)"', page)
    assert offered == [s.value for s in TRANSITIONS[SerialStatus.IN_STOCK]]
    assert ">Reserve</button>" in page and ">Install into another unit</button>" in page
    allocated = world.svc.serials.lookup(world.numbers["first"])
    page = client.get(f"/serials/{allocated.id}").text
    assert re.findall(r'data-action="([A-Z_]+)"', page) == ["IN_STOCK", "PICKED", "SHIPPED"]


def test_transitions_ask_for_what_they_need(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    serial = world.svc.serials.lookup(world.numbers["last"])
    url = f"/serials/{serial.id}/status"
    no_order = post(client, url, token, status="ALLOCATED", order_id="")
    assert no_order.status_code == 422
    assert _field_error(no_order.text, "order_id") == (
        "reserving needs an order, or a customer to reserve it for")
    no_parent = post(client, url, token, status="INSTALLED", parent="NO-SUCH")
    assert "no serial numbered 'NO-SUCH'" in _field_error(no_parent.text, "parent")
    other = world.svc.orders.create_order(f"SO2-{world.org_id[-6:]}", world.ids["customer"],
                                          [{"product_id": world.ids["scanner"],
                                            "quantity": 1}])
    reserved = post(client, url, token, status="ALLOCATED", order_id=other.id)
    assert reserved.headers["location"] == f"/serials/{serial.id}?changed=ALLOCATED"
    assert world.svc.serials.get(serial.id).order_id == other.id
    assert "Status changed to Allocated." in client.get(reserved.headers["location"]).text
    parent = world.svc.serials.lookup(world.numbers["second"])
    child = world.svc.serials.lookup(f"SN-{world.numbers['lot'][4:]}-009")
    post(client, f"/serials/{child.id}/status", token, status="INSTALLED",
         parent=parent.serial_number)
    assert world.svc.serials.get(child.id).parent_serial_id == parent.id
    final = post(client, url, token, status="SCRAPPED")  # not allowed from ALLOCATED
    assert final.status_code == 422 and "cannot go from ALLOCATED to SCRAPPED" in final.text


def test_lots_come_by_expiry_with_their_colour(client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    page = client.get(f"/lots?product_id={world.ids['pill']}").text
    states = re.findall(r'<tr class="exp-row-(\w+)">', page)
    assert states == ["expired", "expiring", "fine"]
    order = re.findall(r'class="mono">(P-\w+)-', page)
    assert order == ["P-expired", "P-soon", "P-later"]
    world.svc.batches.hold(world.ids["pill_soon"], "qa check")
    held = client.get(f"/lots?product_id={world.ids['pill']}&hold=yes").text
    assert re.findall(r'class="mono">(P-\w+)-', held) == ["P-soon"]


def test_lot_hold_release_and_inactive(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    url = f"/lots/{world.ids['lot']}"
    page = client.get(url).text
    assert "Balances per location" in page and world.numbers["first"] in page
    assert "receipt" in page  # the registration's movement
    assert _field_error(post(client, f"{url}/hold", token, reason="").text, "reason")
    assert post(client, f"{url}/hold", token, reason="QA", kind="quarantine").status_code == 303
    assert world.svc.batches.get(world.ids["lot"]).hold is not None
    post(client, f"{url}/release", token, reason="QA passed")
    post(client, f"{url}/inactive", token)
    lot = world.svc.batches.get(world.ids["lot"])
    assert lot.hold is None and lot.status.value == "inactive"


def test_expiry_dashboard_draws_12_weeks_and_lists_expired_stock(
        client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    page = client.get("/expiry").text
    assert page.count('<g class="bar') == 12
    assert re.search(r"<title>[^<]+: 20</title>", page)  # P-soon: 20 units within 2 weeks
    expired = page.split('id="expired"')[1]
    assert "P-expired" in expired and "P-soon" not in expired


def test_admin_manages_users_and_shows_a_new_api_key_once(client: TestClient,
                                                         world: World) -> None:
    token = login(client, world.usernames["admin"])
    short = post(client, "/admin/users", token, username="newbie", password="short",
                 role="viewer")
    assert short.status_code == 422 and "8 to 1000" in _field_error(short.text, "password")
    assert 'value="newbie"' in short.text
    name = f"clerk-{world.org_id[-6:]}"
    assert post(client, "/admin/users", token, username=name, password=PASSWORD,
                role="manager").status_code == 303
    user = world.svc.users.by_username(name)
    post(client, f"/admin/users/{user.id}", token, role="viewer", active="no")
    changed = world.svc.users.get_user(user.id)
    assert changed.role.value == "viewer" and not changed.active
    created = post(client, "/admin/api-keys", token, name="scanner-1", key_role="viewer")
    key = re.search(r'id="new-api-key">(llk_[^<]+)<', created.text)
    assert key and created.headers["cache-control"] == "no-store"
    assert key.group(1) not in client.get("/admin").text
    listed = world.svc.users.list_api_keys()[0]
    asked = post(client, f"/admin/api-keys/{listed.id}/revoke", token)
    assert asked.headers["location"] == f"/admin/api-keys/{listed.id}/revoke"
    assert world.svc.users.list_api_keys()[0].revoked_at is None
    post(client, f"/admin/api-keys/{listed.id}/revoke", token, confirmed="yes")
    assert world.svc.users.list_api_keys()[0].revoked_at is not None


def test_status_words_cover_every_status() -> None:
    assert set(STATUS_WORDS) == {s.value for s in SerialStatus}
