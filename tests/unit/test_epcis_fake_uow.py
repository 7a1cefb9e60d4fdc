"""EPCIS capture and the standard query on the in-memory unit of work (fake_uow, fake_epcis):
no database, the real use cases. A supplier's shipment addressed to us opens an ASN with the
lots it announces; a capture with one bad event stores nothing; capturing again changes
nothing; the query filters, orders, limits and pages what was captured."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from fake_uow import FakeUnitsOfWork

from epcis_capture_kit import (
    FARM_GLN,
    LETTUCE_GTIN,
    OUR_GLN,
    PEN_GTIN,
    document,
    observe_event,
    shipping_event,
)
from lotline.domain.epcis_query import QueryParameterException, QueryTooLargeException
from lotline.domain.statuses import Role
from lotline.service_layer.catalog import ProductService
from lotline.service_layer.context import Actor
from lotline.service_layer.epcis_capture import EpcisCaptureService
from lotline.service_layer.epcis_queries import EpcisQueryService
from lotline.service_layer.organizations import add_warehouse
from lotline.service_layer.parties import SupplierService
from lotline.service_layer.warehouses import WarehouseService

NOW = dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC)


class World:
    def __init__(self) -> None:
        self.uows = FakeUnitsOfWork()
        self.actor = Actor(org_id="org-1", name="tester", role=Role.MANAGER, clock=lambda: NOW)
        with self.uows(self.actor) as uow:
            self.main_id = add_warehouse(uow, "MAIN", "Main warehouse", is_default=True)
        WarehouseService(self.uows, self.actor).update(self.main_id, gln=OUR_GLN)
        self.farm = SupplierService(self.uows, self.actor).create_supplier(
            name="Green Farms", code="GF", gln=FARM_GLN)
        self.lettuce = ProductService(self.uows, self.actor).create_product(
            sku="LETTUCE", name="Romaine lettuce", tracking="lot", gtin=LETTUCE_GTIN)
        self.capture = EpcisCaptureService(self.uows, self.actor)
        self.query = EpcisQueryService(self.uows, self.actor)

    def captured(self, *events: dict[str, Any]) -> Any:
        return self.capture.capture(io.BytesIO(json.dumps(document(*events)).encode()))

    def ids(self, **params: str) -> list[str]:
        page = self.query.events({k: [v] for k, v in params.items()})
        return [e["eventID"] for e in
                page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]

    def table(self, name: str) -> list[dict[str, Any]]:
        return list(self.uows.store.tables[name].values())


@pytest.fixture
def world() -> World:
    return World()


def lettuce_shipment(**changes: Any) -> dict[str, Any]:
    """The supplier's shipment of lettuce lot L-7 (30), addressed to our GLN."""
    return shipping_event(serials=(), **changes)


def test_a_suppliers_shipment_becomes_an_asn_with_its_lots(world: World) -> None:
    job = world.captured(lettuce_shipment(), observe_event(1))
    assert (job.success, job.errors, job.event_count, job.captured_count) == (True, [], 2, 2)
    [receipt] = world.table("receipts")
    assert job.receipt_ids == [receipt["id"]]
    assert (receipt["reference"], receipt["supplier_id"], receipt["warehouse_id"],
            receipt["status"]) == ("DA-77", world.farm.id, world.main_id, "open")
    [line] = world.table("receipt_lines")
    assert (line["product_id"], line["expected_quantity"]) == (world.lettuce.id, Decimal(30))
    assert job.expected_lots == [{"receipt_id": receipt["id"], "product_id": world.lettuce.id,
                                  "lot": "L-7", "quantity": "30"}]
    assert [e["type"] for e in world.uows.store.events] == ["receipt.created"]
    stored = {row["event_key"]: row["receipt_id"] for row in world.table("epcis_events")}
    assert stored == {"urn:uuid:ship-1": receipt["id"], "urn:uuid:observe-1": None}


def test_one_bad_event_stores_nothing_and_capturing_again_changes_nothing(
        world: World) -> None:
    unknown = lettuce_shipment(event_id="urn:uuid:ship-2", desadv="urn:x:DA-78")
    unknown["epcList"] = [f"https://id.gs1.org/01/{PEN_GTIN}/21/X-1"]
    failed = world.captured(observe_event(1), unknown)
    assert (failed.success, failed.captured_count) == (False, 0)
    assert failed.errors == [{"path": "$.epcisBody.eventList[1].epcList[0]",
                              "message": f"GTIN {PEN_GTIN} is not one of our products"}]
    assert (world.table("epcis_events"), world.table("receipts")) == ([], [])
    first = world.captured(lettuce_shipment(), observe_event(1))
    again = world.captured(lettuce_shipment(), observe_event(1))
    assert (first.captured_count, again.success, again.captured_count) == (2, True, 0)
    assert (len(world.table("epcis_events")), len(world.table("receipts"))) == (2, 1)


def test_the_query_filters_orders_limits_and_pages(world: World) -> None:
    inspected = [observe_event(i, hour=9) for i in (1, 2, 3)]
    inspected[1]["bizStep"] = "receiving"
    world.captured(lettuce_shipment(), *inspected)
    observes = ["urn:uuid:observe-1", "urn:uuid:observe-2", "urn:uuid:observe-3"]
    assert world.ids() == ["urn:uuid:ship-1", *observes]
    assert world.ids(EQ_bizStep="inspecting") == ["urn:uuid:observe-1", "urn:uuid:observe-3"]
    assert world.ids(MATCH_epc="urn:epc:idpat:sgtin:9506000.013437.*") == observes
    assert world.ids(MATCH_epcClass=f"https://id.gs1.org/01/{LETTUCE_GTIN}/10/*") == [
        "urn:uuid:ship-1"]
    assert world.ids(WD_readPoint=f"https://id.gs1.org/414/{OUR_GLN}") == observes
    assert world.ids(EQ_bizTransaction_desadv="urn:epcglobal:cbv:bt:0614141000005:DA-77") \
        == ["urn:uuid:ship-1"]
    assert world.ids(orderDirection="DESC", eventCountLimit="2") == [
        "urn:uuid:observe-3", "urn:uuid:observe-2"]
    first = world.query.events({"perPage": ["3"], "orderDirection": ["DESC"]})
    assert first.next_page_token is not None
    rest = world.query.events({"perPage": ["3"], "orderDirection": ["DESC"],
                               "nextPageToken": [first.next_page_token]})
    assert (rest.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0][
        "eventID"], rest.next_page_token) == ("urn:uuid:ship-1", None)
    with pytest.raises(QueryTooLargeException):
        world.ids(maxEventCount="3")
    assert world.ids(maxEventCount="3", EQ_action="OBSERVE", EQ_bizStep="inspecting") == [
        "urn:uuid:observe-1", "urn:uuid:observe-3"]
    with pytest.raises(QueryParameterException) as raised:
        world.ids(HASATTR_readPoint="name")
    assert [e.field for e in raised.value.errors] == ["HASATTR_readPoint"]
