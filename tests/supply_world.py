"""A small food supply chain with parties that have addresses and GLNs, for the EPCIS and
FSMA 204 tests, made through the services on a clock that moves an hour per step:

    Green Farms (GLN 0614141000005) ── ASN-1 ──> lettuce lot GF-007 (supplier's lot L-2026-007),
                                                  100 heads, into MAIN (GLN 4012345000009)
    Green Farms ── ASN-2 ──> pens P-1 (P-001..P-003)
    SO-1 to Bolt Retail (GLN 9521000000018): 30 heads of GF-007 and P-001, P-002
    Bolt returns 5 heads and P-001; P-003 is scrapped
    TR-SALAD: 20 heads of GF-007 -> salad lot SAL-1 (10 bowls, lotline's own TLC)
    GF-007 quarantined, then released; recall RC-1 of GF-007 (not held)
    SO-2 to Cash Cafe (no GLN): 4 bowls of SAL-1

The organization's time zone is Europe/Lisbon (UTC+1 in April)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lotline.bootstrap import Services
from lotline.domain.model import Batch

START = dt.datetime(2026, 4, 10, 8, 0, tzinfo=dt.UTC)
ADDRESS = {"street": "1 Harbour Road", "city": "Salinas", "region": "CA",
           "postal_code": "93901", "country": "US"}


@dataclass
class Supply:
    svc: Services
    lots: dict[str, Batch] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


class StepClock:
    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> dt.datetime:
        return self.moment

    def step(self) -> None:
        self.moment += dt.timedelta(hours=1)


def build_supply(make: Callable[..., Services]) -> Supply:
    clock = StepClock()
    svc = make(clock=clock)
    world = Supply(svc)
    svc.settings.update(timezone="Europe/Lisbon")
    main = svc.warehouses.default()
    svc.warehouses.update(main.id, name="Lotline Foods DC", phone="+1 555 0100",
                          gln="4012345000009", address={**ADDRESS, "street": "9 Dock St"})
    farm = svc.suppliers.create_supplier(name="Green Farms", code="GF", phone="+1 831 555 0199",
                                         gln="0614141000005", address=ADDRESS)
    bolt = svc.customers.create_customer(
        name="Bolt Retail", code="BOLT", phone="+1 503 555 0142", gln="9521000000018",
        address={"street": "7 Pine Ave", "city": "Portland", "region": "OR",
                 "postal_code": "97201", "country": "US"})
    cash = svc.customers.create_customer(name="Cash Cafe", code="CASH", phone="+1 541 555 0111",
                                         address={"street": "3 Oak St", "city": "Eugene",
                                                  "region": "OR", "postal_code": "97401",
                                                  "country": "US"})
    lettuce = svc.products.create_product(sku="LETTUCE", name="Romaine lettuce", tracking="lot",
                                          gtin="09506000134352")
    pen = svc.products.create_product(sku="PEN", name="Marker pen", tracking="lot_serial")
    salad = svc.products.create_product(sku="SALAD", name="Caesar salad bowl", tracking="lot")
    world.ids.update(farm=farm.id, bolt=bolt.id, cash=cash.id, lettuce=lettuce.id, pen=pen.id,
                     salad=salad.id, main=main.id)
    clock.step()
    _receive(world, "ASN-1", lettuce.id, {"batch_number": "GF-007", "quantity": 100,
                                          "manufacturer_batch_number": "L-2026-007",
                                          "expiry_date": dt.date(2026, 4, 30)})
    _receive(world, "ASN-2", pen.id, {"batch_number": "P-1", "quantity": 3,
                                      "serial_numbers": ["P-001", "P-002", "P-003"]})
    clock.step()
    so1 = _order(world, "SO-1", bolt.id, [("GF-007", 30, None), ("P-1", 2, ["P-001", "P-002"])])
    clock.step()
    svc.orders.returns(so1, [{"batch_id": world.lots["GF-007"].id, "quantity": 5},
                             {"serial_number": "P-001"}], reason="damaged in transit")
    clock.step()
    scrapped = svc.serials.lookup("P-003")
    svc.serials.change_status(scrapped.id, "SCRAPPED", reason="cracked")
    clock.step()
    made = svc.transformations.transform(
        kind="production", reference="TR-SALAD",
        inputs=[{"batch_id": world.lots["GF-007"].id, "quantity": 20}],
        outputs=[{"product_id": salad.id, "batch_number": "SAL-1", "quantity": 10,
                  "expiry_date": "2026-04-14"}])
    world.ids["transformation"] = made.id
    world.lots["SAL-1"] = svc.batches.by_number("SAL-1", salad.id)[0]
    clock.step()
    svc.batches.hold(world.lots["GF-007"].id, "sampling", kind="quarantine")
    clock.step()
    svc.batches.release(world.lots["GF-007"].id, "sample passed")
    clock.step()
    svc.recalls.create(reason="Listeria found at the farm", reference="RC-1",
                       batch_ids=[world.lots["GF-007"].id])
    clock.step()
    _order(world, "SO-2", cash.id, [("SAL-1", 4, None)])
    return world


def _receive(world: Supply, reference: str, product_id: str, lot: dict[str, Any]) -> None:
    svc = world.svc
    receipt = svc.receipts.create_receipt(
        reference=reference, supplier_id=world.ids["farm"],
        lines=[{"product_id": product_id, "expected_quantity": lot["quantity"]}])
    svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [lot]}])
    svc.receipts.putaway(receipt.id)
    world.lots[lot["batch_number"]] = svc.batches.by_number(lot["batch_number"],
                                                            product_id)[0]


def _order(world: Supply, reference: str, customer_id: str,
           lines: list[tuple[str, int, list[str] | None]]) -> str:
    svc = world.svc
    lots = [world.lots[number] for number, _q, _s in lines]
    order = svc.orders.create_order(
        reference=reference, customer_id=customer_id,
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
    return order.id
