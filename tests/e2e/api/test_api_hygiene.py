"""Smaller answers of issue 17 (finding 13): each names what is wrong, with the status the
OpenAPI document announces."""

from __future__ import annotations

from api_kit import Api


def shipped_order(api: Api) -> tuple[dict, dict]:
    product = api.product(tracking="lot")
    lot = api.batch(product["id"], quantity=2, unit_cost="1")
    order = api.created("/orders", {"reference": "SO-RET-1", "customer_id": api.customer()["id"],
                                    "lines": [{"product_id": product["id"], "quantity": 1}]})
    api.post(f"/orders/{order['id']}/allocate")
    assert api.post(f"/orders/{order['id']}/ship").status_code == 200
    return order, lot


def test_a_return_of_an_unknown_lot_is_a_404_naming_it(api: Api) -> None:
    order, _lot = shipped_order(api)
    response = api.post(f"/orders/{order['id']}/returns", json={
        "lines": [{"batch_id": "no-such-lot", "quantity": 1}], "reason": "damaged"})
    assert response.status_code == 404
    body = response.json()
    assert (body["entity"], body["field"], body["value"]) == (
        "lot", "lines.0.batch_id", "no-such-lot")


def test_a_return_of_a_lot_the_order_did_not_ship_is_a_409_naming_it(api: Api) -> None:
    order, _lot = shipped_order(api)
    other = api.batch(api.product(tracking="lot")["id"], batch_number="LOT-OTHER", quantity=1)
    response = api.post(f"/orders/{order['id']}/returns", json={
        "lines": [{"batch_id": other["id"], "quantity": 1}], "reason": "damaged"})
    assert response.status_code == 409
    assert response.json()["detail"] == "lot 'LOT-OTHER' was not shipped on order 'SO-RET-1'"


def test_dates_in_queries_are_calendar_dates_only(api: Api) -> None:
    for path in ("/reports/expired?as_of=0", "/batches?expiring_before=1700000000"):
        response = api.get(path)
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["message"].endswith("must be a date YYYY-MM-DD")
    assert api.get("/reports/expired?as_of=2026-01-01").status_code == 200


def test_integers_in_bodies_are_strict(api: Api) -> None:
    for value in (False, True, "30", 30.0):
        response = api.post("/products", json={"sku": "SKU-INT", "name": "x",
                                                "tracking": "lot", "expiry_alert_days": value})
        assert response.status_code == 422, value
        assert [e["field"] for e in response.json()["errors"]] == ["expiry_alert_days"]
    assert api.post("/products", json={"sku": "SKU-INT", "name": "x", "tracking": "lot",
                                       "expiry_alert_days": 30}).status_code == 201


def test_one_serial_number_limit(api: Api) -> None:
    product = api.product(tracking="serial")
    too_long = api.post("/serials", json={"serial_number": "S" * 101,
                                          "product_id": product["id"]})
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["serial_number"]
    assert api.post("/serials", json={"serial_number": "S" * 100,
                                      "product_id": product["id"]}).status_code == 201
    schema = api.app.openapi()["components"]["schemas"]["SerialIn"]["properties"]
    assert schema["serial_number"]["maxLength"] == 100


def test_a_405_names_every_allowed_method(api: Api) -> None:
    response = api.call("PUT", "/products")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert api.call("DELETE", "/auth/token").headers["allow"] == "POST"


def test_the_openapi_document_lists_each_operations_answers(api: Api) -> None:
    paths = api.app.openapi()["paths"]
    assert sorted(paths["/api/v1/imports/serials"]["post"]["responses"]) == [
        "200", "201", "401", "403", "404", "409", "413", "422", "503"]
    assert sorted(paths["/api/v1/auth/token"]["post"]["responses"]) == [
        "200", "401", "413", "422", "429", "503"]
    assert sorted(paths["/api/v1/warehouses"]["get"]["responses"]) == [
        "200", "401", "403", "404", "409", "422", "503"]
