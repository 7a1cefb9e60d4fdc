"""Every EPCIS standard query parameter lotline answers (EPCIS 2.0 §8.2.7.1, issue 15) selects
exactly the captured events it should, on SQLite and PostgreSQL: EPC patterns, places with
what lies within them, typed business transactions, sources and destinations, error
declarations, order and counts; a parameter lotline cannot answer is a QueryParameterException
naming it, and more events than maxEventCount a QueryTooLargeException."""

from __future__ import annotations

import pytest

from epcis_capture_kit import LETTUCE_GTIN, as_stream, document, make_buyer, observe_event
from epcis_query_kit import (
    ALL,
    CASES,
    OUR_SITE,
    REFUSED,
    TOO_LARGE,
    TOO_LARGE_MESSAGE,
    capture_query_events,
    case_id,
    ids_of,
    pen,
    result_ids,
)
from lotline.bootstrap import Services
from lotline.domain.epcis_query import QueryParameterException, QueryTooLargeException


@pytest.fixture
def captured(svc: Services) -> Services:
    return capture_query_events(svc)


def selected(svc: Services, params: dict[str, str]) -> list[str]:
    page = svc.epcis_query.events({k: [v] for k, v in params.items()})
    assert page.next_page_token is None
    return result_ids(page.document)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_parameter_selects_exactly_its_events(captured: Services,
                                                   case: tuple[dict[str, str], list[str]]
                                                   ) -> None:
    params, expected = case
    assert selected(captured, params) == expected


@pytest.mark.parametrize("case", REFUSED, ids=case_id)
def test_a_parameter_lotline_cannot_answer_is_named(captured: Services,
                                                     case: tuple[dict[str, str], str, str]
                                                     ) -> None:
    params, name, message = case
    with pytest.raises(QueryParameterException) as raised:
        captured.epcis_query.events({k: [v] for k, v in params.items()})
    assert [(e.field, e.message[:len(message)]) for e in raised.value.errors] == [
        (name, message)]


def test_more_events_than_max_event_count_is_too_large(captured: Services) -> None:
    with pytest.raises(QueryTooLargeException) as raised:
        captured.epcis_query.events({k: [v] for k, v in TOO_LARGE.items()})
    assert (raised.value.http_status, raised.value.message) == (413, TOO_LARGE_MESSAGE)
    narrowed = {**TOO_LARGE, "eventType": "ObjectEvent"}
    assert selected(captured, narrowed) == ["q-1", "q-2", "q-5", "ship-1"]


def pages(svc: Services, params: dict[str, str]) -> list[list[str]]:
    found: list[list[str]] = []
    token: str | None = None
    while True:
        page = svc.epcis_query.events({**{k: [v] for k, v in params.items()},
                                       **({"nextPageToken": [token]} if token else {})})
        found.append(result_ids(page.document))
        token = page.next_page_token
        if token is None:
            return found


def test_descending_pages_and_the_count_limit_hold_over_pages(captured: Services) -> None:
    assert pages(captured, {"orderDirection": "DESC", "perPage": "4"}) == [
        ALL[::-1][:4], ALL[::-1][4:]]
    assert pages(captured, {"eventCountLimit": "3", "perPage": "2"}) == [
        ["q-1", "q-2"], ["q-3"]]
    assert pages(captured, {"eventCountLimit": "4", "perPage": "2",
                            "orderDirection": "DESC"}) == [["ship-1", "q-5"], ["q-4", "q-3"]]
    first = captured.epcis_query.events({"orderDirection": ["DESC"], "perPage": ["1"]})
    assert first.next_page_token is not None
    with pytest.raises(QueryParameterException) as raised:
        captured.epcis_query.events({"nextPageToken": [first.next_page_token]})
    assert str(raised.value) == ("nextPageToken: belongs to a query in the other "
                                 "orderDirection")


def test_within_a_place_takes_its_name_literally(svc: Services) -> None:
    """`_` and `%` in a place's name are not SQL wildcards, and case counts (SQLite's LIKE
    would ignore it)."""
    make_buyer(svc)
    sites = ("MAIN_1", "MAINX1", "main_1", "M%25", "MQQ25")
    events = [observe_event(i) for i in range(len(sites))]
    for event, site in zip(events, sites, strict=True):
        event["readPoint"] = {"id": f"urn:lotline:acme:loc:{site}:BIN-1"}
    assert svc.epcis_capture.capture(as_stream(document(*events))).captured_count == 5
    within = {site: selected(svc, {"WD_readPoint": f"urn:lotline:acme:loc:{site}"})
              for site in ("MAIN_1", "M%25", "main_1")}
    assert within == {"MAIN_1": ["observe-0"], "M%25": ["observe-3"], "main_1": ["observe-2"]}


def test_our_own_events_answer_the_new_parameters_too(captured: Services) -> None:
    """lotline's own events (exported, matched in Python) and captured ones (SQL) answer the
    same conditions, merged in the order asked."""
    lettuce = captured.products.by_sku("LETTUCE")
    captured.batches.create(product_id=lettuce.id, batch_number="OWN-1", quantity=5)
    page = captured.epcis_query.events({"WD_readPoint": [OUR_SITE],
                                        "orderDirection": ["DESC"]})
    found = page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [(e["bizStep"], e["readPoint"]["id"]) for e in found] == [
        ("commissioning", f"{OUR_SITE}/254/STOCK"), ("inspecting", f"{OUR_SITE}/254/DOCK"),
        ("commissioning", f"{OUR_SITE}/254/LINE1")]
    own = found[0]["eventID"]
    assert own.startswith("ni:///sha-256;")
    assert ids_of(found[1:]) == ["q-2", "q-1"]
    assert selected(captured, {"eventCountLimit": "1", "orderDirection": "DESC"}) == [own]
    assert selected(captured, {"EQ_readPoint": f"{OUR_SITE}/254/STOCK"}) == [own]
    assert selected(captured, {"MATCH_epcClass": f"https://id.gs1.org/01/{LETTUCE_GTIN}/10/*",
                               "EQ_action": "ADD"}) == [own]


def test_a_query_by_epc_finds_our_own_units_and_skips_them_for_others(captured: Services
                                                                     ) -> None:
    """A query by EPC exports lotline's own events only when one of its units is numbered
    so: our units (a number needing percent-encoding included, and in EPC URN form) are found
    beside the captured events naming them, anything else answers the captured ones alone."""
    product = captured.products.by_sku("PEN")
    lot = captured.batches.create(product_id=product.id, batch_number="OWN-P", quantity=2)
    captured.serials.register_many(["A-1", "OWN/7 é"], batch_id=lot.id)

    def sources(params: dict[str, str]) -> list[str]:
        return sorted("own" if key.startswith("ni:///") else key
                      for key in selected(captured, params))

    assert sources({"MATCH_epc": pen("A-1")}) == ["own", "q-1", "q-3"]
    assert sources({"MATCH_anyEPC": "urn:epc:id:sgtin:9506000.013437.A-1"}) == [
        "own", "q-1", "q-3"]
    assert sources({"MATCH_epc": pen("OWN%2F7%20%C3%A9")}) == ["own"]
    assert sources({"MATCH_epc": pen("A-2")}) == ["q-1"]
    assert sources({"MATCH_anyEPC": pen("C-1")}) == ["q-4"]
    assert sources({"MATCH_epc": pen("A-1"), "EQ_eventID": "urn:uuid:q-1"}) == ["q-1"]
    assert sources({"MATCH_parentID": pen("A-1")}) == []
