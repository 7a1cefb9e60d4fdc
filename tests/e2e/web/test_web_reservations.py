"""The serial page's Reserve action with a customer and no order (seed 001): the unit shows
"Reserved for <customer>" on its page and in the list; Return to stock releases it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_kit import World, login, post

from lotline.domain.statuses import SerialStatus


def test_reserve_for_a_customer_on_the_serial_page(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    number = f"RSV-{world.org_id[-6:]}"
    serial = world.svc.serials.register(number, batch_id=world.ids["lot"])
    page = client.get(f"/serials/{serial.id}").text
    assert f'<option value="{world.ids["customer"]}">Bolt Retail</option>' in page
    url = f"/serials/{serial.id}/status"
    reserved = post(client, url, token, status="ALLOCATED", order_id="",
                    customer_id=world.ids["customer"])
    assert reserved.headers["location"] == f"/serials/{serial.id}?changed=ALLOCATED"
    unit = world.svc.serials.get(serial.id)
    assert (unit.status, unit.order_id, unit.reserved_for) == (
        SerialStatus.ALLOCATED, None, world.ids["customer"])
    detail = client.get(f"/serials/{serial.id}").text
    assert "<dt>Reserved for</dt><dd>Bolt Retail</dd>" in detail
    assert "reserved for customer &#39;Bolt Retail&#39;" in detail  # the history's reason
    listed = client.get(f"/serials?q={number}").text
    assert '<span class="muted small">reserved for Bolt Retail</span>' in listed
    post(client, url, token, status="IN_STOCK")
    back = world.svc.serials.get(serial.id)
    assert (back.status, back.customer_id) == (SerialStatus.IN_STOCK, None)
    assert "<dt>Reserved for</dt>" not in client.get(f"/serials/{serial.id}").text
