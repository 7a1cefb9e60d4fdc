"""A multi-level genealogy for the trace and recall tests, made through the services:

    Olive Farm OF-26-01 (100 L) ─┐
                                 ├─ blend TR-BLEND (60 L + 40 L) → BL-1 (100 L)
    Hill Grove HG-77 (50 L) ─────┘    BL-1 ── Carol: 5 L
         └─ Dave: 5 L (direct)        BL-1 ── repack TR-REPACK (70 L)
                                                ├─ BT-1, 60 bottles ── Alice: 20, Bob: 30
                                                └─ GB-1, gift boxes GB-001..GB-005
                                                        └─ Alice: GB-001, GB-002

A recall of OF-26-01 reaches Alice, Bob and Carol (57 units), never Dave. The world is
importable from every test folder (tests/ is on sys.path through its conftest)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.bootstrap import Services
from lotline.domain.model import Batch, Customer, Order, Product, Supplier
from lotline.entrypoints.serialize import dumps

D = Decimal
GIFT_SERIALS = [f"GB-{i:03d}" for i in range(1, 6)]


@dataclass
class World:
    svc: Services
    products: dict[str, Product] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    lots: dict[str, Batch] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    receipts: dict[str, str] = field(default_factory=dict)  # lot number -> receipt reference
    transformations: dict[str, str] = field(default_factory=dict)  # reference -> id

    def lot_id(self, number: str) -> str:
        return self.lots[number].id

    def stock_id(self) -> str:
        return self.svc.warehouses.location_by_code("STOCK").id


def _receive(world: World, supplier: Supplier, product: Product, number: str,
             quantity: int, unit_cost: str, reference: str,
             expiry: dt.date | None = None) -> Batch:
    svc = world.svc
    receipt = svc.receipts.create_receipt(
        reference=reference, supplier_id=supplier.id,
        lines=[{"product_id": product.id, "expected_quantity": quantity,
                "unit_cost": unit_cost}])
    lot: dict[str, Any] = {"batch_number": number, "quantity": quantity,
                           "manufacturing_date": dt.date(2026, 1, 15)}
    if expiry is not None:
        lot["expiry_date"] = expiry
    svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [lot]}])
    svc.receipts.putaway(receipt.id)
    world.receipts[number] = reference
    found = svc.batches.by_number(number, product.id)
    assert len(found) == 1, found
    return found[0]


def _ship(world: World, reference: str, customer: str,
          lines: list[tuple[str, int, list[str] | None]]) -> Order:
    """An order of (lot number, quantity, serial numbers) lines, allocated to those lots,
    then shipped."""
    svc = world.svc
    lots = [world.lots[number] for number, _q, _s in lines]
    order = svc.orders.create_order(
        reference=reference, customer_id=world.customers[customer].id,
        lines=[{"product_id": lot.product_id, "quantity": quantity}
               for lot, (_n, quantity, _s) in zip(lots, lines, strict=True)])
    targets = []
    for line, lot, (_n, quantity, numbers) in zip(order.lines, lots, lines, strict=True):
        target: dict[str, Any] = {"line_id": line.id, "batch_id": lot.id, "quantity": quantity}
        if numbers:
            target["serial_numbers"] = numbers
        targets.append(target)
    svc.orders.allocate(order.id, lines=targets)
    svc.orders.ship(order.id, carrier="DHL")
    world.orders[reference] = order
    return order


def build_world(svc: Services) -> World:
    world = World(svc)
    products = svc.products
    world.products = {
        "bulk": products.create_product(sku="OIL-BULK", name="Olive oil, bulk", uom="LTR",
                                        tracking="lot"),
        "blend": products.create_product(sku="OIL-BLEND", name="Olive oil blend", uom="LTR",
                                         tracking="lot"),
        "bottle": products.create_product(sku="BOTTLE-500", name="Olive oil 500 ml bottle",
                                          gtin="09506000134352", tracking="lot"),
        "gift": products.create_product(sku="GIFT-BOX", name="Gift box",
                                        tracking="lot_serial"),
    }
    world.suppliers = {name: svc.suppliers.create_supplier(name=name)
                       for name in ("Olive Farm", "Hill Grove")}
    world.customers = {name: svc.customers.create_customer(name=name, city=city)
                       for name, city in (("Alice Deli", "Lisbon"), ("Bob Market", "Porto"),
                                          ("Carol Cafe", "Faro"), ("Dave Diner", "Braga"))}
    bulk = world.products["bulk"]
    world.lots["OF-26-01"] = _receive(world, world.suppliers["Olive Farm"], bulk, "OF-26-01",
                                      100, "2", "ASN-OF-1", expiry=dt.date(2027, 6, 30))
    world.lots["HG-77"] = _receive(world, world.suppliers["Hill Grove"], bulk, "HG-77", 50,
                                   "3", "ASN-HG-1", expiry=dt.date(2027, 3, 31))
    _ship(world, "SO-DAVE", "Dave Diner", [("HG-77", 5, None)])
    blend = svc.transformations.transform(
        kind="production", reference="TR-BLEND",
        inputs=[{"batch_id": world.lot_id("OF-26-01"), "quantity": 60},
                {"batch_id": world.lot_id("HG-77"), "quantity": 40}],
        outputs=[{"product_id": world.products["blend"].id, "batch_number": "BL-1",
                  "quantity": 100, "expiry_date": "2027-03-31"}])
    world.transformations["TR-BLEND"] = blend.id
    world.lots["BL-1"] = svc.batches.get(blend.outputs[0].batch_id or "")
    _ship(world, "SO-CAROL", "Carol Cafe", [("BL-1", 5, None)])
    repack = svc.transformations.transform(
        kind="repacking", reference="TR-REPACK",
        inputs=[{"batch_id": world.lot_id("BL-1"), "quantity": 70}],
        outputs=[{"product_id": world.products["bottle"].id, "batch_number": "BT-1",
                  "quantity": 60, "expiry_date": "2027-03-31"},
                 {"product_id": world.products["gift"].id, "batch_number": "GB-1",
                  "quantity": 5, "serial_numbers": GIFT_SERIALS,
                  "expiry_date": "2027-03-31"}])
    world.transformations["TR-REPACK"] = repack.id
    world.lots["BT-1"] = svc.batches.get(repack.outputs[0].batch_id or "")
    world.lots["GB-1"] = svc.batches.get(repack.outputs[1].batch_id or "")
    _ship(world, "SO-ALICE", "Alice Deli", [("BT-1", 20, None),
                                            ("GB-1", 2, ["GB-001", "GB-002"])])
    _ship(world, "SO-BOB", "Bob Market", [("BT-1", 30, None)])
    return world


# --- what the trace of this world must say, for every door ------------------------------------
# Summaries of the JSON a door answers (the library's results through `as_json`):
# forward (lot, on hand, shipped, [(customer, order, quantity, serials)], made by, [children]).

def as_json(value: Any) -> Any:
    """A result as the API writes it (numbers exact, dates ISO)."""
    return json.loads(dumps(value))


def forward_summary(node: dict[str, Any]) -> tuple[Any, ...]:
    return (node["lot"]["batch_number"], node["on_hand"], node["shipped_quantity"],
            [(d["customer_name"], d["order_reference"], d["quantity"], d["serial_numbers"])
             for d in node["deliveries"]],
            [t["reference"] for t in node["used_in"]],
            [forward_summary(child) for child in node["outputs"]])


def backward_summary(node: dict[str, Any]) -> tuple[Any, ...]:
    return (node["lot"]["batch_number"], node["lot"]["supplier_name"],
            [(r["reference"], r["quantity"]) for r in node["receipts"]],
            [t["reference"] for t in node["made_by"]],
            [backward_summary(child) for child in node["inputs"]])


FORWARD_FROM_OLIVE_FARM = (
    "OF-26-01", 40, 0, [], ["TR-BLEND"], [
        ("BL-1", 25, 5, [("Carol Cafe", "SO-CAROL", 5, [])], ["TR-REPACK"], [
            ("BT-1", 10, 50, [("Alice Deli", "SO-ALICE", 20, []),
                              ("Bob Market", "SO-BOB", 30, [])], [], []),
            ("GB-1", 3, 2, [("Alice Deli", "SO-ALICE", 2, ["GB-001", "GB-002"])], [], []),
        ]),
    ])
BACKWARD_FROM_BOTTLES = (
    "BT-1", None, [], ["TR-REPACK"], [
        ("BL-1", None, [], ["TR-BLEND"], [
            ("OF-26-01", "Olive Farm", [("ASN-OF-1", 100)], [], []),
            ("HG-77", "Hill Grove", [("ASN-HG-1", 50)], [], []),
        ]),
    ])
# The recall of OF-26-01: (customer, order, lot, quantity, serials) and stock per lot.
RECALL_DELIVERIES = [
    ("Alice Deli", "SO-ALICE", "BT-1", 20, []),
    ("Alice Deli", "SO-ALICE", "GB-1", 2, ["GB-001", "GB-002"]),
    ("Bob Market", "SO-BOB", "BT-1", 30, []),
    ("Carol Cafe", "SO-CAROL", "BL-1", 5, []),
]
RECALL_LOTS = [("OF-26-01", 0), ("BL-1", 1), ("BT-1", 2), ("GB-1", 2)]
RECALL_ON_HAND = [("OF-26-01", "STOCK", 40), ("BL-1", "STOCK", 25), ("BT-1", "STOCK", 10),
                  ("GB-1", "STOCK", 3)]


def recall_summary(recall: dict[str, Any]) -> dict[str, Any]:
    report = recall["report"]
    return {
        "lots": [(lot["batch_number"], lot["depth"]) for lot in report["lots"]],
        "deliveries": [(entry["customer"]["name"], order["order_reference"],
                        d["batch_number"], d["quantity"], d["serial_numbers"])
                       for entry in report["customers"] for order in entry["orders"]
                       for d in order["deliveries"]],
        "customer_totals": [(e["customer"]["name"], e["quantity"])
                            for e in report["customers"]],
        "on_hand": [(s["batch_number"], s["location_code"], s["quantity"])
                    for s in report["on_hand"]],
        "shipped": recall["shipped_quantity"],
    }


def add_hamper(world: World) -> World:
    """Gift box GB-004 installed in GB-003, installed in hamper HM-001 (a serial-tracked
    product without lots), which ships to Dave (SO-HAMPER); HM-002 stays in stock."""
    svc = world.svc
    hamper = svc.products.create_product(sku="HAMPER", name="Hamper", tracking="serial")
    world.products["hamper"] = hamper
    receipt = svc.receipts.create_receipt(
        reference="ASN-HAMPER", supplier_id=world.suppliers["Hill Grove"].id,
        lines=[{"product_id": hamper.id, "expected_quantity": 2, "unit_cost": "15"}])
    svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
        {"quantity": 2, "serial_numbers": ["HM-001", "HM-002"]}]}])
    svc.receipts.putaway(receipt.id)
    lookup = svc.serials.lookup
    svc.serials.change_status(lookup("GB-004").id, "INSTALLED",
                              parent_serial_id=lookup("GB-003").id)
    svc.serials.change_status(lookup("GB-003").id, "INSTALLED",
                              parent_serial_id=lookup("HM-001").id)
    order = svc.orders.create_order(
        reference="SO-HAMPER", customer_id=world.customers["Dave Diner"].id,
        lines=[{"product_id": hamper.id, "quantity": 1}])
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id, "quantity": 1,
                                          "serial_numbers": ["HM-001"]}])
    svc.orders.ship(order.id, carrier="DHL")
    world.orders["SO-HAMPER"] = order
    return world
