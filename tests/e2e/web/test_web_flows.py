"""Scan-driven pages without a browser: the scan box (GS1 with FNC1, its substitute, Digital
Link, plain numbers), receiving and picking by scans, trace, recalls and their exports."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import openpyxl
from fastapi.testclient import TestClient
from web_kit import GTIN, World, login, post

from lotline.domain.statuses import SerialStatus

GS = "\x1d"
HTMX = {"HX-Request": "true"}


def _pending(page: str) -> str:
    found = re.search(r'name="pending" value="([^"]*)"', page)
    assert found
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


def test_the_scan_box_reads_gs1_with_fnc1_substitutes_and_digital_links(
        client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    serial = world.svc.serials.lookup(world.numbers["last"])
    lot, number = world.numbers["lot"], serial.serial_number
    for data in (f"01{GTIN}10{lot}{GS}21{number}", f"]d201{GTIN}10{lot}~21{number}",
                 f"01{GTIN}10{lot}|21{number}", f"https://id.gs1.org/01/{GTIN}/21/{number}",
                 f"  {number}\r\n"):
        response = client.get("/scan", params={"data": data})
        assert response.status_code == 303, (data, response.text)
        assert response.headers["location"] == f"/serials/{serial.id}"
    by_lot = client.get("/scan", params={"data": f"01{GTIN}10{lot}"})
    assert by_lot.headers["location"] == f"/lots/{world.ids['lot']}"
    by_product = client.get("/scan", params={"data": GTIN})
    assert by_product.headers["location"] == f"/serials?product_id={world.ids['scanner']}"
    nothing = client.get("/scan", params={"data": "NOTHING-HERE"})
    assert nothing.status_code == 422 and "unrecognised input" in nothing.text
    bad_digit = client.get("/scan", params={"data": "0109506000134353"})
    assert bad_digit.status_code == 422 and "check digit" in bad_digit.text


def test_receiving_by_scans_counts_against_the_line_then_puts_away(
        client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    receipt = world.svc.receipts.get(world.ids["receipt"])
    line = receipt.lines[0]
    page = client.get(f"/receiving/{receipt.id}").text
    assert "0</span> of <span id=\"scan-expected\">2</span> scanned" in page
    url = f"/receiving/{receipt.id}/scan"
    expiry = dt.date.today() + dt.timedelta(days=300)
    state = {"line_id": line.id, "pending": "", "lot": "", "expiry": ""}
    label = f"01{GTIN}17{expiry:%y%m%d}10RCV-LOT"
    steps = [(label, "Lot RCV-LOT selected", 0), ("RX-0001", "RX-0001 in lot RCV-LOT", 1),
             ("RX-0001", "RX-0001 is already scanned", 1),
             (world.numbers["last"], "already registered", 1),
             (f"01{GTIN}21RX-0002", "RX-0002 in lot RCV-LOT", 2),
             ("RX-0003", "more than the 2 still expected", 2)]
    for data, message, count in steps:
        response = post(client, url, token, **state, data=data)
        for name in ("lot", "expiry"):  # what the browser sends back next time
            state[name] = re.search(rf'name="{name}"[^>]* value="([^"]*)"', response.text)[1]
        state["pending"] = _pending(response.text)
        assert message in response.text.replace("&#39;", "'"), (data, response.text[-3000:])
        assert f'id="scan-count">{count}<' in response.text
        ok = "error" not in re.search(r'class="scan-msg (\w+)', response.text).group(1)
        assert ok == (message.startswith(("Lot", "RX-0001 in", "RX-0002"))), data
    assert json.loads(state["pending"])[0]["expiry_date"] == expiry.isoformat()
    restored = post(client, url, token, **state, restore="1")  # the device's scans, reloaded
    assert "2 scanned units kept on this device are back: go on scanning" in restored.text
    partial = client.post(url, data={**state, "data": "RX-0009"}, headers={
        **HTMX, "X-CSRF-Token": token})
    assert partial.text.startswith('<div id="receive-panel"')
    done = post(client, f"/receiving/{receipt.id}/receive", token, line_id=line.id,
                pending=state["pending"])
    assert done.headers["location"] == f"/receiving/{receipt.id}?received=2&posted={line.id}"
    assert world.svc.serials.lookup("RX-0002").status is SerialStatus.RECEIVED
    assert world.svc.receipts.get(receipt.id).status == "received"
    post(client, f"/receiving/{receipt.id}/putaway", token)
    assert world.svc.serials.lookup("RX-0001").status is SerialStatus.IN_STOCK


def test_picking_ticks_right_units_rejects_wrong_ones_and_ships(
        client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    order_id = world.ids["order"]
    to_pick = [n for item in world.svc.orders.pick_list(order_id) for n in item.serial_numbers]
    assert len(to_pick) == 2
    page = client.get(f"/picking/{order_id}").text
    assert all(n in page for n in to_pick) and "0</span> picked" in page
    url = f"/picking/{order_id}/scan"
    wrong = post(client, url, token, data="NOPE-1")
    assert "Wrong unit — NOPE-1: no serial or lot with this number" in wrong.text
    assert 'data-beep="error"' in wrong.text
    right = post(client, url, token, data=f"01{GTIN}21{to_pick[0]}")
    assert f"✓ {to_pick[0]} picked" in right.text and 'data-beep="ok"' in right.text
    assert re.search(r'class="tick"[^>]*>✓</span> <a href="/serials/[^"]+" class="mono">'
                     + re.escape(to_pick[0]), right.text)
    again = post(client, url, token, data=to_pick[0])
    assert "already picked" in again.text
    post(client, url, token, data=to_pick[1])
    shipped = post(client, f"/picking/{order_id}/ship", token)
    assert shipped.headers["location"] == f"/picking/{order_id}?shipped=1"
    assert world.svc.orders.view(order_id).status == "shipped"
    assert world.svc.serials.lookup(to_pick[0]).status is SerialStatus.SHIPPED


def test_trace_shows_both_directions(client: TestClient, world: World) -> None:
    login(client, world.usernames["manager"])
    world.svc.orders.ship(world.ids["order"])
    unit = client.get("/trace", params={"q": world.numbers["first"]}).text
    assert "Backward · where it came from" in unit and "Acme Parts" in unit
    assert "Forward · where it went" in unit and "Bolt Retail" in unit
    lot = client.get("/trace", params={"batch_id": world.ids["lot"]}).text
    assert world.numbers["order"] in lot and "shipped 2" in lot
    missing = client.get("/trace", params={"q": "NO-SUCH-THING"})
    assert missing.status_code == 422 and "No serial or lot" in missing.text


def test_a_recall_is_confirmed_then_exported(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    world.svc.orders.ship(world.ids["order"])
    form = client.get(f"/recalls?batch_id={world.ids['lot']}").text
    assert f'value="{world.ids["lot"]}" checked' in form
    empty = post(client, "/recalls/preview", token, lot_numbers="", reason="")
    assert empty.status_code == 422 and "name at least one lot" in empty.text
    preview = post(client, "/recalls/preview", token, lot_numbers=world.numbers["lot"],
                   reason="solder fault", hold="on")
    assert "Confirm the recall" in preview.text and "recall hold" in preview.text
    assert world.svc.recalls.list() == []  # nothing happens before the confirmation
    created = post(client, "/recalls", token, batch_id=world.ids["lot"], reason="solder fault",
                   hold="on")
    recall_id = created.headers["location"].rsplit("/", 1)[1]
    detail = client.get(created.headers["location"]).text
    assert "Bolt Retail" in detail and world.numbers["order"] in detail
    assert world.svc.batches.get(world.ids["lot"]).hold is not None
    exported = client.get(f"/recalls/{recall_id}/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    shipped = [r for r in rows if r["section"] == "shipped"]
    assert shipped[0]["customer_name"] == "Bolt Retail"
    assert set(shipped[0]["serial_numbers"].split()) == set(
        world.svc.orders.view(world.ids["order"]).lines[0].allocations[0].serial_numbers)
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/recalls/{recall_id}/export.xlsx").content))
    sheet = book.worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "section" and sheet.max_row == len(rows) + 1
    assert client.get(f"/recalls/{recall_id}/export.pdf").status_code == 404


def test_a_recall_by_a_lot_number_two_lots_share_names_them(client: TestClient,
                                                             world: World) -> None:
    token = login(client, world.usernames["manager"])
    svc = world.svc
    oil = svc.products.create_product(sku=f"OIL-{world.org_id[-6:]}", name="Oil",
                                      tracking="lot")
    svc.batches.create(product_id=oil.id, batch_number=world.numbers["lot"], quantity=1)
    lot = svc.batches.get(world.ids["lot"])
    scanner = svc.products.get(lot.product_id)
    preview = post(client, "/recalls/preview", token, lot_numbers=world.numbers["lot"],
                   reason="solder fault")
    assert preview.status_code == 422
    assert html.unescape(preview.text).count(
        f"'{world.numbers['lot']}' matches 2 lots ({scanner.sku} from Acme Parts; {oil.sku}): "
        "open the lot and use its Recall link") == 1
