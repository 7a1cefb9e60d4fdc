"""/orders over HTTP: create with lines, list, read; roles, tenancy and bad input."""

from __future__ import annotations

from api_kit import FIXED_NOW, Api, assert_problem, field_names

NOW = FIXED_NOW.isoformat()


def test_create_read_and_list(api: Api) -> None:
    customer, widget, gadget = api.customer(), api.product(), api.product(tracking="serial")
    response = api.post("/orders", role="manager", json={
        "reference": " SO-1001 ", "customer_id": customer["id"],
        "lines": [{"product_id": widget["id"], "quantity": "2.5", "unit_price": 9.99},
                  {"product_id": gadget["id"], "quantity": 1}]})
    assert response.status_code == 201, response.text
    order = response.json()
    line_ids = [line["id"] for line in order["lines"]]
    nothing_yet = {"allocated_quantity": 0, "picked_quantity": 0, "shipped_quantity": 0,
                   "returned_quantity": 0}
    assert order == {
        "id": order["id"], "reference": "SO-1001", "customer_id": customer["id"],
        "status": "open",
        "lines": [{"id": line_ids[0], "line_no": 1, "product_id": widget["id"],
                   "quantity": 2.5, "unit_price": 9.99, **nothing_yet,
                   "backordered_quantity": 2.5, "allocations": []},
                  {"id": line_ids[1], "line_no": 2, "product_id": gadget["id"],
                   "quantity": 1, "unit_price": None, **nothing_yet,
                   "backordered_quantity": 1, "allocations": []}],
        "cost_of_goods": None, "shipments": [], "created_at": NOW, "updated_at": NOW}
    assert len(set(line_ids)) == 2 and all(len(i) == 36 for i in line_ids)
    assert '"unit_price":9.99,' in response.text
    assert api.get(f"/orders/{order['id']}", role="viewer").json() == order
    summary = {key: value for key, value in order.items()
               if key not in ("cost_of_goods", "shipments")}
    summary["lines"] = [{key: line[key] for key in ("id", "line_no", "product_id", "quantity",
                                                    "unit_price")} for line in order["lines"]]
    second = api.created("/orders", {"reference": "SO-1002", "customer_id": customer["id"],
                                     "lines": [{"product_id": widget["id"], "quantity": 1}]})
    listed = api.get("/orders", role="viewer", params={"customer_id": customer["id"]}).json()
    assert ([o["id"] for o in listed["items"]], listed["next_cursor"]) == (
        [order["id"], second["id"]], None)
    assert listed["items"][0] == summary  # listings carry the order without its fulfilment
    page = api.get("/orders", params={"customer_id": customer["id"], "limit": 1}).json()
    assert [o["id"] for o in page["items"]] == [order["id"]]
    rest = api.get("/orders", params={"customer_id": customer["id"], "limit": 1,
                                      "cursor": page["next_cursor"]}).json()
    assert [o["id"] for o in rest["items"]] == [second["id"]]


def test_duplicate_reference_is_a_conflict(api: Api) -> None:
    customer, product = api.customer(), api.product()
    body = {"reference": "SO-DUP", "customer_id": customer["id"],
            "lines": [{"product_id": product["id"], "quantity": 1}]}
    api.created("/orders", body)
    conflict = assert_problem(api.post("/orders", json=body), 409, "conflict")
    assert (conflict["detail"], conflict["reference"]) == ("order 'SO-DUP' already exists",
                                                           "SO-DUP")


def test_bad_orders_are_422_or_404_naming_the_field(api: Api, other: Api) -> None:
    customer, product = api.customer(), api.product()

    def order(**fields: object) -> dict[str, object]:
        return {"reference": "SO-BAD", "customer_id": customer["id"],
                "lines": [{"product_id": product["id"], "quantity": 1}], **fields}

    assert field_names(api.post("/orders", json=order(lines=[]))) == ["lines"]
    assert field_names(api.post("/orders", json=order(lines=[
        {"product_id": product["id"], "quantity": 0},
        {"product_id": product["id"], "quantity": -2},
        {"product_id": product["id"], "quantity": "many"},
        {"product_id": product["id"], "quantity": 1, "discount": 5}]))) == [
        "lines.0.quantity", "lines.1.quantity", "lines.2.quantity", "lines.3.discount"]
    assert field_names(api.post("/orders", json=order(reference="R" * 101))) == ["reference"]
    assert field_names(api.post("/orders", json=order(customer_id=None))) == ["customer_id"]
    unknown = assert_problem(api.post("/orders", json=order(customer_id="nope")), 404,
                             "not_found")
    assert unknown["detail"] == "customer not found: customer_id=nope"
    foreign_product = other.product()
    foreign = assert_problem(api.post("/orders", json=order(lines=[
        {"product_id": product["id"], "quantity": 1},
        {"product_id": foreign_product["id"], "quantity": 1}])), 404, "not_found")
    assert foreign["detail"] == f"product not found: lines.1.product_id={foreign_product['id']}"
    assert api.get("/orders", params={"customer_id": customer["id"]}).json()["items"] == []


def test_roles_and_tenancy(api: Api, other: Api) -> None:
    customer, product = api.customer(), api.product()
    body = {"reference": "SO-R", "customer_id": customer["id"],
            "lines": [{"product_id": product["id"], "quantity": 1}]}
    assert_problem(api.post("/orders", role="viewer", json=body), 403, "forbidden")
    order = api.created("/orders", body)
    missing = assert_problem(other.get(f"/orders/{order['id']}"), 404, "not_found")
    assert missing["detail"] == f"order not found: order_id={order['id']}"
    assert other.get("/orders").json() == {"items": [], "next_cursor": None}
    assert_problem(api.get("/orders", role=None), 401, "unauthorized")
    script = "<script>alert('x')</script>"
    verbatim = api.created("/orders", {**body, "reference": script})
    assert api.get(f"/orders/{verbatim['id']}").json()["reference"] == script
