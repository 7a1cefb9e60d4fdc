"""Demo data at scale: `seed_large_demo(services, serials=1_000_000, orders=100_000)`.

A realistic organization — suppliers, customers, products of every tracking mode, lots with
expiry dates spread from long expired to years ahead, serials across the lifecycle (in stock,
received, expected, shipped, returned, defective, scrapped, consumed), and orders — made
through the bulk paths: master data and lots through the services (hundreds of calls), the
serials through the serial import pipeline (staged, one INSERT ... SELECT, one ledger
movement per lot and status), the orders through Core bulk inserts. Deterministic: the same
arguments give the same data (ids and timestamps aside)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table as Table_
from sqlalchemy import insert, select

from lotline.adapters import tables as t
from lotline.adapters.scale_copy import grow_lots, lots_done
from lotline.adapters.scale_rows import ORDERS_PER_LOT, SERIALS_PER_LOT, ScaleContext
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork
from lotline.bootstrap import Services
from lotline.domain.errors import ValidationError
from lotline.domain.exchange import SERIALS, ImportReport, map_header
from lotline.domain.ids import new_id
from lotline.domain.model import Product
from lotline.domain.values import gtin_check_digit
from lotline.files.tabular import Table
from lotline.service_layer.serial_import import SerialImport
from lotline.service_layer.serial_rows import SerialDefaults

Progress = Callable[[str, int, int], None]
LOT_SIZE = 10_000
ORDER_CHUNK = 10_000
STATUS_MIX = (("IN_STOCK", 55), ("SHIPPED", 22), ("RECEIVED", 5), ("EXPECTED", 3),
              ("RETURNED", 5), ("DEFECTIVE", 3), ("SCRAPPED", 3), ("CONSUMED", 4))
TRACKING_MIX = (("none", 4), ("lot", 8), ("serial", 4), ("lot_serial", 8))


@dataclass
class LargeDemoSummary:
    suppliers: int = 0
    customers: int = 0
    products: dict[str, int] = field(default_factory=dict)  # per tracking mode
    lots: int = 0
    serials: int = 0
    orders: int = 0
    order_lines: int = 0


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def _gtin(number: int) -> str:
    body = f"0614142{number:05d}"
    return body + str(gtin_check_digit(body))


def seed_large_demo(services: Services, serials: int = 1_000_000, orders: int = 100_000,
                    progress: Progress | None = None, seed: int = 7) -> LargeDemoSummary:
    report = progress or _quiet
    rng = random.Random(seed)
    summary = LargeDemoSummary()
    report("master data", 0, 1)
    suppliers = [services.suppliers.create_supplier(name=f"Supplier {i:02d}", code=f"S{i:02d}")
                 for i in range(1, 13)]
    customers = [services.customers.create_customer(name=f"Customer {i:03d}", code=f"C{i:03d}")
                 for i in range(1, 101)]
    summary.suppliers, summary.customers = len(suppliers), len(customers)
    products = _products(services, summary)
    report("master data", 1, 1)
    _stock_lots(services, products, [s.id for s in suppliers], rng, summary, report)
    if serials > 0:
        _serials(services, products, [s.id for s in suppliers], serials, rng, summary, report)
    if orders > 0:
        _orders(services, products, [c.id for c in customers], orders, rng, summary, report)
    return summary


def _products(services: Services, summary: LargeDemoSummary) -> dict[str, list[Product]]:
    by_mode: dict[str, list[Product]] = {}
    number = 0
    for mode, count in TRACKING_MIX:
        for i in range(1, count + 1):
            number += 1
            by_mode.setdefault(mode, []).append(services.products.create_product(
                sku=f"{mode.upper().replace('_', '-')}-{i:02d}", name=f"{mode} item {i}",
                tracking=mode, gtin=_gtin(number),
                serial_pattern=f"{mode[0].upper()}{i:02d}-{{######}}"
                if mode in ("serial", "lot_serial") else None))
        summary.products[mode] = count
    return by_mode


def _expiry(rng: random.Random, today: dt.date) -> dt.date:
    """From two years ago to three years ahead, a fifth of them within 60 days."""
    if rng.random() < 0.2:
        return today + dt.timedelta(days=rng.randint(-30, 60))
    return today + dt.timedelta(days=rng.randint(-730, 1095))


def _stock_lots(services: Services, products: dict[str, list[Product]], suppliers: list[str],
                rng: random.Random, summary: LargeDemoSummary, report: Progress) -> None:
    today = dt.datetime.now(dt.UTC).date()
    plain = products["none"] + products["lot"]
    for index, product in enumerate(plain):
        for n in range(1, 11):
            expiry = _expiry(rng, today) if product.tracking.value == "lot" else None
            services.batches.create(
                product_id=product.id, batch_number=f"L{index:02d}-{n:03d}",
                supplier_id=rng.choice(suppliers), quantity=rng.randint(50, 5000),
                unit_cost=f"{rng.randint(100, 9999) / 100:.2f}", expiry_date=expiry,
                manufacturing_date=(expiry - dt.timedelta(days=720)) if expiry else None)
            summary.lots += 1
        report("lots", index + 1, len(plain))


def _serial_rows(plan: list[tuple[str, str | None, int]], rng: random.Random,
                 statuses: list[str]) -> Iterator[tuple[int, list[str]]]:
    line = 1
    for sku, lot, count in plan:
        prefix = f"{sku}-{lot or 'X'}"
        for i in range(count):
            line += 1
            yield line, [f"{prefix}-{i:06d}", sku, lot or "", rng.choice(statuses)]


def _serials(services: Services, products: dict[str, list[Product]], suppliers: list[str],
             total: int, rng: random.Random, summary: LargeDemoSummary,
             report: Progress) -> None:
    today = dt.datetime.now(dt.UTC).date()
    plan: list[tuple[str, str | None, int]] = []
    with_lots = total * 7 // 10
    lot_products, serial_products = products["lot_serial"], products["serial"]
    for n, start in enumerate(range(0, with_lots, LOT_SIZE)):
        product = lot_products[n % len(lot_products)]
        count = min(LOT_SIZE, with_lots - start)
        number = f"SL{n:05d}"
        services.batches.create(product_id=product.id, batch_number=number, quantity=count,
                                supplier_id=rng.choice(suppliers), expiry_date=_expiry(rng, today),
                                unit_cost=f"{rng.randint(1000, 50000) / 100:.2f}")
        summary.lots += 1
        plan.append((product.sku, number, count))
    rest = total - with_lots
    for n, product in enumerate(serial_products):
        share = rest // len(serial_products) + (1 if n < rest % len(serial_products) else 0)
        plan.append((product.sku, None, share))
    statuses = [status for status, weight in STATUS_MIX for _ in range(weight)]
    header = ["serial_number", "product", "batch_number", "status"]
    done = [0]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for row in _serial_rows(plan, rng, statuses):
            done[0] += 1
            yield row

    table = Table("csv", header, rows(), total, lambda: done[0])
    result = ImportReport("serials", "generated", dry_run=False)
    SerialImport(services.uows, services.actor, result,
                 lambda phase, d, n: report(f"serials ({phase})", d, n),
                 reason="demo data").run(table, map_header(header, SERIALS), SerialDefaults())
    if not result.ok:
        raise RuntimeError(f"demo serials failed: {result.errors[:3]}")
    summary.serials = result.written


def _orders(services: Services, products: dict[str, list[Product]], customers: list[str],
            total: int, rng: random.Random, summary: LargeDemoSummary,
            report: Progress) -> None:
    catalogue = [p.id for mode in products.values() for p in mode]
    now = services.actor.now()
    org_id = services.org_id
    for start in range(0, total, ORDER_CHUNK):
        order_rows, line_rows = [], []
        for number in range(start + 1, min(total, start + ORDER_CHUNK) + 1):
            order_id = new_id()
            status = rng.choices(("shipped", "open", "cancelled"), (70, 25, 5))[0]
            order_rows.append({"id": order_id, "org_id": org_id, "reference": f"SO-{number:07d}",
                               "customer_id": rng.choice(customers), "status": status,
                               "created_at": now, "updated_at": now})
            for line_no, product_id in enumerate(rng.sample(catalogue, rng.randint(1, 3)), 1):
                line_rows.append({"id": new_id(), "org_id": org_id, "order_id": order_id,
                                  "line_no": line_no, "product_id": product_id,
                                  "quantity": Decimal(rng.randint(1, 20)),
                                  "unit_price": Decimal(rng.randint(199, 99999)) / 100})
        with SqlAlchemyUnitOfWork(services.engine, services.actor) as uow:
            uow.conn.execute(insert(t.orders), order_rows)
            uow.conn.execute(insert(t.order_lines), line_rows)
        summary.orders += len(order_rows)
        summary.order_lines += len(line_rows)
        report("orders", summary.orders, total)


# --- the cost-curve organization (issue 18): PostgreSQL, COPY, lots of 100 serials ------------

SCALE_PRODUCTS = 20
SCALE_SUPPLIERS = 12
SCALE_CUSTOMERS = 1000


def grow_scale_demo(services: Services, serials: int,
                    progress: Progress | None = None) -> dict[str, float]:
    """Grow the organization to `serials` serials (rounded up to whole lots of
    SERIALS_PER_LOT), with 10 orders a lot, 8 of them shipped (see adapters.scale_rows):
    10,000,000 serials are 100,000 lots and 1,000,000 orders. Adds only what is missing, so
    10k, then 1M, then 10M reuse what is there. The seconds each phase took."""
    if services.engine.dialect.name != "postgresql":
        raise ValidationError.single("database", "the scale generator loads with COPY: "
                                     "PostgreSQL only", services.engine.dialect.name)
    report = progress or _quiet
    began = time.perf_counter()
    target = -(-serials // SERIALS_PER_LOT)
    ctx = _scale_context(services, min(SCALE_CUSTOMERS, target * ORDERS_PER_LOT), report)
    timings = {"master data": time.perf_counter() - began}
    timings.update(grow_lots(services.engine, ctx, target, report))
    return timings


def _scale_context(services: Services, customers: int, report: Progress) -> ScaleContext:
    org_id = services.org_id
    if lots_done(services.engine, org_id) == 0 and not _scale_rows(services, t.products, "SCALE-"):
        report("master data", 0, 1)
        for i in range(1, SCALE_PRODUCTS + 1):
            services.products.create_product(sku=f"SCALE-{i:02d}", name=f"Scale unit {i}",
                                             tracking="lot_serial", gtin=_gtin(900 + i))
        for i in range(1, SCALE_SUPPLIERS + 1):
            services.suppliers.create_supplier(name=f"Scale supplier {i:02d}", code=f"SS{i:02d}")
        for i in range(1, customers + 1):
            services.customers.create_customer(name=f"Scale customer {i:04d}",
                                               code=f"SC{i:04d}")
        report("master data", 1, 1)
    warehouse = services.warehouses.default()
    stock = services.warehouses.location_by_code("STOCK", warehouse.id)
    return ScaleContext(
        org_id=org_id, actor=services.actor.name,
        products=[(row.id, row.sku) for row in _scale_rows(services, t.products, "SCALE-")],
        suppliers=[row.id for row in _scale_rows(services, t.suppliers, "SS")],
        customers=[(row.id, row.name) for row in _scale_rows(services, t.customers, "SC")],
        warehouse_id=warehouse.id, location_id=stock.id, now=services.actor.now())


def _scale_rows(services: Services, table: Table_, prefix: str) -> list[Any]:
    key = table.c.sku if table is t.products else table.c.code
    with services.engine.connect() as conn:
        return list(conn.execute(select(table).where(
            table.c.org_id == services.org_id, key.startswith(prefix)).order_by(key)))
