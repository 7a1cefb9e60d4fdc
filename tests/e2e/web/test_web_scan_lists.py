"""The floor pages' posts without a browser: a scan is checked at once (JSON for the page's
script), a posted list records once under its Idempotency-Key, a bad list changes nothing and
says why in words."""

from __future__ import annotations

import html
import json

from fastapi.testclient import TestClient
from web_kit import World, login, unique

HTMX = {"HX-Request": "true"}


def _units(*texts: str) -> str:
    return json.dumps([{"text": text, "quantity": None} for text in texts])


def test_transfer_posted_twice_with_one_key_moves_once(client: TestClient,
                                                       world: World) -> None:
    token = login(client, world.usernames["manager"])
    shelf = world.svc.warehouses.create_location(world.svc.warehouses.default().id,
                                                 unique("SHELF"))
    stock = world.svc.warehouses.location_by_code("STOCK")
    number = world.numbers["last"]
    check = client.post("/transfers/check", data={"csrf_token": token, "data": number,
                                                  "from_location_id": stock.id})
    assert check.json()["ok"] is True and check.json()["label"].startswith(number)
    elsewhere = client.post("/transfers/check", data={"csrf_token": token, "data": number,
                                                      "from_location_id": shelf.id})
    assert elsewhere.json() == {"ok": False, "message": f"{number} is at MAIN/STOCK, not at "
                                                        f"MAIN/{shelf.code}"}
    form = {"csrf_token": token, "from_location_id": stock.id, "to_location_id": shelf.id,
            "units_json": _units(number)}
    headers = {**HTMX, "Idempotency-Key": unique("key")}
    first = client.post("/transfers", data=form, headers=headers)
    assert first.status_code == 200 and first.headers["HX-Redirect"].startswith(
        "/transfers?moved=1")
    again = client.post("/transfers", data=form, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.headers["HX-Redirect"] == first.headers["HX-Redirect"]
    history = world.svc.serials.history(world.svc.serials.lookup(number).id)
    assert [m.kind.value for m in history].count("transfer") == 1
    assert world.svc.serials.lookup(number).location_id == shelf.id


def test_transfer_of_a_unit_elsewhere_changes_nothing(client: TestClient,
                                                      world: World) -> None:
    token = login(client, world.usernames["manager"])
    shelf = world.svc.warehouses.create_location(world.svc.warehouses.default().id,
                                                 unique("SHELF"))
    stock = world.svc.warehouses.location_by_code("STOCK")
    prefix = world.numbers["last"][:-3]
    good, taken = f"{prefix}009", world.numbers["first"]
    response = client.post("/transfers", data={
        "csrf_token": token, "from_location_id": stock.id, "to_location_id": shelf.id,
        "units_json": _units(good, taken)}, headers=HTMX)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#flash"
    assert f"serial {taken!r} is ALLOCATED for an order" in html.unescape(response.text)
    assert "serial_numbers" not in response.text
    assert world.svc.serials.lookup(good).location_id == stock.id
    nothing = client.post("/transfers", data={"csrf_token": token, "units": "",
                                              "from_location_id": stock.id,
                                              "to_location_id": shelf.id})
    assert nothing.status_code == 422 and "Scan at least one unit or lot" in nothing.text
    viewer = login(client, world.usernames["viewer"])
    denied = client.post("/transfers", data={"csrf_token": viewer, "units": good,
                                             "from_location_id": stock.id,
                                             "to_location_id": shelf.id})
    assert denied.status_code == 403


def test_return_as_defective_and_scrap_needs_confirmation(client: TestClient,
                                                          world: World) -> None:
    token = login(client, world.usernames["manager"])
    world.svc.orders.ship(world.ids["order"])
    first, second = world.numbers["first"], world.numbers["second"]
    in_stock = world.numbers["last"]
    check = client.post("/returns/check", data={"csrf_token": token, "data": in_stock})
    assert check.json() == {"ok": False, "message": f"{in_stock} is in stock; only a shipped "
                                                    "unit comes back as a return"}
    ok = client.post("/returns/check", data={"csrf_token": token, "data": first}).json()
    assert ok["ok"] and ok["message"] == f"{first} added (order {world.numbers['order']})"
    unconfirmed = client.post("/returns", headers=HTMX, data={
        "csrf_token": token, "reason": "broken", "outcome": "scrap",
        "units_json": _units(second)})
    assert unconfirmed.status_code == 422
    assert "Scrapping cannot be undone: tick the box to confirm it" in unconfirmed.text
    assert world.svc.serials.lookup(second).status.value == "SHIPPED"
    no_reason = client.post("/returns", headers=HTMX, data={
        "csrf_token": token, "reason": " ", "outcome": "defective",
        "units_json": _units(first)})
    assert "Say why the units came back (the reason)" in no_reason.text
    defective = client.post("/returns", headers=HTMX, data={
        "csrf_token": token, "reason": "does not power on", "outcome": "defective",
        "units_json": _units(first)})
    assert defective.headers["HX-Redirect"] == "/returns?returned=1&outcome=defective"
    unit = world.svc.serials.lookup(first)
    assert unit.status.value == "DEFECTIVE"
    kinds = [(m.kind.value, m.to_status.value if m.to_status else None)
             for m in world.svc.serials.history(unit.id)][-2:]
    assert kinds == [("return", "RETURNED"), ("status_change", "DEFECTIVE")]
    scrapped = client.post("/returns", headers=HTMX, data={
        "csrf_token": token, "reason": "crushed", "outcome": "scrap", "confirm": "yes",
        "units_json": _units(second)})
    assert scrapped.status_code == 200
    assert world.svc.serials.lookup(second).status.value == "SCRAPPED"


def test_count_posts_found_missing_and_moved(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    stock = world.svc.warehouses.location_by_code("STOCK")
    bin_ = world.svc.warehouses.create_location(world.svc.warehouses.default().id,
                                                unique("BIN"))
    prefix = world.numbers["last"][:-3]
    kept, lost, stray = (f"{prefix}{n:03d}" for n in (7, 8, 9))
    world.svc.stock.transfer(stock.id, bin_.id, serial_numbers=[kept, lost])
    page = client.get(f"/counts?location_id={bin_.id}").text
    assert f"{kept} · " in html.unescape(page) and f"{lost} · " in html.unescape(page)
    response = client.post("/counts", headers={**HTMX, "Idempotency-Key": unique("k")}, data={
        "csrf_token": token, "location_id": bin_.id, "units_json": _units(kept, stray)})
    assert response.headers["HX-Redirect"] == (
        f"/counts?location_id={bin_.id}&counted=2&missing=1&moved=1&unknown=0&lots=0")
    assert world.svc.serials.lookup(stray).location_id == bin_.id
    no_location = client.post("/counts", headers=HTMX, data={"csrf_token": token,
                                                             "units_json": _units(kept)})
    assert no_location.status_code == 422 and "Choose the location you count" in no_location.text


def test_adjustments_take_signed_quantities_of_lots(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    later = world.svc.batches.get(world.ids["pill_later"])
    serial = client.post("/adjustments/check", data={"csrf_token": token,
                                                     "data": world.numbers["last"]}).json()
    assert serial["ok"] is False and "is serial-tracked" in serial["message"]
    lot = client.post("/adjustments/check", data={"csrf_token": token,
                                                  "data": later.batch_number}).json()
    assert lot["ok"] and lot["lot"] is True
    items = json.dumps([{"text": later.batch_number, "quantity": "-2"}])
    no_reason = client.post("/adjustments", headers=HTMX, data={
        "csrf_token": token, "units_json": items, "reason": ""})
    assert "Choose the reason of the adjustment" in no_reason.text
    zero = client.post("/adjustments", headers=HTMX, data={
        "csrf_token": token, "reason": "damage", "units_json": json.dumps(
            [{"text": later.batch_number, "quantity": "0"}])})
    assert zero.status_code == 422 and "the change must not be 0" in zero.text
    assert world.svc.batches.get(later.id).balance_quantity == 20
    ok = client.post("/adjustments", headers=HTMX, data={
        "csrf_token": token, "reason": "damage", "note": "forklift", "units_json": items})
    assert ok.headers["HX-Redirect"] == "/adjustments?adjusted=1"
    assert world.svc.batches.get(later.id).balance_quantity == 18
