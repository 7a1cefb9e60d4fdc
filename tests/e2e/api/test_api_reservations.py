"""Seed 001's reservation through the API: `POST /serials/{id}/status {"status": "RESERVED",
"customer_id"}` sets a unit aside for a customer without an order; every serial view shows
whom it is reserved for; the customer's order takes it, another customer's cannot."""

from __future__ import annotations

from api_kit import Api, assert_problem, field_names


def test_reserve_show_convert_and_refuse(api: Api) -> None:
    product = api.product(tracking="serial")
    bolt, other = api.customer("Bolt Retail"), api.customer("Other Shop")
    unit = api.serial("SN-R1", product_id=product["id"])
    spare = api.serial("SN-R2", product_id=product["id"])
    url = f"/serials/{unit['id']}/status"
    assert field_names(api.post(url, json={"status": "RESERVED"})) == ["order_id"]
    assert assert_problem(api.post(url, json={"status": "RESERVED", "customer_id": "ghost"}),
                          404, "not_found")["detail"] == "customer not found: customer_id=ghost"
    reserved = api.post(url, json={"status": "RESERVED", "customer_id": bolt["id"]})
    assert reserved.status_code == 200, reserved.text
    body = reserved.json()
    expected = {"customer_id": bolt["id"], "name": "Bolt Retail"}
    assert (body["status"], body["order_id"], body["customer_id"], body["reserved_for"]) == (
        "ALLOCATED", None, bolt["id"], expected)
    assert api.get(f"/serials/{unit['id']}", role="viewer").json() == body
    assert api.get("/serials/lookup/SN-R1").json()["reserved_for"] == expected
    listed = api.get("/serials", params={"status": "RESERVED"}).json()["items"]
    assert [(s["serial_number"], s["reserved_for"]) for s in listed] == [("SN-R1", expected)]
    history = api.get(f"/serials/{unit['id']}/history").json()["items"]
    assert [(m["kind"], m["reason"]) for m in history] == [
        ("receipt", None), ("allocation", "reserved for customer 'Bolt Retail'")]

    theirs = api.created("/orders", {"reference": "SO-OTHER", "customer_id": other["id"],
                                     "lines": [{"product_id": product["id"], "quantity": 1}]})
    refused = assert_problem(api.post(f"/orders/{theirs['id']}/allocate", json={
        "lines": [{"line_id": theirs["lines"][0]["id"], "serial_numbers": ["SN-R1"]}]}),
        409, "conflict")
    assert refused["detail"] == ("serial 'SN-R1' is reserved for customer 'Bolt Retail'; "
                                 "order 'SO-OTHER' is another customer's")
    fefo = api.post(f"/orders/{theirs['id']}/allocate", json={}).json()
    assert fefo["lines"][0]["allocations"][0]["serial_numbers"] == ["SN-R2"]

    own = api.created("/orders", {"reference": "SO-BOLT", "customer_id": bolt["id"],
                                  "lines": [{"product_id": product["id"], "quantity": 1}]})
    taken = api.post(f"/orders/{own['id']}/allocate", json={}).json()
    assert taken["lines"][0]["allocations"][0]["serial_numbers"] == ["SN-R1"]
    after = api.get(f"/serials/{unit['id']}").json()
    assert (after["status"], after["order_id"], after["customer_id"], after["reserved_for"]) == (
        "ALLOCATED", own["id"], bolt["id"], None)
    assert api.get(f"/serials/{spare['id']}").json()["order_id"] == theirs["id"]


def test_release_returns_the_unit_to_stock(api: Api) -> None:
    product = api.product(tracking="serial")
    bolt = api.customer("Bolt Retail")
    unit = api.serial("SN-R3", product_id=product["id"])
    url = f"/serials/{unit['id']}/status"
    api.post(url, json={"status": "ALLOCATED", "customer_id": bolt["id"]})
    released = api.post(url, json={"status": "IN_STOCK"}).json()
    assert (released["status"], released["customer_id"], released["reserved_for"]) == (
        "IN_STOCK", None, None)
    assert api.get("/serials/counts").json()["ALLOCATED"] == 0
