"""One EPCIS shipping event per shipment (service_layer/epcis): an order's units and lots
shipped at one moment from one warehouse are one ObjectEvent, every unit in `epcList` and
each lot's quantity summed over the bins it left in `quantityList`, read at the warehouse
when the bins differ; another moment or another order is another event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from lotline.domain.epcis_hash import event_hash
from lotline.service_layer.epcis import Naming, _movement_events

NAMING = Naming("https://id.gs1.org", "acme", "UTC")
NOON = dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC)
SITE = "https://id.gs1.org/414/4012345000009"


def shipped(ident: str, location: str, *, serial: str | None = None, quantity: int = 1,
            order: str = "o-1", moment: dt.datetime = NOON) -> Any:
    return SimpleNamespace(
        id=ident, kind="shipment", occurred_at=moment, recorded_at=moment,
        quantity=Decimal(quantity), serial_id=serial and f"s-{serial}", receipt_id=None,
        order_id=order, transformation_id=None, gtin="09506000134352", sku="OIL", uom="L",
        batch_number="OL-1", expiry_date=None, serial_number=serial, location=location,
        warehouse="MAIN", warehouse_gln="4012345000009", order_reference=f"SO-{order}",
        customer_id="c-1", customer_code="BOLT", customer_gln=None, receipt_reference=None,
        supplier_id=None, supplier_code=None, supplier_gln=None)


def test_a_shipment_from_two_bins_is_one_event_read_at_the_warehouse() -> None:
    rows = [shipped("m-1", "A1", serial="S-2"), shipped("m-2", "A1", quantity=3),
            shipped("m-3", "B7", serial="S-1"), shipped("m-4", "B7", quantity=4),
            shipped("m-5", "A1", serial="S-3", order="o-2"),
            shipped("m-6", "A1", serial="S-4", moment=NOON + dt.timedelta(hours=1))]
    made = _movement_events(rows, {}, NAMING)
    assert [(row.id, event.get("epcList"), event.get("quantityList"), event["readPoint"])
            for row, event, _recorded in made] == [
        ("m-1", ["https://id.gs1.org/01/09506000134352/21/S-1",
                 "https://id.gs1.org/01/09506000134352/21/S-2"],
         [{"epcClass": "https://id.gs1.org/01/09506000134352/10/OL-1",
           "quantity": Decimal(7), "uom": "L"}], {"id": SITE}),
        ("m-5", ["https://id.gs1.org/01/09506000134352/21/S-3"], None,
         {"id": f"{SITE}/254/A1"}),
        ("m-6", ["https://id.gs1.org/01/09506000134352/21/S-4"], None,
         {"id": f"{SITE}/254/A1"})]
    first = made[0][1]
    assert first["bizTransactionList"] == [{"type": "urn:lotline:btt:so",
                                            "bizTransaction": "urn:lotline:acme:order:SO-o-1"}]
    assert first["eventID"] == event_hash({k: v for k, v in first.items() if k != "eventID"})
