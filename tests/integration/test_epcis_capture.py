"""EPCIS capture (issue 15 item 3, DESIGN §9) on SQLite and PostgreSQL: the official examples
captured and queried back; a supplier's shipping event addressed to us becomes an ASN that is
then received by scanning; schema errors (422 with JSON paths) and `rollback` store nothing;
capturing the same events again is idempotent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from epcis_capture_kit import (
    EPCIS,
    PEN_GTIN,
    Buyer,
    as_stream,
    document,
    make_buyer,
    observe_event,
    shipping_event,
)
from lotline.bootstrap import Services
from lotline.domain.errors import NotFound, PermissionDenied, ValidationError
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor

EXAMPLES = sorted((EPCIS / "examples").glob("*.jsonld")) if EPCIS.exists() else []
needs_examples = pytest.mark.skipif(
    not EXAMPLES, reason=f"the GS1 EPCIS examples are not in {EPCIS} (shared/standards, beside "
                         "the repository; LOTLINE_TEST_SHARED names another place)")
PEN = f"https://id.gs1.org/01/{PEN_GTIN}/21"
SECOND_ADVICE = "urn:epcglobal:cbv:bt:0614141000005:DA-78"


@pytest.fixture
def buyer(svc: Services) -> Buyer:
    return make_buyer(svc)


def query(svc: Services, **params: str) -> list[dict[str, Any]]:
    """The events answered, without the recordTime the repository adds (tests of
    test_epcis_record_time.py check it)."""
    page = svc.epcis_query.events({k: [v] for k, v in params.items()})
    found = page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert all("recordTime" in event for event in found)
    return [{k: v for k, v in event.items() if k != "recordTime"} for event in found]


@needs_examples
def test_the_official_examples_are_captured_and_queried_back(buyer: Buyer) -> None:
    svc = buyer.svc
    captured = 0
    for path in EXAMPLES:
        job = svc.epcis_capture.capture(path.open("rb"))
        assert (job.success, job.errors, job.running) == (True, [], False), path.name
        assert job.event_count == job.captured_count
        captured += job.captured_count
    assert captured == 7
    originals = [event for path in EXAMPLES for event in json.loads(
        path.read_text(encoding="utf-8"))["epcisBody"]["eventList"]]
    shipping = query(svc, EQ_bizStep="shipping")
    assert len(shipping) == 2
    assert sorted(map(json.dumps, shipping)) == sorted(
        json.dumps(e) for e in originals if e.get("bizStep") == "shipping")
    by_urn = query(svc, MATCH_epc="urn:epc:id:sgtin:0614141.107346.2018")
    assert [(e["type"], e["eventTime"]) for e in by_urn] == [
        ("ObjectEvent", "2005-04-03T20:33:31.116000-06:00"),
        ("ObjectEvent", "2005-04-04T20:33:31.116-06:00"),
        ("ObjectEvent", "2005-04-05T02:33:31.116Z"),
        ("AggregationEvent", "2013-06-08T14:58:56.591Z")]  # childEPCs
    # An EPC URN finds the events that name the same unit as a Digital Link.
    by_link = query(svc, MATCH_epc="urn:epc:id:sgtin:0614141.712345.2018")
    assert [e["epcList"][-1] for e in by_link] == [
        "https://id.gs1.org/01/70614141123451/21/2018"] * 2
    window = query(svc, GE_eventTime="2005-04-04T02:33:31Z", LT_eventTime="2005-04-04T02:33:32Z")
    assert len(window) == 2
    original = json.loads((EPCIS / "examples/Example_9.6.4-TransformationEvent.jsonld")
                          .read_text(encoding="utf-8"))["epcisBody"]["eventList"][0]
    assert query(svc, eventType="TransformationEvent") == [original]


def test_a_suppliers_shipping_event_becomes_an_asn_received_by_scanning(buyer: Buyer) -> None:
    svc = buyer.svc
    job = svc.epcis_capture.capture(as_stream(document(shipping_event())))
    assert (job.success, job.captured_count, len(job.receipt_ids)) == (True, 1, 1)
    receipt = svc.receipts.get(job.receipt_ids[0])
    assert (receipt.reference, receipt.supplier_id, receipt.status) == (
        "DA-77", buyer.ids["farm"], "open")
    lines = {line.product_id: line for line in receipt.lines}
    assert lines[buyer.ids["pen"]].expected_quantity == 2
    assert sorted(lines[buyer.ids["pen"]].expected_serials) == ["P-001", "P-002"]
    assert lines[buyer.ids["lettuce"]].expected_quantity == 30
    assert job.expected_lots == [{"receipt_id": receipt.id, "product_id": buyer.ids["lettuce"],
                                  "lot": "L-7", "quantity": "30"}]
    received = svc.receipts.receive(receipt.id, [
        {"line_id": lines[buyer.ids["pen"]].id,
         "lots": [{"batch_number": "P-LOT", "serial_numbers": ["P-001", "P-002"]}]},
        {"line_id": lines[buyer.ids["lettuce"]].id,
         "lots": [{"batch_number": "L-7", "quantity": 30}]}])
    assert received.status == "received"
    assert svc.serials.lookup("P-001").status.value == "RECEIVED"


def test_a_shipping_event_for_someone_else_is_only_stored(buyer: Buyer) -> None:
    svc = buyer.svc
    job = svc.epcis_capture.capture(as_stream(document(
        shipping_event(destination="9521000000018"))))
    assert (job.success, job.captured_count, job.receipt_ids) == (True, 1, [])
    assert svc.receipts.list().items == []


def test_one_bad_event_rolls_back_the_whole_capture(buyer: Buyer) -> None:
    svc = buyer.svc
    unknown = shipping_event(event_id="urn:uuid:ship-2", desadv=SECOND_ADVICE)
    unknown["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/09506000134390/10/X"
    job = svc.epcis_capture.capture(as_stream(document(
        observe_event(1), shipping_event(), unknown)))
    assert (job.success, job.captured_count, job.receipt_ids) == (False, 0, [])
    assert job.errors == [{"path": "$.epcisBody.eventList[2].quantityList[0]",
                           "message": "GTIN 09506000134390 is not one of our products"}]
    assert svc.receipts.list().items == []
    assert query(svc) == []
    assert svc.epcis_capture.job(job.id) == job


def test_proceed_keeps_the_good_events(buyer: Buyer) -> None:
    svc = buyer.svc
    unknown = shipping_event(event_id="urn:uuid:ship-2", desadv=SECOND_ADVICE)
    unknown["sourceList"] = [{"type": "owning_party",
                              "source": "https://id.gs1.org/417/9521000000018"}]
    job = svc.epcis_capture.capture(as_stream(document(observe_event(1), unknown)), "proceed")
    assert (job.success, job.captured_count) == (False, 1)
    assert [e["path"] for e in job.errors] == ["$.epcisBody.eventList[1].sourceList"]
    assert [e["eventID"] for e in query(svc)] == ["urn:uuid:observe-1"]


def test_schema_errors_are_listed_with_their_paths_and_nothing_is_stored(buyer: Buyer) -> None:
    svc = buyer.svc
    bad = observe_event(2)
    del bad["eventTime"]
    worse = observe_event(3)
    worse["action"] = "add"
    with pytest.raises(ValidationError) as raised:
        svc.epcis_capture.capture(as_stream(document(observe_event(1), bad, worse)))
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("$.epcisBody.eventList[1]", "'eventTime' is a required property"),
        ("$.epcisBody.eventList[2].action", "'add' is not one of ['OBSERVE', 'ADD', 'DELETE']")]
    assert query(svc) == []


def test_capturing_the_same_events_again_changes_nothing(buyer: Buyer) -> None:
    svc = buyer.svc
    no_id = observe_event(4)
    del no_id["eventID"]
    doc = document(observe_event(1), no_id, shipping_event())
    first = svc.epcis_capture.capture(as_stream(doc))
    again = svc.epcis_capture.capture(as_stream(doc))
    assert (first.captured_count, again.captured_count, again.success) == (3, 0, True)
    assert again.receipt_ids == []
    assert len(svc.receipts.list().items) == 1
    assert len(query(svc)) == 3
    twice = svc.epcis_capture.capture(as_stream(document(observe_event(5), observe_event(5))))
    assert twice.captured_count == 1


def test_an_unknown_capture_is_not_found(svc: Services) -> None:
    with pytest.raises(NotFound, match="capture_id"):
        svc.epcis_capture.job("nope")


def test_a_viewer_queries_but_cannot_capture(buyer: Buyer) -> None:
    svc = buyer.svc
    svc.epcis_capture.capture(as_stream(document(observe_event(1))))
    viewer = svc.acting_as(Actor(org_id=svc.org_id, name="v", role=Role.VIEWER))
    with pytest.raises(PermissionDenied, match="capturing EPCIS events needs the manager role"):
        viewer.epcis_capture.capture(as_stream(document(observe_event(2))))
    assert [e["eventID"] for e in query(viewer)] == ["urn:uuid:observe-1"]


def test_a_capture_leaves_sqlite_the_statistics_that_make_a_query_by_epc_a_lookup(
        buyer: Buyer) -> None:
    """Without statistics SQLite answers MATCH_epc by walking every event in time order (over
    1 s at 100,000 events, bench_epcis); after a capture they are there."""
    svc = buyer.svc
    job = svc.epcis_capture.capture(as_stream(document(*(observe_event(n)
                                                         for n in range(30)))))
    assert (job.success, job.captured_count) == (True, 30)
    assert [e["eventID"] for e in query(svc, MATCH_epc=f"{PEN}/S-7")] == [
        "urn:uuid:observe-7"]
    if svc.engine.dialect.name != "sqlite":
        return  # PostgreSQL's autovacuum keeps its own statistics
    with svc.engine.connect() as conn:
        analyzed = {(row[0], row[1]) for row in conn.exec_driver_sql(
            "SELECT tbl, idx FROM sqlite_stat1")}
    # Each index the EPC query chooses between has its statistics (their numbers are sampled
    # estimates once a table outgrows analysis_limit, so only their presence is certain).
    assert {("epcis_events", "ix_epcis_events_org_id_event_time_event_key"),
            ("epcis_event_refs", "ix_epcis_event_refs_org_id_value")} <= analyzed
