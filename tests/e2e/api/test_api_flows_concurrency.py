"""The warehouse flows under concurrency and retries, over HTTP on each backend: clients racing
to allocate the last unit (threads, each with its own TestClient on the same app, released by
a barrier) — exactly one wins with 200, the others get 409 `insufficient_stock`, no balance
goes negative; and `Idempotency-Key` making retries of receive, allocate and ship safe."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from api_kit import API, JSON, Api, assert_problem
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lotline.adapters import tables as t

ROUNDS = 3


def race(api: Api, paths: list[str]) -> list[httpx.Response]:
    """POST each path from its own thread and TestClient, all released at the same moment."""
    barrier = threading.Barrier(len(paths))
    headers = api.tenant.headers("manager")

    def run(path: str) -> httpx.Response:
        with TestClient(api.app) as client:
            barrier.wait(timeout=30)
            return client.post(API + path, headers=headers, json={})

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(run, paths))


def order_for(api: Api, customer: JSON, product: JSON, reference: str) -> str:
    return str(api.created("/orders", {"reference": reference, "customer_id": customer["id"],
                                       "lines": [{"product_id": product["id"],
                                                  "quantity": 1}]})["id"])


def lot_balances(api: Api) -> list[tuple[Any, Any]]:
    b = t.lot_balances.c
    with api.app.state.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(b.balance_quantity, b.allocated_quantity).where(
                b.org_id == api.tenant.org_id))]


def test_clients_racing_for_the_last_unit(api: Api) -> None:
    customer = api.customer()
    for round_no in range(ROUNDS):
        food = api.product("lot")
        lot = api.batch(food["id"], f"LAST-{round_no}", quantity=1, unit_cost="4")
        orders = [order_for(api, customer, food, f"SO-{round_no}-{i}") for i in range(2)]
        responses = race(api, [f"/orders/{o}/allocate" for o in orders])
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 200)
        loser = next(r for r in responses if r.status_code == 409)
        problem = assert_problem(loser, 409, "insufficient_stock")
        assert problem["detail"] == f"not enough allocatable stock: {food['sku']} short by 1"
        assert winner["lines"][0]["allocations"] == [
            {"batch_id": lot["id"], "quantity": 1, "unit_cost": 4, "serial_numbers": []}]
        batch = api.get(f"/batches/{lot['id']}").json()
        assert (batch["balance_quantity"], batch["available_quantity"]) == (1, 0)
        statuses = sorted(api.get(f"/orders/{o}").json()["status"] for o in orders)
        assert statuses == ["allocated", "open"]
    assert all(balance >= 0 and 0 <= allocated <= balance
               for balance, allocated in lot_balances(api))
    report = api.services().ledger.verify()
    assert report.ok, report.problems


def test_clients_racing_for_the_last_serial(api: Api) -> None:
    customer, scanner = api.customer(), api.product("serial")
    serial = api.serial("LAST-SN", product_id=scanner["id"])
    orders = [order_for(api, customer, scanner, f"SO-SN-{i}") for i in range(3)]
    responses = race(api, [f"/orders/{o}/allocate" for o in orders])
    assert sorted(r.status_code for r in responses) == [200, 409, 409]
    for loser in (r for r in responses if r.status_code == 409):
        assert_problem(loser, 409, "insufficient_stock")
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert api.get(f"/serials/{serial['id']}").json()["order_id"] == winner["id"]
    report = api.services().ledger.verify()
    assert report.ok, report.problems


def movement_count(api: Api) -> int:
    m = t.movements.c
    with api.app.state.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(
            m.org_id == api.tenant.org_id)).scalar_one())


def test_idempotency_key_makes_retries_of_receive_allocate_and_ship_safe(api: Api) -> None:
    oil, supplier, customer = api.product("lot"), api.supplier(), api.customer()
    receipt = api.created("/receipts", {
        "reference": "ASN-IDEM", "supplier_id": supplier["id"],
        "lines": [{"product_id": oil["id"], "expected_quantity": 5, "unit_cost": 3}]})
    body = {"lines": [{"line_id": receipt["lines"][0]["id"],
                       "lots": [{"batch_number": "IDEM-1", "quantity": 5}]}]}

    def twice(path: str, json: JSON, key: str) -> JSON:
        """The request, then its retry with the same key: the first answer, replayed, and
        nothing written the second time."""
        first = api.post(path, json=json, headers={"Idempotency-Key": key})
        assert first.status_code == 200, first.text
        written = movement_count(api)
        retry = api.post(path, json=json, headers={"Idempotency-Key": key})
        assert (retry.status_code, retry.content) == (200, first.content)
        assert retry.headers["idempotent-replayed"] == "true"
        assert movement_count(api) == written
        result: JSON = first.json()
        return result

    received = twice(f"/receipts/{receipt['id']}/receive", body, "receive-1")
    assert received["lines"][0]["received_quantity"] == 5
    assert api.get(f"/receipts/{receipt['id']}").json()["lines"][0]["received_quantity"] == 5
    # Without the key the retry runs again: here it is refused (the line is full).
    again = assert_problem(api.post(f"/receipts/{receipt['id']}/receive", json=body), 422,
                           "validation_error")
    assert again["errors"][0]["field"] == "lines.0.lots"
    api.post(f"/receipts/{receipt['id']}/putaway")

    order = api.created("/orders", {"reference": "SO-IDEM", "customer_id": customer["id"],
                                    "lines": [{"product_id": oil["id"], "quantity": 2}]})
    allocated = twice(f"/orders/{order['id']}/allocate", {}, "allocate-1")
    assert allocated["lines"][0]["allocated_quantity"] == 2
    lot = api.get("/batches", params={"product_id": oil["id"]}).json()["items"][0]
    assert (lot["balance_quantity"], lot["available_quantity"]) == (5, 3)

    shipped = twice(f"/orders/{order['id']}/ship", {"carrier": "UPS"}, "ship-1")
    assert (shipped["status"], shipped["cost_of_goods"], len(shipped["shipments"])) == (
        "shipped", 6, 1)
    lot = api.get(f"/batches/{lot['id']}").json()
    assert (lot["balance_quantity"], lot["available_quantity"]) == (3, 3)
    assert len(api.get(f"/orders/{order['id']}").json()["shipments"]) == 1
    reused = assert_problem(api.post(f"/orders/{order['id']}/ship", json={"carrier": "DHL"},
                                     headers={"Idempotency-Key": "ship-1"}), 422,
                            "validation_error")
    assert reused["detail"] == "this Idempotency-Key was used with a different request"
    report = api.services().ledger.verify()
    assert report.ok, report.problems
