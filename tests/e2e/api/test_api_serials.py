"""/serials over HTTP: register one or in bulk, search, counts, lookup, history and status
changes with DESIGN §2's aliases; roles, tenancy and bad input."""

from __future__ import annotations

from typing import Any

from api_kit import FIXED_NOW, Api, assert_problem, field_names

NOW = FIXED_NOW.isoformat()
ZERO_COUNTS = {"ALL": 0, "EXPECTED": 0, "RECEIVED": 0, "IN_STOCK": 0, "ALLOCATED": 0,
               "PICKED": 0, "SHIPPED": 0, "RETURNED": 0, "DEFECTIVE": 0, "SCRAPPED": 0,
               "CONSUMED": 0, "INSTALLED": 0, "CANCELLED": 0}


def serial_view(body: dict[str, Any], **expected: Any) -> dict[str, Any]:
    return {"id": body["id"], "serial_number": None, "product_id": None, "batch_id": None,
            "status": "IN_STOCK", "order_id": None, "location_id": None, "warehouse_id": None,
            "purchase_date": None, "warranty_expiry": None, "unit_cost": None, "hold": None,
            "parent_serial_id": None, "created_at": NOW, "updated_at": NOW,
            "customer_id": None, "reserved_for": None, **expected}


def test_register_one(api: Api) -> None:
    product = api.product(tracking="serial")
    stock = api.standard_location("STOCK")
    response = api.post("/serials", json={
        "product_id": product["id"], "serial_number": "  SN-00042 ", "unit_cost": "199.90",
        "purchase_date": "2026-02-01", "warranty_expiry": "2028-02-01"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == serial_view(body, serial_number="SN-00042", product_id=product["id"],
                               location_id=stock["id"], warehouse_id=stock["warehouse_id"],
                               purchase_date="2026-02-01", warranty_expiry="2028-02-01",
                               unit_cost=199.9)
    assert api.get(f"/serials/{body['id']}", role="viewer").json() == body


def test_register_into_a_lot_with_status_aliases(api: Api) -> None:
    product = api.product(tracking="lot_serial")
    lot = api.batch(product["id"], "L-S", quantity=2)
    available = api.serial("A-1", batch_id=lot["id"], status="available")
    expected = api.serial("A-2", batch_id=lot["id"], status="EXPECTED")
    assert (available["status"], available["batch_id"], available["product_id"]) == (
        "IN_STOCK", lot["id"], product["id"])
    assert (expected["status"], expected["location_id"], expected["warehouse_id"]) == (
        "EXPECTED", None, None)
    over = assert_problem(api.post("/serials", json={"batch_id": lot["id"],
                                                     "serial_number": "A-3"}),
                          409, "insufficient_stock")
    assert "A-3" not in str(api.get("/serials", params={"batch_id": lot["id"]}).json())
    assert over["status"] == 409
    refreshed = api.get(f"/batches/{lot['id']}").json()
    assert (refreshed["balance_quantity"], refreshed["available_quantity"]) == (1, 1)
    no_lot = api.post("/serials", json={"product_id": product["id"], "serial_number": "A-4"})
    assert field_names(no_lot) == ["batch_id"]


def test_duplicates_are_409_naming_the_numbers(api: Api) -> None:
    product = api.product(tracking="serial")
    api.serial("DUP-1", product_id=product["id"])
    body = assert_problem(api.post("/serials", json={"product_id": product["id"],
                                                     "serial_number": "DUP-1"}),
                          409, "duplicate_serial")
    assert (body["detail"], body["serial_numbers"]) == (
        "serial numbers already registered: DUP-1", ["DUP-1"])
    bulk = assert_problem(api.post("/serials/bulk", json={
        "product_id": product["id"], "serial_numbers": ["DUP-2", "DUP-1"]}), 409,
        "duplicate_serial")
    assert bulk["serial_numbers"] == ["DUP-1"]
    assert api.get("/serials/counts", params={"product_id": product["id"]}).json()["ALL"] == 1


def test_bulk_answers_the_count_and_the_first_hundred(api: Api) -> None:
    product = api.product(tracking="serial")
    small = api.post("/serials/bulk", json={"product_id": product["id"],
                                            "serial_numbers": ["B-1", " B-2", "B-3 "]})
    assert small.status_code == 201, small.text
    body = small.json()
    assert (body["count"], body["truncated"]) == (3, False)
    assert [s["serial_number"] for s in body["items"]] == ["B-1", "B-2", "B-3"]
    assert [s["id"] for s in body["items"]] == [
        api.get(f"/serials/lookup/{n}").json()["id"] for n in ("B-1", "B-2", "B-3")]
    numbers = [f"M-{n:05d}" for n in range(150)]
    large = api.post("/serials/bulk", json={"product_id": product["id"],
                                            "serial_numbers": numbers}).json()
    assert (large["count"], large["truncated"], len(large["items"])) == (150, True, 100)
    assert [s["serial_number"] for s in large["items"]] == numbers[:100]
    counts = api.get("/serials/counts", params={"product_id": product["id"]}).json()
    assert counts == {**ZERO_COUNTS, "ALL": 153, "IN_STOCK": 153}


def test_bulk_limits_and_bad_numbers(api: Api) -> None:
    product = api.product(tracking="serial")
    too_many = api.post("/serials/bulk", json={
        "product_id": product["id"], "serial_numbers": [f"X{n}" for n in range(100_001)]})
    body = assert_problem(too_many, 413, "payload_too_large")
    assert body["detail"] == ("at most 100000 serial numbers per request; this one has "
                              "100001")
    assert (body["limit"], body["count"]) == (100000, 100001)
    repeated = api.post("/serials/bulk", json={"product_id": product["id"],
                                               "serial_numbers": ["R-1", "R-2", "R-1", " "]})
    assert field_names(repeated) == ["serial_numbers.3", "serial_numbers"]
    assert field_names(api.post("/serials/bulk", json={"product_id": product["id"],
                                                       "serial_numbers": []})) == [
        "serial_numbers"]
    assert field_names(api.post("/serials/bulk", json={"serial_numbers": ["Z"]})) == [
        "batch_id"]
    assert api.get("/serials/counts", params={"product_id": product["id"]}).json()["ALL"] == 0


def test_search_filters_and_pages(api: Api) -> None:
    product, other_product = api.product(tracking="serial"), api.product(tracking="serial")
    lot_product = api.product(tracking="lot_serial")
    lot = api.batch(lot_product["id"], "SL-1", quantity=5)
    a = api.serial("ABC-100", product_id=product["id"])
    b = api.serial("ABC-200", product_id=product["id"], status="EXPECTED")
    c = api.serial("XYZ-ABC", batch_id=lot["id"])
    api.serial("ABC-300", product_id=other_product["id"])

    def numbers(**params: Any) -> list[str]:
        response = api.get("/serials", role="viewer", params=params)
        assert response.status_code == 200, response.text
        return [item["serial_number"] for item in response.json()["items"]]

    assert numbers(product_id=product["id"]) == ["ABC-100", "ABC-200"]
    assert numbers(q="ABC-", product_id=product["id"]) == ["ABC-100", "ABC-200"]
    assert numbers(q="-ABC") == ["XYZ-ABC"]
    assert numbers(q="abc-100") == ["ABC-100"]  # partial search ignores case (DESIGN §2)
    assert numbers(status="EXPECTED", product_id=product["id"]) == ["ABC-200"]
    assert numbers(status="in_inventory", product_id=product["id"]) == ["ABC-100"]
    assert numbers(batch_id=lot["id"]) == ["XYZ-ABC"]
    assert numbers(location_id=a["location_id"], product_id=product["id"]) == ["ABC-100"]
    page = api.get("/serials", params={"product_id": product["id"], "limit": 1}).json()
    assert ([i["id"] for i in page["items"]], page["next_cursor"] is not None) == ([a["id"]],
                                                                                   True)
    rest = api.get("/serials", params={"product_id": product["id"], "limit": 1,
                                       "cursor": page["next_cursor"]}).json()
    assert [i["id"] for i in rest["items"]] == [b["id"]]
    assert c["batch_id"] == lot["id"]
    assert field_names(api.get("/serials", params={"status": "LOST"})) == ["status"]
    assert field_names(api.get("/serials", params={"limit": 100000})) == ["limit"]
    assert field_names(api.get("/serials", params={"cursor": "garbage"})) == ["cursor"]


def test_counts_per_status(api: Api) -> None:
    product = api.product(tracking="serial")
    assert api.get("/serials/counts", params={"product_id": product["id"]},
                   role="viewer").json() == ZERO_COUNTS
    api.post("/serials/bulk", json={"product_id": product["id"],
                                    "serial_numbers": ["C-1", "C-2"]})
    api.serial("C-3", product_id=product["id"], status="EXPECTED")
    scrapped = api.serial("C-4", product_id=product["id"])
    api.post(f"/serials/{scrapped['id']}/status", json={"status": "SCRAPPED"})
    response = api.get("/serials/counts", params={"product_id": product["id"]})
    assert response.json() == {**ZERO_COUNTS, "ALL": 4, "IN_STOCK": 2, "EXPECTED": 1,
                               "SCRAPPED": 1}
    assert list(response.json())[:3] == ["ALL", "EXPECTED", "RECEIVED"]


def test_lookup_by_number(api: Api) -> None:
    product = api.product(tracking="serial")
    found = api.serial("LK-1", product_id=product["id"])
    slashed = api.serial("LK/2/x y", product_id=product["id"])
    assert api.get("/serials/lookup/LK-1", role="viewer").json() == found
    assert api.get("/serials/lookup/LK/2/x y").json() == slashed
    assert api.get("/serials/lookup/LK%2F2%2Fx%20y").json() == slashed
    missing = assert_problem(api.get("/serials/lookup/lk-1"), 404, "not_found")
    assert missing["detail"] == "serial not found: serial_number=lk-1"


def test_lookup_is_ambiguous_under_product_scope(api: Api) -> None:
    api.services().settings.update(serial_scope="product")
    first, second = api.product(tracking="serial"), api.product(tracking="serial")
    one = api.serial("SAME-1", product_id=first["id"])
    two = api.serial("SAME-1", product_id=second["id"])
    body = assert_problem(api.get("/serials/lookup/SAME-1"), 409, "ambiguous")
    named = sorted([(one["id"], first), (two["id"], second)])
    assert body["detail"] == ("serial number 'SAME-1' matches 2 records: " + ", ".join(
        f"{product['sku']} (id {serial_id})" for serial_id, product in named)
        + "; name one of them")
    assert sorted(body["candidates"], key=lambda c: c["id"]) == sorted(
        [{"id": one["id"], "product_id": first["id"], "sku": first["sku"]},
         {"id": two["id"], "product_id": second["id"], "sku": second["sku"]}],
        key=lambda c: c["id"])
    chosen = api.get("/serials/lookup/SAME-1", params={"product_id": second["id"]})
    assert chosen.json() == two


def test_status_changes_with_aliases_and_history(api: Api) -> None:
    product, customer = api.product(tracking="serial"), api.customer()
    unit = api.serial("ST-1", product_id=product["id"])
    order = api.created("/orders", {"reference": "SO-ST", "customer_id": customer["id"],
                                    "lines": [{"product_id": product["id"], "quantity": 1}]})
    reserved = api.post(f"/serials/{unit['id']}/status", role="manager",
                        json={"status": "reserved", "order_id": order["id"]})
    assert reserved.status_code == 200, reserved.text
    assert (reserved.json()["status"], reserved.json()["order_id"]) == ("ALLOCATED",
                                                                        order["id"])
    back = api.post(f"/serials/{unit['id']}/status",
                    json={"status": "IN_INVENTORY", "reason": "customer changed mind"}).json()
    assert (back["status"], back["order_id"], back["location_id"]) == (
        "IN_STOCK", None, unit["location_id"])
    sold = api.post(f"/serials/{unit['id']}/status", json={"status": "SOLD"}).json()
    assert (sold["status"], sold["location_id"], sold["warehouse_id"]) == ("SHIPPED", None, None)
    history = api.get(f"/serials/{unit['id']}/history", role="viewer").json()
    assert history["next_cursor"] is None
    assert [(m["kind"], m["from_status"], m["to_status"], m["order_id"], m["reason"])
            for m in history["items"]] == [
        ("receipt", None, "IN_STOCK", None, None),
        ("allocation", "IN_STOCK", "ALLOCATED", order["id"], None),
        ("deallocation", "ALLOCATED", "IN_STOCK", order["id"], "customer changed mind"),
        ("shipment", "IN_STOCK", "SHIPPED", None, None)]
    assert [m["quantity"] for m in history["items"]] == [1, 1, 1, 1]


def test_refused_status_changes(api: Api) -> None:
    product = api.product(tracking="serial")
    unit = api.serial("RF-1", product_id=product["id"])
    url = f"/serials/{unit['id']}/status"
    invalid = assert_problem(api.post(url, json={"status": "RETURNED"}), 409,
                             "invalid_transition")
    assert (invalid["current"], invalid["target"], invalid["allowed"]) == (
        "IN_STOCK", "RETURNED",
        ["ALLOCATED", "SHIPPED", "DEFECTIVE", "SCRAPPED", "CONSUMED", "INSTALLED", "CANCELLED"])
    assert field_names(api.post(url, json={"status": "LOST"})) == ["status"]
    assert field_names(api.post(url, json={"status": "ALLOCATED"})) == ["order_id"]
    assert field_names(api.post(url, json={"status": "INSTALLED"})) == ["parent_serial_id"]
    assert field_names(api.post(url, json={"state": "SCRAPPED"})) == ["status", "state"]
    assert api.get(f"/serials/{unit['id']}").json()["status"] == "IN_STOCK"


def test_roles_and_tenancy(api: Api, other: Api) -> None:
    product = api.product(tracking="serial")
    unit = api.serial("RT-1", product_id=product["id"])
    assert_problem(api.post("/serials", role="viewer", json={"product_id": product["id"],
                                                             "serial_number": "V-1"}),
                   403, "forbidden")
    assert_problem(api.post("/serials/bulk", role="viewer", json={
        "product_id": product["id"], "serial_numbers": ["V-2"]}), 403, "forbidden")
    assert_problem(api.post(f"/serials/{unit['id']}/status", role="viewer",
                            json={"status": "SCRAPPED"}), 403, "forbidden")
    assert api.post("/serials", role="manager", json={
        "product_id": product["id"], "serial_number": "M-1"}).status_code == 201
    for path in (f"/serials/{unit['id']}", f"/serials/{unit['id']}/history"):
        body = assert_problem(other.get(path), 404, "not_found")
        assert body["detail"] == f"serial not found: id={unit['id']}"
    assert_problem(other.get("/serials/lookup/RT-1"), 404, "not_found")
    assert_problem(other.post(f"/serials/{unit['id']}/status", json={"status": "SCRAPPED"}),
                   404, "not_found")
    foreign = assert_problem(other.post("/serials", json={"product_id": product["id"],
                                                          "serial_number": "F-1"}),
                             404, "not_found")
    assert foreign["detail"] == f"product not found: product_id={product['id']}"
    assert other.get("/serials/counts", params={"product_id": product["id"]}).json() == (
        ZERO_COUNTS)
    assert other.get("/serials", params={"q": "RT-1"}).json()["items"] == []
    assert_problem(api.get("/serials", role=None), 401, "unauthorized")


def test_text_comes_back_verbatim(api: Api) -> None:
    product = api.product(tracking="serial")
    for number in ("'; DELETE FROM serials; --", "<script>alert(1)</script>", "ÅÉ-Ω-漢字"):
        body = api.serial(number, product_id=product["id"])
        assert body["serial_number"] == number
        assert api.get("/serials", params={"q": number}).json()["items"] == [body]
