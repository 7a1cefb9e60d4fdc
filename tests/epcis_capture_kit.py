"""A buyer organization for the EPCIS capture tests: its warehouse MAIN has GLN 4012345000009,
its supplier Green Farms GLN 0614141000005; two products with GTINs (lettuce by lot, pens by
lot and serial); and the supplier's shipping event addressed to it, as a document."""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lotline.bootstrap import Services

OUR_GLN = "4012345000009"
FARM_GLN = "0614141000005"
LETTUCE_GTIN = "09506000134352"
PEN_GTIN = "09506000134376"
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# ../shared beside the repository; LOTLINE_TEST_SHARED names another place (a git worktree).
SHARED = Path(os.environ.get("LOTLINE_TEST_SHARED")
              or Path(__file__).resolve().parents[2] / "shared")
EPCIS = SHARED / "standards" / "epcis"


@dataclass
class Buyer:
    svc: Services
    ids: dict[str, str]


def make_buyer(svc: Services) -> Buyer:
    main = svc.warehouses.default()
    svc.warehouses.update(main.id, gln=OUR_GLN)
    farm = svc.suppliers.create_supplier(name="Green Farms", code="GF", gln=FARM_GLN)
    lettuce = svc.products.create_product(sku="LETTUCE", name="Romaine lettuce",
                                          tracking="lot", gtin=LETTUCE_GTIN)
    pen = svc.products.create_product(sku="PEN", name="Marker pen", tracking="lot_serial",
                                      gtin=PEN_GTIN)
    return Buyer(svc, {"main": main.id, "farm": farm.id, "lettuce": lettuce.id, "pen": pen.id})


def shipping_event(*, serials: tuple[str, ...] = ("P-001", "P-002"), lot: str = "L-7",
                   quantity: int = 30, event_id: str | None = "urn:uuid:ship-1",
                   desadv: str = "urn:epcglobal:cbv:bt:0614141000005:DA-77",
                   destination: str = OUR_GLN) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent", "eventTime": "2026-04-10T08:00:00.000Z",
        "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
        "disposition": "in_transit",
        "epcList": [f"https://id.gs1.org/01/{PEN_GTIN}/21/{n}" for n in serials],
        "quantityList": [{"epcClass": f"https://id.gs1.org/01/{LETTUCE_GTIN}/10/{lot}",
                          "quantity": quantity, "uom": "EA"}],
        "readPoint": {"id": f"https://id.gs1.org/414/{FARM_GLN}"},
        "bizTransactionList": [{"type": "desadv", "bizTransaction": desadv}],
        "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{FARM_GLN}"}],
        "destinationList": [{"type": "owning_party",
                             "destination": f"https://id.gs1.org/417/{destination}"},
                            {"type": "location",
                             "destination": f"https://id.gs1.org/414/{destination}"}]}
    if event_id is not None:
        event["eventID"] = event_id
    return event


def observe_event(index: int, *, biz_step: str = "inspecting",
                  hour: int = 9) -> dict[str, Any]:
    return {"type": "ObjectEvent", "eventID": f"urn:uuid:observe-{index}",
            "eventTime": f"2026-04-10T{hour:02d}:{index % 60:02d}:00.000Z",
            "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": biz_step,
            "epcList": [f"https://id.gs1.org/01/{PEN_GTIN}/21/S-{index}"],
            "readPoint": {"id": f"https://id.gs1.org/414/{OUR_GLN}/254/DOCK"}}


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {"@context": [CONTEXT], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-04-10T10:00:00.000Z", "epcisBody": {"eventList": list(events)}}


def as_stream(doc: dict[str, Any]) -> io.BytesIO:
    return io.BytesIO(json.dumps(doc).encode("utf-8"))
