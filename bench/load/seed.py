"""What the load test starts from: a serial-tracked product with SERIALS units in stock (cut
into one slice per simulated user), a lot-tracked product with a lot large enough for every
order, a customer, and an admin's API token. Returns the setup the locustfile reads."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from lotline.bootstrap import create_services

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the API bench's helper
from bench_api import admin_token

SERIALS = int(os.environ.get("LOTLINE_LOAD_SERIALS", "20000"))
SLICE = 25
GTIN = "09506000134352"


def seed(primary_url: str, base: str) -> dict[str, Any]:
    svc = create_services(primary_url)
    unit_product = svc.products.create_product(sku="LOAD-UNIT", name="Load unit",
                                               tracking="serial", gtin=GTIN)
    unit_lot = svc.batches.create(product_id=unit_product.id, batch_number="LOAD-UNITS",
                                  quantity=SERIALS)
    numbers = [f"LD{n:07d}" for n in range(SERIALS)]
    svc.serials.register_many(numbers, batch_id=unit_lot.id)
    ids = {number: svc.serials.lookup(number).id for number in numbers[:SLICE * 64]}
    lot_product = svc.products.create_product(sku="LOAD-LOT", name="Load lot", tracking="lot")
    order_lot = svc.batches.create(product_id=lot_product.id, batch_number="LOAD-ORDERS",
                                   quantity=1_000_000, unit_cost="2.50",
                                   expiry_date=dt.date(2099, 1, 1))
    customer = svc.customers.create_customer(name="Load customer")
    units = [{"id": ids[number], "number": number} for number in numbers[:SLICE * 64]]
    return {"token": admin_token(svc, base), "gtin": GTIN, "all_serials": numbers,
            "serial_slices": [units[i:i + SLICE] for i in range(0, len(units), SLICE)],
            "lot_product": lot_product.id, "order_lot": order_lot.id, "customer": customer.id}
