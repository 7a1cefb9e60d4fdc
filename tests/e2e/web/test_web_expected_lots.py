"""The receipt page lists each line's expected lots (number, expiry, quantity, received so
far), and a lot the ASN did not announce on the line is refused at the scan, naming the
expected ones; the receive itself refuses it too (the service decides, for every door)."""

from __future__ import annotations

import html
import json
import re
import uuid

from fastapi.testclient import TestClient
from web_kit import World, login, post

from lotline.domain.flows import Receipt
from lotline.domain.values import gtin_check_digit


def _gtin() -> str:
    body = f"0950600{uuid.uuid4().int % 10**6:06d}"
    return body + str(gtin_check_digit(body))


def _receipt(world: World, gtin: str) -> Receipt:
    product = world.svc.products.create_product(
        sku=f"SYR-{uuid.uuid4().hex[:6]}", name="Cough syrup", tracking="lot", gtin=gtin)
    return world.svc.receipts.create_receipt(
        reference=f"ASN-{uuid.uuid4().hex[:8]}", supplier_id=world.ids["supplier"], lines=[
            {"product_id": product.id, "expected_quantity": 30, "expected_lots": [
                {"batch_number": "SY-A", "expiry_date": "2031-03-31", "quantity": 20},
                {"batch_number": "SY-B"}]}])


def _said(page: str) -> str:
    found = re.search(r'class="scan-msg [^"]*"[^>]*>(.*?)</', page, re.S)
    assert found, page[-2000:]
    return html.unescape(found.group(1)).strip()


def _expected_lots(page: str) -> list[str]:
    items = re.findall(r"<li data-expected-lot=[^>]*>(.*?)</li>", page, re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).strip()
            for item in items]


def test_expected_lots_are_listed_with_what_is_received_of_each(
        client: TestClient, world: World) -> None:
    gtin = _gtin()
    receipt = _receipt(world, gtin)
    token = login(client, world.usernames["manager"])
    page = client.get(f"/receiving/{receipt.id}").text
    assert "Expected lots on line 1:" in page
    assert _expected_lots(page) == ["SY-A · exp 2031-03-31 · 20 expected · 0 received",
                                    "SY-B · quantity not announced · 0 received"]
    line = receipt.lines[0]
    received = post(client, f"/receiving/{receipt.id}/receive", token, line_id=line.id,
                    reason="the rest comes next week", pending=json.dumps([
                        {"batch_number": "sy-a", "expiry_date": "2031-03-31", "quantity": 12,
                         "serial_numbers": []}]))
    assert received.status_code == 303, received.text[-2000:]
    page = client.get(f"/receiving/{receipt.id}").text
    assert _expected_lots(page) == ["SY-A · exp 2031-03-31 · 20 expected · 12 received",
                                    "SY-B · quantity not announced · 0 received"]


def test_a_lot_not_expected_on_the_line_is_refused_at_the_scan(
        client: TestClient, world: World) -> None:
    gtin = _gtin()
    receipt = _receipt(world, gtin)
    line = receipt.lines[0]
    sku = world.svc.products.get(line.product_id).sku
    token = login(client, world.usernames["manager"])
    url = f"/receiving/{receipt.id}/scan"
    state = {"line_id": line.id, "pending": "", "lot": "", "expiry": ""}
    refused = post(client, url, token, **state, data=f"01{gtin}10SY-Z")
    assert _said(refused.text) == (f"lot SY-Z is not expected on line 1 ({sku}); the supplier "
                                   "announced SY-A, SY-B")
    assert 'id="scan-count">0<' in refused.text
    typed = post(client, url, token, **{**state, "lot": "SY-Y"}, data=f"01{gtin}")
    assert _said(typed.text) == (f"lot SY-Y is not expected on line 1 ({sku}); the supplier "
                                 "announced SY-A, SY-B")
    accepted = post(client, url, token, **state, data=f"01{gtin}10sy-b")
    assert "not expected" not in _said(accepted.text)
    assert 'value="sy-b"' in accepted.text


def test_receiving_an_unexpected_lot_is_refused_by_the_receive_too(
        client: TestClient, world: World) -> None:
    receipt = _receipt(world, _gtin())
    line = receipt.lines[0]
    sku = world.svc.products.get(line.product_id).sku
    token = login(client, world.usernames["manager"])
    response = post(client, f"/receiving/{receipt.id}/receive", token, line_id=line.id,
                    reason="short", pending=json.dumps([
                        {"batch_number": "SY-Z", "expiry_date": None, "quantity": 3,
                         "serial_numbers": []}]))
    assert response.status_code == 422
    assert (f"lot SY-Z is not expected on line 1 ({sku}); the supplier announced SY-A, SY-B"
            in html.unescape(response.text))
    assert world.svc.receipts.get(receipt.id).lines[0].received_quantity == 0
