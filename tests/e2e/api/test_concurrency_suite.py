"""The concurrency suite of issue 17, over HTTP on each backend: 16 clients (threads, each
with its own TestClient on one app) allocate, pick, ship, adjust, transfer and bulk-register
on shared orders and lots, retry allocations of orders already allocated, and retry a few
adjustments under shared `Idempotency-Key`s (several clients send each key, at once and again
later). Then: no 5xx and no unexpected status, no order line over-allocated, no negative
balance, no duplicate serial, every 2xx reflected exactly once in the ledger (and every
refusal not at all), every answer to one key the same, and `POST /ledger/verify` passes."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from api_kit import API, JSON, Api
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lotline.adapters import tables as t

CLIENTS = 16
STEPS = 10
ORDERS = 6
ORDERED = 4  # units per order
IDEMPOTENT_KEYS = 4  # adjustments that many clients retry under one key each
EXPECTED = {"allocate": {200, 409}, "pick": {200, 409}, "ship": {200, 409},
            "adjust": {200, 409}, "transfer": {200, 409}, "bulk": {201, 409},
            "retry": {200, 409}}


@dataclass(frozen=True)
class Done:
    """One request a client sent, and what came back."""

    kind: str
    target: str  # order id, lot id or the request's tag
    body: JSON
    status: int
    answer: Any


@dataclass
class World:
    food_lots: list[str]
    orders: list[str]
    device: str
    stock: str
    shelf: str
    done: list[Done] = field(default_factory=list)


def build_world(api: Api) -> World:
    food, device, customer = api.product("lot"), api.product("serial"), api.customer()
    lots = [api.batch(food["id"], f"SUITE-{n}", quantity=40, unit_cost="2")["id"]
            for n in range(2)]
    orders = [api.created("/orders", {"reference": f"SO-SUITE-{n}",
                                      "customer_id": customer["id"],
                                      "lines": [{"product_id": food["id"],
                                                 "quantity": ORDERED}]})["id"]
              for n in range(ORDERS)]
    return World(lots, orders, device["id"], api.location_id("STOCK"),
                 api.location("SUITE-SHELF")["id"])


# --- what a client does ----------------------------------------------------------------------


class Client:
    """One client: its own TestClient, its own random sequence of requests."""

    def __init__(self, world: World, client: TestClient, headers: dict[str, str],
                 number: int) -> None:
        self.world, self.client, self.headers = world, client, headers
        self.rng = random.Random(number)
        self.number = number

    def post(self, path: str, body: JSON, key: str | None = None) -> httpx.Response:
        headers = self.headers if key is None else {**self.headers, "Idempotency-Key": key}
        return self.client.post(API + path, headers=headers, json=body)

    def step(self, index: int) -> Done:
        kind = self.rng.choice(["allocate", "allocate", "pick", "ship", "adjust", "transfer",
                                "bulk", "retry"])
        order, lot = self.rng.choice(self.world.orders), self.rng.choice(self.world.food_lots)
        tag = f"c{self.number}-s{index}"
        if kind in ("allocate", "ship"):
            return answered(kind, order, {}, self.post(f"/orders/{order}/{kind}", {}))
        if kind == "pick":
            body = {"scans": [{"batch_id": lot, "quantity": 1}]}
            return answered(kind, order, body, self.post(f"/orders/{order}/pick", body))
        if kind == "adjust":
            body = {"batch_id": lot, "quantity_delta": self.rng.choice([-3, -1, 2]),
                    "reason": tag}
            return answered(kind, tag, body, self.post("/adjustments", body))
        if kind == "transfer":
            return answered(kind, tag, *self.transfer(lot, tag))
        if kind == "retry":
            key = f"suite-key-{self.rng.randrange(IDEMPOTENT_KEYS)}"
            body = idempotent_adjustment(self.world, key)
            return answered(kind, key, body, self.post("/adjustments", body, key))
        return answered(kind, tag, *self.bulk())

    def transfer(self, lot: str, tag: str) -> tuple[JSON, httpx.Response]:
        there = [self.world.stock, self.world.shelf]
        self.rng.shuffle(there)
        body = {"batch_id": lot, "from_location_id": there[0], "to_location_id": there[1],
                "quantity": 2, "reason": tag}
        return body, self.post("/transfers", body)

    def bulk(self) -> tuple[JSON, httpx.Response]:
        """25 numbers out of 225, shuffled: registrations overlap each other."""
        first = self.rng.randrange(0, 200)
        numbers = [f"SUITE-SN-{n:04d}" for n in range(first, first + 25)]
        self.rng.shuffle(numbers)
        body = {"product_id": self.world.device, "serial_numbers": numbers}
        return body, self.post("/serials/bulk", body)


def idempotent_adjustment(world: World, key: str) -> JSON:
    """The one body every client sends under `key` (a retry repeats the same request)."""
    return {"batch_id": world.food_lots[0], "quantity_delta": -1, "reason": key}


def answered(kind: str, target: str, body: JSON, response: httpx.Response) -> Done:
    return Done(kind, target, body, response.status_code, response.json())


def run_clients(api: Api, world: World) -> None:
    barrier = threading.Barrier(CLIENTS)
    headers = api.tenant.headers("manager")

    def client_run(number: int) -> list[Done]:
        with TestClient(api.app) as client:
            me = Client(world, client, headers, number)
            barrier.wait(timeout=30)
            return [me.step(index) for index in range(STEPS)]

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for done in pool.map(client_run, range(CLIENTS)):
            world.done.extend(done)


# --- what must hold afterwards -----------------------------------------------------------------


def movements(api: Api, **where: Any) -> list[Any]:
    m = t.movements.c
    conditions = [m.org_id == api.tenant.org_id,
                  *(getattr(m, name) == value for name, value in where.items())]
    with api.app.state.engine.connect() as conn:
        return list(conn.execute(select(t.movements).where(*conditions)))


def check_statuses(world: World) -> None:
    unexpected = [(d.kind, d.status, d.answer) for d in world.done
                  if d.status not in EXPECTED[d.kind]]
    assert unexpected == []
    kinds = Counter((d.kind, d.status) for d in world.done)
    assert kinds[("allocate", 200)] and kinds[("bulk", 201)] and kinds[("bulk", 409)], kinds


def check_orders(api: Api, world: World) -> None:
    for order_id in world.orders:
        view = api.get(f"/orders/{order_id}").json()
        line = view["lines"][0]
        assert line["allocated_quantity"] in (0, ORDERED), view
        assert line["shipped_quantity"] in (0, ORDERED), view
        assert 0 <= line["picked_quantity"] <= line["allocated_quantity"], view
        rows = movements(api, order_id=order_id)
        net = sum((r.quantity if r.kind == "allocation" else -r.quantity)
                  for r in rows if r.kind in ("allocation", "deallocation"))
        assert net == line["allocated_quantity"], (view, rows)
        done = [d for d in world.done if d.target == order_id]
        picks = sum(1 for d in done if d.kind == "pick" and d.status == 200)
        assert sum(r.quantity for r in rows if r.kind == "pick") == picks
        ships = sum(1 for d in done if d.kind == "ship" and d.status == 200)
        assert len(view["shipments"]) == ships <= 1
        shipped = sum(r.quantity for r in rows if r.kind == "shipment")
        assert shipped == line["shipped_quantity"] == ORDERED * ships


def check_balances(api: Api) -> None:
    b = t.lot_balances.c
    with api.app.state.engine.connect() as conn:
        rows = list(conn.execute(select(b.balance_quantity, b.allocated_quantity).where(
            b.org_id == api.tenant.org_id)))
    assert rows and all(bal >= 0 and 0 <= alloc <= bal for bal, alloc in rows), rows


def check_stock_moves(api: Api, world: World) -> None:
    """Each adjustment and transfer answered 200 wrote exactly its movement; refused, none."""
    for done in (d for d in world.done if d.kind in ("adjust", "transfer")):
        rows = movements(api, reason=done.target)
        if done.status != 200:
            assert rows == [], done
            continue
        kind = "adjustment" if done.kind == "adjust" else "transfer"
        amount = abs(Decimal(done.body.get("quantity_delta", done.body.get("quantity", 0))))
        assert [(r.kind, r.quantity, r.batch_id) for r in rows] == [
            (kind, amount, done.body["batch_id"])], done


def check_retries(api: Api, world: World) -> None:
    """Each key applied once at most: one movement if any answer was a 200, and then every
    answer to that key the same 200 (a replay); refused (409) only while none had applied."""
    replayed = 0
    for number in range(IDEMPOTENT_KEYS):
        key = f"suite-key-{number}"
        answers = [d for d in world.done if d.kind == "retry" and d.target == key]
        rows = movements(api, reason=key)
        applied = [d.answer for d in answers if d.status == 200]
        assert len(rows) == (1 if applied else 0), (key, rows, answers)
        assert all(answer == applied[0] for answer in applied), key
        replayed += max(0, len(applied) - 1)
        if rows:
            assert (rows[0].kind, rows[0].quantity) == ("adjustment", Decimal(1))
    assert replayed > 0  # the suite did retry: some key answered 200 more than once


def check_serials(api: Api, world: World) -> None:
    s = t.serials.c
    with api.app.state.engine.connect() as conn:
        stored = Counter(conn.execute(select(s.serial_number, s.entry_movement_id).where(
            s.org_id == api.tenant.org_id)).all())
        twice = conn.execute(select(s.serial_number).where(s.org_id == api.tenant.org_id)
                             .group_by(s.serial_number).having(func.count() > 1)).all()
    assert twice == []
    won = [d for d in world.done if d.kind == "bulk" and d.status == 201]
    assert sorted(n for n, _ in stored) == sorted(n for d in won for n in d.body["serial_numbers"])
    entries = {entry for _, entry in stored}
    assert len(entries) == len(won)  # one movement per registration that answered 201
    rows = movements(api, product_id=world.device)
    assert sorted(r.id for r in rows) == sorted(entries)
    assert all(r.quantity == 25 for r in rows)
    for lost in (d for d in world.done if d.kind == "bulk" and d.status == 409):
        assert lost.answer["code"] == "duplicate_serial", lost


def test_sixteen_clients_on_shared_orders_and_lots(api: Api) -> None:
    world = build_world(api)
    run_clients(api, world)
    check_statuses(world)
    check_orders(api, world)
    check_balances(api)
    check_stock_moves(api, world)
    check_retries(api, world)
    check_serials(api, world)
    report = api.post("/ledger/verify").json()
    assert (report["ok"], report["problems"]) == (True, [])
