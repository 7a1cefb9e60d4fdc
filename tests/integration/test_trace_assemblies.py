"""Trace and recall follow units installed in other units: a gift box GB-004 installed in box
GB-003, installed in hamper HM-001, which ships to Dave. The lot of the gift boxes (GB-1)
then reached Dave through the hamper; a recall of GB-1 names him, lists the boxes as
installed, and counts them recovered when the hamper comes back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flow_support import MovableClock

from trace_world import World, add_hamper, as_json, build_world, forward_summary

D = Decimal


@pytest.fixture
def assembled(database: Any) -> World:
    return add_hamper(build_world(database.services(clock=MovableClock())))


def _deliveries(node: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(d["customer_name"], d["order_reference"], d["quantity"], d["returned_quantity"],
             d["serial_numbers"], d["inside_assemblies"]) for d in node["deliveries"]]


def test_forward_trace_reaches_the_customer_of_the_assembly(assembled: World) -> None:
    gifts = as_json(assembled.svc.trace.forward(assembled.lot_id("GB-1")))
    assert _deliveries(gifts) == [
        ("Alice Deli", "SO-ALICE", 2, 0, ["GB-001", "GB-002"], []),
        ("Dave Diner", "SO-HAMPER", 2, 0, ["GB-003", "GB-004"], ["HM-001"])]
    assert forward_summary(gifts)[:3] == ("GB-1", 1, 4)
    assert assembled.svc.trace.serial("GB-004").installed_in == ["GB-003", "HM-001"]
    assert assembled.svc.trace.serial("HM-001").components == ["GB-003"]


def test_a_recall_names_the_assembly_customer_and_counts_recovery_when_it_returns(
        assembled: World) -> None:
    svc = assembled.svc
    recall = svc.recalls.create(reason="cracked boxes", batch_ids=[assembled.lot_id("GB-1")])
    report = as_json(recall)["report"]
    assert [(e["customer"]["name"], e["customer"]["address"]["city"], e["quantity"])
            for e in report["customers"]] == [("Alice Deli", "Lisbon", 2),
                                               ("Dave Diner", "Braga", 2)]
    dave = report["customers"][1]["orders"][0]["deliveries"]
    assert [(d["batch_number"], d["serial_numbers"], d["inside_assemblies"]) for d in dave] \
        == [("GB-1", ["GB-003", "GB-004"], ["HM-001"])]
    assert report["installed"] == [
        {"batch_id": assembled.lot_id("GB-1"), "batch_number": "GB-1", "serial_number": number,
         "assembly_serial_number": "HM-001", "assembly_status": "SHIPPED",
         "assembly_location_code": None} for number in ("GB-003", "GB-004")]
    assert (recall.shipped_quantity, recall.recovered_quantity) == (D(4), D(0))

    svc.orders.returns(assembled.orders["SO-HAMPER"].id,
                       [{"serial_number": "HM-001"}], reason="recall")
    again = svc.recalls.get(recall.id)
    assert (again.recovered_quantity, again.effectiveness) == (D(2), D("0.5000"))
    assert svc.recalls.get(recall.id).report["installed"] == recall.report["installed"]
    gifts = as_json(svc.trace.forward(assembled.lot_id("GB-1")))
    assert _deliveries(gifts)[1] == ("Dave Diner", "SO-HAMPER", 2, 2, ["GB-003", "GB-004"],
                                     ["HM-001"])


def test_a_reversed_assembly_shipment_is_no_delivery(assembled: World) -> None:
    svc = assembled.svc
    shipment_id = svc.orders.view(assembled.orders["SO-HAMPER"].id).shipments[0]
    svc.orders.reverse_shipment(shipment_id, reason="never left")
    gifts = as_json(svc.trace.forward(assembled.lot_id("GB-1")))
    assert _deliveries(gifts) == [("Alice Deli", "SO-ALICE", 2, 0, ["GB-001", "GB-002"], [])]
    recall = svc.recalls.create(reason="cracked", batch_ids=[assembled.lot_id("GB-1")])
    assert [(i["serial_number"], i["assembly_status"], i["assembly_location_code"])
            for i in recall.report["installed"]] == [("GB-003", "ALLOCATED", "STOCK"),
                                                     ("GB-004", "ALLOCATED", "STOCK")]
