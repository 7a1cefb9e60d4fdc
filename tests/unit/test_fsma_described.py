"""FSMA 204 rows of movements read one by one (a recall drill's): each row described once per
the fields it is made of (service_layer.fsma._described) and copied, summed per event; rows
that differ in one of those fields (a location, a customer, a lot's supplier) or in their
date and document are rows of their own, with exactly their own columns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from lotline.service_layer.fsma import fsma204_from

NOON = dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC)


def _place(name: str, city: str) -> Any:
    address = SimpleNamespace(street=None, city=city, region=None, postal_code=None,
                              country="PT")
    return SimpleNamespace(name=name, phone=None, address=address)


class Places:
    def __init__(self, places: dict[str, Any]) -> None:
        self.places = places

    def get_many(self, ids: list[str]) -> dict[str, Any]:
        return {i: self.places[i] for i in ids if i in self.places}

    def get(self, ident: str) -> Any:
        return self.places.get(ident)


UOW: Any = SimpleNamespace(
    suppliers=Places({"s-1": _place("Olive farm", "Beja")}),
    customers=Places({"c-1": _place("Bolt", "Porto"), "c-2": _place("Cafe", "Faro")}),
    warehouses=Places({"w-1": _place("Main", "Lisbon")}),
    reports=SimpleNamespace(lot_origins=lambda ids: dict.fromkeys(ids, "w-1")))


def shipped(order: str, customer: str, quantity: str, *, location: str = "A1",
            supplier: str | None = None, moment: dt.datetime = NOON) -> Any:
    return SimpleNamespace(
        kind="shipment", occurred_at=moment, batch_id="b-1", sku="OIL", product="Olive oil",
        uom="L", location=location, warehouse_id="w-1", receipt_reference=None,
        order_reference=order, customer_id=customer, transformation=None,
        lot_supplier_id=supplier, manufacturer_batch_number="M-7" if supplier else None,
        batch_number="OL-1", quantity=Decimal(quantity))


def test_rows_differing_in_one_field_are_described_each_their_own() -> None:
    rows = [shipped("SO-1", "c-1", "2.50"), shipped("SO-1", "c-1", "0.50"),
            shipped("SO-2", "c-1", "1"), shipped("SO-3", "c-2", "1.0"),
            shipped("SO-4", "c-1", "1", location="B7"),
            shipped("SO-5", "c-1", "4", supplier="s-1"),
            shipped("SO-6", "c-1", "1", moment=NOON + dt.timedelta(days=1))]
    made = fsma204_from(UOW, rows, "UTC")
    assert [(r["event_date"].day, r["traceability_lot_code"], r["reference_document_number"],
             r["ship_to_name"], r["ship_to_city"], r["location"], r["tlc_source_name"],
             r["quantity"]) for r in made] == [
        (10, "M-7", "SO-5", "Bolt", "Porto", "A1", "Olive farm", Decimal(4)),
        (10, "OL-1", "SO-1", "Bolt", "Porto", "A1", "Main", Decimal(3)),
        (10, "OL-1", "SO-2", "Bolt", "Porto", "A1", "Main", Decimal(1)),
        (10, "OL-1", "SO-3", "Cafe", "Faro", "A1", "Main", Decimal(1)),
        (10, "OL-1", "SO-4", "Bolt", "Porto", "B7", "Main", Decimal(1)),
        (11, "OL-1", "SO-6", "Bolt", "Porto", "A1", "Main", Decimal(1))]
    assert [str(r["quantity"]) for r in made] == ["4", "3", "1", "1", "1", "1"]
    assert all(list(r)[-1] == "quantity" and r["ship_from_name"] == "Main" for r in made)
    assert len({id(r) for r in made}) == len(made)  # copies, not one template shared
