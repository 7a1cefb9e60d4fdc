"""POST /receipts takes the lots an ASN announces per line and every receipt answer shows
them; a lot announced on a product that takes none is a problem naming the line."""

from __future__ import annotations

from api_kit import Api, assert_problem


def test_asn_with_expected_lots(api: Api) -> None:
    food, device, supplier = api.product("lot"), api.product("serial"), api.supplier()
    created = api.post("/receipts", role="manager", json={
        "reference": "ASN-EL-1", "supplier_id": supplier["id"],
        "lines": [{"product_id": food["id"], "expected_quantity": 12, "expected_lots": [
            {"batch_number": "F-1", "expiry_date": "2031-02-28", "quantity": 8},
            {"batch_number": "F-2"}]}]})
    assert created.status_code == 201, created.text
    line = created.json()["lines"][0]
    assert line["expected_lots"] == [
        {"batch_number": "F-1", "expiry_date": "2031-02-28", "quantity": 8},
        {"batch_number": "F-2", "expiry_date": None, "quantity": None}]
    shown = api.get(f"/receipts/{created.json()['id']}", role="viewer").json()
    assert shown["lines"][0]["expected_lots"] == line["expected_lots"]
    refused = api.post("/receipts", role="manager", json={
        "reference": "ASN-EL-2", "supplier_id": supplier["id"],
        "lines": [{"product_id": device["id"], "expected_quantity": 1,
                   "expected_lots": [{"batch_number": "D-1"}]}]})
    body = assert_problem(refused, 422, "validation_error")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("lines.0.expected_lots", f"product {device['sku']!r} is not lot-tracked")]


def test_receiving_a_lot_not_announced_on_the_line_is_refused(api: Api) -> None:
    food, supplier = api.product("lot"), api.supplier()
    created = api.post("/receipts", role="manager", json={
        "reference": "ASN-EL-3", "supplier_id": supplier["id"],
        "lines": [{"product_id": food["id"], "expected_quantity": 12, "expected_lots": [
            {"batch_number": "F-1", "quantity": 8}, {"batch_number": "F-2"}]}]})
    assert created.status_code == 201, created.text
    receipt = created.json()
    line_id = receipt["lines"][0]["id"]
    refused = api.post(f"/receipts/{receipt['id']}/receive", role="manager", json={
        "lines": [{"line_id": line_id, "lots": [
            {"batch_number": "f-1", "quantity": 8}, {"batch_number": "F-9", "quantity": 4}]}]})
    body = assert_problem(refused, 422, "validation_error")
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("lines.0.lots.1.batch_number", f"lot F-9 is not expected on line 1 ({food['sku']}); "
         "the supplier announced F-1, F-2")]
    shown = api.get(f"/receipts/{receipt['id']}", role="viewer").json()
    assert shown["lines"][0]["received_quantity"] == 0
    assert shown["status"] == "open"
    received = api.post(f"/receipts/{receipt['id']}/receive", role="manager", json={
        "lines": [{"line_id": line_id, "lots": [
            {"batch_number": "f-1", "quantity": 8}, {"batch_number": "F-2", "quantity": 4}]}]})
    assert received.status_code == 200, received.text
    assert received.json()["lines"][0]["received_quantity"] == 12
