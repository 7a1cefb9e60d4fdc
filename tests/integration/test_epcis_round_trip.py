"""Issue 15's round trip on SQLite and PostgreSQL: lotline A exports its events; lotline B (a
customer of A, another organization) captures them; A's shipment to B becomes an ASN with the
serials and lots; B receives it by scanning the units' Digital Links; B's backward trace names
A's lot; and B's standard query answers A's captured events and B's own together, in order."""

from __future__ import annotations

import io
import json
from typing import Any

from epcis_capture_kit import PEN_GTIN
from lotline.bootstrap import Services
from lotline.domain.epcis_index import utc_time
from supply_world import Supply, build_supply
from trace_world import as_json

BOLT_GLN = "9521000000018"  # A's customer Bolt Retail: B's warehouse
A_SITE = "4012345000009"  # A's warehouse: B's supplier


def setup_b(svc: Services) -> dict[str, str]:
    svc.warehouses.update(svc.warehouses.default().id, gln=BOLT_GLN)
    supplier = svc.suppliers.create_supplier(name="Lotline Foods", code="LF", gln=A_SITE)
    lettuce = svc.products.create_product(sku="ROMAINE", name="Romaine", tracking="lot",
                                          gtin="09506000134352")
    pen = svc.products.create_product(sku="MARKER", name="Marker", tracking="lot_serial",
                                      gtin=PEN_GTIN)
    return {"supplier": supplier.id, "lettuce": lettuce.id, "pen": pen.id}


def events(svc: Services, **params: str) -> list[dict[str, Any]]:
    page = svc.epcis_query.events({k: [v] for k, v in params.items()})
    return page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]  # type: ignore[no-any-return]


def test_a_shipment_from_lotline_a_is_received_by_lotline_b(database: Any) -> None:
    a: Supply = build_supply(database.services)
    a.svc.products.update(a.ids["pen"], gtin=PEN_GTIN)  # A's pens carry a GTIN: SGTINs
    exported = a.svc.epcis.events()
    b = database.services()
    ids = setup_b(b)
    job = b.epcis_capture.capture(io.BytesIO(json.dumps(as_json(exported)).encode()))
    assert (job.success, job.errors) == (True, [])
    assert job.captured_count == len(exported["epcisBody"]["eventList"])
    # SO-1 shipped to Bolt in one shipment (lettuce by lot, two pens by serial): one shipping
    # event, one ASN with a line per GTIN.
    assert len(job.receipt_ids) == 1
    receipt = b.receipts.get(job.receipt_ids[0])
    assert receipt.supplier_id == ids["supplier"]
    lines = {line.product_id: line for line in receipt.lines}
    assert sorted((line.product_id, line.expected_quantity, tuple(line.expected_serials))
                  for line in receipt.lines) == sorted([
        (ids["lettuce"], 30, ()), (ids["pen"], 2, ("P-001", "P-002"))])
    scans = [b.scan.parse(f"https://id.gs1.org/01/{PEN_GTIN}/21/{n}") for n in ("P-001",
                                                                                 "P-002")]
    assert [(s.gtin, s.serial, s.product.id if s.product else None) for s in scans] == [
        (PEN_GTIN, "P-001", ids["pen"]), (PEN_GTIN, "P-002", ids["pen"])]
    lot_scan = b.scan.parse("https://id.gs1.org/01/09506000134352/10/GF-007")
    received = b.receipts.receive(receipt.id, [
        {"line_id": lines[ids["pen"]].id, "lots": [
            {"batch_number": "P-1", "serial_numbers": [scan.serial for scan in scans]}]},
        {"line_id": lines[ids["lettuce"]].id, "lots": [
            {"batch_number": lot_scan.lot, "quantity": 30}]}])
    assert received.status == "received"
    assert b.serials.lookup("P-002").status.value == "RECEIVED"
    lot = b.batches.by_number("GF-007", ids["lettuce"])[0]
    tree = b.trace.backward(lot.id)
    assert (tree.lot.batch_number, tree.lot.supplier_name) == ("GF-007", "Lotline Foods")
    assert [r.reference for r in tree.receipts] == [receipt.reference]
    # One query over A's captured events and B's own receipt of the same lot.
    lgtin = "https://id.gs1.org/01/09506000134352/10/GF-007"
    found = events(b, MATCH_epcClass=lgtin)
    steps = [(e["bizStep"], e.get("action")) for e in found]
    assert steps[:3] == [("receiving", "ADD"), ("shipping", "OBSERVE"),
                         ("receiving", "OBSERVE")]  # at A: receipt, shipment, return
    assert steps[-1] == ("receiving", "ADD")  # B's own receipt, exported by B
    assert found[-1]["bizLocation"]["id"] == f"https://id.gs1.org/414/{BOLT_GLN}/254/RECEIVING"
    times = [e["eventTime"] for e in found]
    assert len(found) == len({e["eventID"] for e in found})
    assert found == sorted(found, key=lambda e: (utc_time(e["eventTime"]), e["eventID"])), \
        times
