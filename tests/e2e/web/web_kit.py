"""What the web UI tests share: an organization with one user per role and a small world
(products, lots, serials, a receipt, an allocated order), and logging a TestClient in."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lotline.bootstrap import Services
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor

PASSWORD = "correct horse battery staple"
GTIN = "09506000134352"  # the GS1 example GTIN (valid check digit)
XSS = "<script>alert('xss')</script>"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@dataclass
class World:
    org_id: str
    usernames: dict[str, str]
    svc: Services
    ids: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)


def make_world(app: FastAPI) -> World:
    """An organization with an admin, a manager and a viewer, and a little stock."""
    tag = uuid.uuid4().hex[:6]
    admin = f"admin-{tag}"
    org = app.state.identity.create_organization(f"web-{tag}", admin_username=admin,
                                                 admin_password=PASSWORD)
    svc = Services(app.state.engine, Actor(org_id=org.id, name=admin, role=Role.ADMIN))
    usernames = {"admin": admin}
    for role in ("manager", "viewer"):
        usernames[role] = f"{role}-{tag}"
        svc.users.create_user(usernames[role], PASSWORD, role)
    world = World(org.id, usernames, svc)
    _stock(world, tag)
    return world


def _stock(world: World, tag: str) -> None:
    svc, ids, numbers = world.svc, world.ids, world.numbers
    today = svc.actor.today(svc.settings.get().timezone)
    ids["supplier"] = svc.suppliers.create_supplier(name="Acme Parts", code=f"ACME-{tag}").id
    ids["customer"] = svc.customers.create_customer(name="Bolt Retail", code=f"BOLT-{tag}").id
    ids["scanner"] = svc.products.create_product(
        sku=f"SCN-{tag}", name="Handheld scanner", tracking="lot_serial", gtin=GTIN).id
    ids["pill"] = svc.products.create_product(sku=f"PILL-{tag}", name="Aspirin 500",
                                              tracking="lot", expiry_alert_days=30).id
    lot = svc.batches.create(product_id=ids["scanner"], batch_number=f"LOT-{tag}",
                             supplier_id=ids["supplier"], quantity=200,
                             expiry_date=today + dt.timedelta(days=400))
    ids["lot"], numbers["lot"] = lot.id, lot.batch_number
    serials = [f"SN-{tag}-{n:03d}" for n in range(1, 11)]
    svc.serials.register_many(serials, batch_id=lot.id)
    numbers.update(first=serials[0], second=serials[1], last=serials[-1])
    for name, offset in (("expired", -3), ("soon", 10), ("later", 200)):
        ids[f"pill_{name}"] = svc.batches.create(
            product_id=ids["pill"], batch_number=f"P-{name}-{tag}", quantity=20,
            expiry_date=today + dt.timedelta(days=offset)).id
    order = svc.orders.create_order(f"SO-{tag}", ids["customer"],
                                    [{"product_id": ids["scanner"], "quantity": 2}])
    ids["order"], numbers["order"] = order.id, order.reference
    svc.orders.allocate(order.id)
    receipt = svc.receipts.create_receipt(
        f"ASN-{tag}", ids["supplier"],
        [{"product_id": ids["scanner"], "expected_quantity": 2}])
    ids["receipt"], numbers["receipt"] = receipt.id, receipt.reference


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def post(client: TestClient, url: str, token: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": token, **data})
