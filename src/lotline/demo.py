"""Demo data: a small pharmacy, food and electronics distributor, seeded through the services.

`seed_demo(services)` fills an empty organization (and leaves one that has data alone), then
returns `summarize_demo(services)`: what the organization holds, read back from the database.
Dates are relative to the organization's today, so there are always expired lots, lots
expiring within 30 days and lots good for a year or more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from lotline.bootstrap import Services
from lotline.domain.model import Batch, Page
from lotline.domain.statuses import CUSTODY_STATUSES
from lotline.domain.values import gtin_check_digit

T = TypeVar("T")
GS1_PREFIX = "0614141"  # the GS1 example company prefix


@dataclass(frozen=True, slots=True)
class ProductSummary:
    sku: str
    name: str
    tracking: str
    lots: int
    on_hand: Decimal
    serials: int


@dataclass(frozen=True, slots=True)
class LotSummary:
    sku: str
    batch_number: str
    supplier: str | None
    expiry_date: dt.date | None
    days_to_expiry: int | None
    state: str  # active, inactive, expired or "on <kind> hold"
    quantity: Decimal
    balance_quantity: Decimal


@dataclass(frozen=True, slots=True)
class DemoSummary:
    seeded: bool  # False when the organization already had data and was left alone
    today: dt.date
    suppliers: int
    customers: int
    orders: int
    products: list[ProductSummary]
    lots: list[LotSummary]
    serial_counts: dict[str, int]


def _gtin(item_reference: str) -> str:
    body = GS1_PREFIX + item_reference
    return body + str(gtin_check_digit(body))


SUPPLIERS = (
    ("MEDI", "Medivant Pharma GmbH", "orders@medivant.example", "Hamburg", "DE"),
    ("OLIV", "Olivar del Sur S.L.", "ventas@olivar.example", "Sevilla", "ES"),
    ("DAIR", "Nordic Dairy AB", "sales@nordicdairy.example", "Uppsala", "SE"),
    ("BRGT", "Brightway Electronics Ltd", "export@brightway.example", "Shenzhen", "CN"),
)
CUSTOMERS = (
    ("CCP", "City Care Pharmacy", "Leeds", "GB", 10),
    ("GBG", "Green Basket Grocers", "Lyon", "FR", 5),
    ("THR", "TechHub Retail", "Rotterdam", "NL", None),
)
# who to call at each customer (a recall's contact column)
CUSTOMER_CONTACTS = {"CCP": ("orders@citycare.example", "+44 113 496 0120"),
                     "GBG": ("achats@greenbasket.example", "+33 4 72 00 00 15"),
                     "THR": ("purchasing@techhub.example", "+31 10 700 0042")}
# sku, name, tracking, GTIN item reference, extra fields
PRODUCTS: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    ("PKG-CARTON-M", "Shipping carton, medium", "none", "00011", {"removal_strategy": "fifo"}),
    ("GLV-NITRILE-100", "Nitrile gloves, box of 100", "none", "00012", {}),
    ("FD-OLIVE-1L", "Extra virgin olive oil 1 L", "lot", "00021", {}),
    ("FD-YOGURT-150", "Greek yogurt 150 g", "lot", "00022",
     {"shelf_life_days": 28, "expiry_alert_days": 7}),
    ("RX-AMOX-500", "Amoxicillin 500 mg capsules, 20 ct", "lot", "00031", {}),
    ("EL-SCAN-X1", "Handheld barcode scanner X1", "serial", "00041", {}),
    ("EL-LAPTOP-14", "Laptop 14-inch, 16 GB", "serial", "00042", {}),
    ("RX-INSULIN-PEN", "Insulin glargine pen 100 U/mL", "lot_serial", "00051", {}),
    ("MD-GLUCO-M2", "Blood glucose meter M2", "lot_serial", "00052", {}),
)
# sku, lot number, supplier code, manufactured (days from today), expires (days), quantity, cost
LOTS: tuple[tuple[str, str, str | None, int | None, int | None, int, str], ...] = (
    ("PKG-CARTON-M", "R-000001", None, None, None, 500, "0.48"),
    ("PKG-CARTON-M", "R-000002", None, None, None, 300, "0.52"),
    ("GLV-NITRILE-100", "R-000003", None, None, None, 80, "7.90"),
    ("FD-OLIVE-1L", "OL-2311", "OLIV", -400, -12, 24, "6.40"),
    ("FD-OLIVE-1L", "OL-2407", "OLIV", -340, 20, 60, "6.85"),
    ("FD-OLIVE-1L", "OL-2502", "OLIV", -30, 420, 120, "7.10"),
    ("FD-YOGURT-150", "YG-0412", "DAIR", -20, None, 80, "0.62"),
    ("FD-YOGURT-150", "YG-0419", "DAIR", -2, None, 150, "0.60"),
    ("RX-AMOX-500", "AMX-23K02", "MEDI", -730, -3, 40, "2.20"),
    ("RX-AMOX-500", "AMX-24C05", "MEDI", -320, 45, 90, "2.30"),
    ("RX-AMOX-500", "AMX-24A17", "MEDI", -60, 300, 200, "2.35"),
    ("RX-INSULIN-PEN", "INS-24A02", "MEDI", -500, 15, 10, "18.50"),
    ("RX-INSULIN-PEN", "INS-24B11", "MEDI", -90, 540, 30, "19.10"),
    ("MD-GLUCO-M2", "GM-2406", "MEDI", -200, 900, 12, "24.00"),
)
# lot-serial lots: lot number -> how many of its units are registered now
LOT_SERIALS = {"INS-24A02": 10, "INS-24B11": 20, "GM-2406": 12}
# serial products without lots: sku -> (number pattern, first number, count, unit cost)
LOOSE_SERIALS = {"EL-SCAN-X1": ("SCX1-24-{}", 101, 15, "289.00"),
                 "EL-LAPTOP-14": ("LT14-7F3K-{:04d}", 1, 8, "812.50")}
ORDERS = (
    ("SO-1001", "THR", (("EL-SCAN-X1", 5), ("EL-LAPTOP-14", 2))),
    ("SO-1002", "CCP", (("RX-INSULIN-PEN", 8), ("MD-GLUCO-M2", 3))),
    ("SO-1003", "GBG", (("FD-OLIVE-1L", 12), ("FD-YOGURT-150", 40))),
)
# serial number, order, the statuses it goes through in turn
LIFECYCLES: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
    *((f"SCX1-24-{n}", "SO-1001", ("ALLOCATED", "SHIPPED")) for n in (101, 102, 103)),
    ("SCX1-24-104", "SO-1001", ("ALLOCATED", "PICKED")),
    ("SCX1-24-105", "SO-1001", ("ALLOCATED",)),
    ("SCX1-24-114", None, ("DEFECTIVE", "SCRAPPED")),
    ("SCX1-24-115", None, ("DEFECTIVE",)),
    ("LT14-7F3K-0001", "SO-1001", ("ALLOCATED", "SHIPPED", "RETURNED")),
    ("LT14-7F3K-0002", "SO-1001", ("ALLOCATED", "SHIPPED")),
    *((f"INS-24A02-{n:04d}", "SO-1002", ("ALLOCATED", "SHIPPED")) for n in range(1, 7)),
    *((f"INS-24A02-{n:04d}", "SO-1002", ("ALLOCATED",)) for n in (7, 8)),
    *((f"GM-2406-{n:04d}", "SO-1002", ("ALLOCATED", "SHIPPED")) for n in (1, 2)),
    ("GM-2406-0003", "SO-1002", ("ALLOCATED", "SHIPPED", "RETURNED", "DEFECTIVE")),
)
# open receipts (ASNs) to receive by scan on /receiving: announced serials on one, lots to scan
# on the other. reference, supplier code, lines of (sku, quantity, announced serial numbers)
RECEIPTS: tuple[tuple[str, str, tuple[tuple[str, int, tuple[str, ...]], ...]], ...] = (
    ("ASN-2001", "BRGT", (("EL-LAPTOP-14", 3, ("LT14-7F3K-0101", "LT14-7F3K-0102",
                                               "LT14-7F3K-0103")),)),
    ("ASN-2002", "MEDI", (("RX-AMOX-500", 50, ()), ("RX-INSULIN-PEN", 2, ()))),
)
# an order allocated (FEFO) and ready to pick on /picking
TO_PICK = ("SO-1004", "THR", (("EL-SCAN-X1", 2),))
HOLD = ("AMX-24C05", "temperature excursion during transport; awaiting QA release")


class _Seeder:
    def __init__(self, services: Services) -> None:
        self.svc = services
        self.today = services.actor.today(services.settings.get().timezone)
        self.ids: dict[str, str] = {}  # sku, supplier/customer code, lot number, order ref

    def day(self, offset: int | None) -> dt.date | None:
        return None if offset is None else self.today + dt.timedelta(days=offset)

    def parties(self) -> None:
        for code, name, email, city, country in SUPPLIERS:
            self.ids[code] = self.svc.suppliers.create_supplier(
                name=name, code=code, email=email, city=city, country=country).id
        for code, name, city, country, min_days in CUSTOMERS:
            email, phone = CUSTOMER_CONTACTS[code]
            self.ids[code] = self.svc.customers.create_customer(
                name=name, code=code, city=city, country=country, email=email, phone=phone,
                min_remaining_shelf_life_days=min_days).id

    def products(self) -> None:
        for sku, name, tracking, item, extra in PRODUCTS:
            self.ids[sku] = self.svc.products.create_product(
                sku=sku, name=name, tracking=tracking, gtin=_gtin(item), **extra).id

    def lots(self) -> None:
        for sku, number, supplier, made, expires, quantity, cost in LOTS:
            internal = number if supplier is None else None
            self.ids[number] = self.svc.batches.create(
                product_id=self.ids[sku], batch_number=number, internal_batch_number=internal,
                supplier_id=self.ids.get(supplier or ""), manufacturing_date=self.day(made),
                expiry_date=self.day(expires), quantity=quantity, unit_cost=cost).id

    def serials(self) -> None:
        for number, count in LOT_SERIALS.items():
            numbers = [f"{number}-{n:04d}" for n in range(1, count + 1)]
            self.svc.serials.register_many(numbers, batch_id=self.ids[number])
        for sku, (pattern, first, count, cost) in LOOSE_SERIALS.items():
            numbers = [pattern.format(n) for n in range(first, first + count)]
            self.svc.serials.register_many(numbers, product_id=self.ids[sku], unit_cost=cost)

    def orders(self) -> None:
        for reference, customer, lines in ORDERS:
            self.ids[reference] = self.svc.orders.create_order(
                reference, self.ids[customer],
                [{"product_id": self.ids[sku], "quantity": qty} for sku, qty in lines]).id

    def lifecycles(self) -> None:
        for number, order, statuses in LIFECYCLES:
            serial_id = self.svc.serials.lookup(number).id
            for status in statuses:
                order_id = self.ids[order] if order and status == "ALLOCATED" else None
                reason = "customer reported a fault" if status == "RETURNED" else None
                self.svc.serials.change_status(serial_id, status, order_id=order_id,
                                               reason=reason)

    def to_receive_and_pick(self) -> None:
        for reference, supplier, lines in RECEIPTS:
            self.svc.receipts.create_receipt(reference, self.ids[supplier], [
                {"product_id": self.ids[sku], "expected_quantity": quantity,
                 "expected_serials": list(serials)} for sku, quantity, serials in lines])
        reference, customer, order_lines = TO_PICK
        order = self.svc.orders.create_order(reference, self.ids[customer], [
            {"product_id": self.ids[sku], "quantity": quantity} for sku, quantity in order_lines])
        self.svc.orders.allocate(order.id)

    def holds(self) -> None:
        number, reason = HOLD
        self.svc.batches.hold(self.ids[number], reason, kind="quarantine")


DEMO_STEPS: tuple[tuple[str, Callable[[_Seeder], None]], ...] = (
    ("suppliers and customers", _Seeder.parties),
    ("products", _Seeder.products),
    ("lots", _Seeder.lots),
    ("serial numbers", _Seeder.serials),
    ("orders", _Seeder.orders),
    ("allocations, shipments and returns", _Seeder.lifecycles),
    ("open receipts and an order to pick", _Seeder.to_receive_and_pick),
    ("holds", _Seeder.holds),
)


def is_empty(services: Services) -> bool:
    return not (services.products.list(limit=1).items or services.suppliers.list(limit=1).items
                or services.customers.list(limit=1).items)


def seed_demo(services: Services, on_step: Callable[[str], None] | None = None) -> DemoSummary:
    """Seed the demo into an empty organization; an organization with data is left alone
    (`seeded` is False). `on_step(label)` is called after each of `DEMO_STEPS`."""
    if not is_empty(services):
        return summarize_demo(services, seeded=False)
    seeder = _Seeder(services)
    for label, step in DEMO_STEPS:
        step(seeder)
        if on_step is not None:
            on_step(label)
    return summarize_demo(services, seeded=True)


def _every(fetch: Callable[[str | None], Page[T]]) -> list[T]:
    items: list[T] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def _lot_state(batch: Batch) -> str:
    if batch.hold is not None:
        return f"on {batch.hold.kind.value} hold"
    return "expired" if batch.is_expired else batch.status.value


def summarize_demo(services: Services, *, seeded: bool = True) -> DemoSummary:
    """What the organization holds: products with lots and stock, lots, serials per status."""
    svc = services
    today = svc.actor.today(svc.settings.get().timezone)
    products = _every(lambda c: svc.products.list(limit=500, cursor=c))
    batches = _every(lambda c: svc.batches.list(limit=500, cursor=c))
    suppliers = {s.id: s.name for s in _every(lambda c: svc.suppliers.list(limit=500, cursor=c))}
    skus = {p.id: p.sku for p in products}
    lots = [LotSummary(
        sku=skus[b.product_id], batch_number=b.batch_number,
        supplier=suppliers.get(b.supplier_id or ""), expiry_date=b.expiry_date,
        days_to_expiry=None if b.expiry_date is None else (b.expiry_date - today).days,
        state=_lot_state(b), quantity=b.quantity, balance_quantity=b.balance_quantity)
        for b in batches]
    summaries = []
    for product in products:
        counts = svc.serials.counts(product.id)
        own = [b for b in batches if b.product_id == product.id]
        on_hand = (Decimal(sum(counts[s.value] for s in CUSTODY_STATUSES))
                   if product.tracking.uses_serials
                   else sum((b.balance_quantity for b in own), Decimal(0)))
        summaries.append(ProductSummary(product.sku, product.name, product.tracking.value,
                                        len(own), on_hand, counts["ALL"]))
    return DemoSummary(
        seeded=seeded, today=today, suppliers=len(suppliers),
        customers=len(_every(lambda c: svc.customers.list(limit=500, cursor=c))),
        orders=len(_every(lambda c: svc.orders.list(limit=500, cursor=c))),
        products=summaries, lots=lots, serial_counts=svc.serials.counts())
