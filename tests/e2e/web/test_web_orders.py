"""Orders without a browser: the list by status, a new order with lines (errors said per line
with its product, nothing saved), and allocation from the order's page."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_kit import World, login, unique


def _alerts(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>',
                                                   page)]


def _order_form(token: str, reference: str, customer_id: str,
                lines: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    return {"csrf_token": token, "reference": reference, "customer_id": customer_id,
            "product_id": [product for product, _ in lines],
            "quantity": [quantity for _, quantity in lines]}


def test_new_order_then_allocate(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    reference = unique("SO")
    created = client.post("/orders/new", data=_order_form(
        token, reference, world.ids["customer"],
        [(world.ids["pill"], "5"), ("", ""), ("", "")]))
    assert created.status_code == 303
    order = world.svc.orders.by_reference(reference)
    assert [(line.product_id, line.quantity) for line in order.lines] == [
        (world.ids["pill"], 5)]
    assert created.headers["location"] == f"/orders/{order.id}?done=created"
    detail = client.get(created.headers["location"]).text
    assert "Order created." in detail and 'data-action="allocate"' in detail
    allocated = client.post(f"/orders/{order.id}/allocate", data={"csrf_token": token})
    assert allocated.headers["location"] == f"/orders/{order.id}?done=allocated"
    view = world.svc.orders.view(order.id)
    assert (view.status, view.lines[0].allocated_quantity) == ("allocated", 5)
    listed = client.get("/orders?status=allocated").text
    assert reference in listed and world.numbers["order"] in listed
    assert reference not in client.get("/orders?status=open").text


def test_order_errors_name_the_line_and_its_product(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    reference = unique("SO")
    pill = world.svc.products.get(world.ids["pill"])
    bad = client.post("/orders/new", data=_order_form(
        token, reference, world.ids["customer"],
        [(world.ids["pill"], "-2"), (world.ids["scanner"], "lots")]))
    assert bad.status_code == 422
    scanner = world.svc.products.get(world.ids["scanner"])
    assert _alerts(bad.text) == [f"Line 1 ({pill.sku}): quantity must not be negative",
                                 f"Line 2 ({scanner.sku}): quantity must be a number"]
    assert "lines.0" not in bad.text
    assert world.svc.orders.list().items == [world.svc.orders.get(world.ids["order"])]
    empty = client.post("/orders/new", data={"csrf_token": token, "reference": "",
                                             "customer_id": ""})
    assert _alerts(empty.text) == ["Enter the order reference", "Choose the customer"]
    assert "Add at least one line" in empty.text


def test_allocation_short_says_so_and_changes_nothing(client: TestClient,
                                                      world: World) -> None:
    token = login(client, world.usernames["manager"])
    order = world.svc.orders.create_order(unique("SO"), world.ids["customer"],
                                          [{"product_id": world.ids["pill"],
                                            "quantity": 500}])
    short = client.post(f"/orders/{order.id}/allocate", data={"csrf_token": token})
    page = client.get(short.headers["location"]).text
    pill = world.svc.products.get(world.ids["pill"])
    assert f"not enough allocatable stock: {pill.sku} short by" in html.unescape(page)
    assert world.svc.orders.view(order.id).lines[0].allocated_quantity == 0
