"""EPCIS recordTime (EPCIS 2.0: when the repository recorded the event), on SQLite and
PostgreSQL: a captured event gets the time of its capture (a recordTime it came with is the
sender's, and replaced), lotline's own events the time the ledger recorded them; the query
answers it and filters by GE_recordTime / LT_recordTime; its eventID does not change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flow_support import MovableClock

from epcis_capture_kit import Buyer, as_stream, document, make_buyer, observe_event
from lotline.domain.epcis_query import QueryParameterException

START = dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def recorded(database: Any) -> tuple[Buyer, MovableClock]:
    """A lot registered at 12:00 (our own commissioning event), one event captured at 13:00
    and another, which carries its sender's recordTime, at 14:00."""
    clock = MovableClock(START)
    buyer = make_buyer(database.services(clock=clock))
    buyer.svc.batches.create(product_id=buyer.ids["lettuce"], batch_number="OWN-1", quantity=5)
    clock.advance(hours=1)
    first = buyer.svc.epcis_capture.capture(as_stream(document(observe_event(1))))
    clock.advance(hours=1)
    theirs = {**observe_event(2), "recordTime": "2001-01-01T00:00:00.000Z"}
    second = buyer.svc.epcis_capture.capture(as_stream(document(theirs)))
    assert (first.captured_count, second.captured_count) == (1, 1)
    return buyer, clock


def answered(buyer: Buyer, **params: str) -> list[tuple[str, str]]:
    page = buyer.svc.epcis_query.events({name: [value] for name, value in params.items()})
    events = page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [(event.get("bizStep", ""), event["recordTime"]) for event in events]


def test_every_answered_event_carries_when_it_was_recorded(
        recorded: tuple[Buyer, MovableClock]) -> None:
    buyer, _clock = recorded
    assert answered(buyer) == [
        ("inspecting", "2026-04-10T13:00:00.000Z"), ("inspecting", "2026-04-10T14:00:00.000Z"),
        ("commissioning", "2026-04-10T12:00:00.000Z")]  # in eventTime order (9:01, 9:02, 12:00)


def test_record_time_bounds_select_what_was_recorded_in_them(
        recorded: tuple[Buyer, MovableClock]) -> None:
    buyer, _clock = recorded
    assert answered(buyer, GE_recordTime="2026-04-10T14:00:00Z") == [
        ("inspecting", "2026-04-10T14:00:00.000Z")]
    assert answered(buyer, LT_recordTime="2026-04-10T14:00:00Z") == [
        ("inspecting", "2026-04-10T13:00:00.000Z"), ("commissioning", "2026-04-10T12:00:00.000Z")]
    assert answered(buyer, GE_recordTime="2026-04-10T12:30:00+00:00",
                    LT_recordTime="2026-04-10T15:00:00+01:00") == [
        ("inspecting", "2026-04-10T13:00:00.000Z")]  # 15:00+01:00 is 14:00 UTC, excluded
    assert answered(buyer, GE_recordTime="2026-04-10T14:00:00.001Z") == []


def test_the_event_id_and_the_rest_of_the_event_are_as_captured(
        recorded: tuple[Buyer, MovableClock]) -> None:
    buyer, _clock = recorded
    page = buyer.svc.epcis_query.events({"EQ_eventID": ["urn:uuid:observe-2"]})
    (event,) = page.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert event == {**observe_event(2), "recordTime": "2026-04-10T14:00:00.000Z"}
    assert list(event)[:5] == ["type", "eventID", "eventTime", "eventTimeZoneOffset",
                               "recordTime"]


def test_a_record_time_that_is_not_a_time_is_a_query_parameter_exception(
        recorded: tuple[Buyer, MovableClock]) -> None:
    buyer, _clock = recorded
    with pytest.raises(QueryParameterException) as refused:
        buyer.svc.epcis_query.events({"GE_recordTime": ["yesterday"],
                                      "LT_recordTime": ["2026-04-10T14:00:00Z"]})
    assert [(e.field, e.value) for e in refused.value.errors] == [
        ("GE_recordTime", ["yesterday"])]  # every value given, as for each parameter
