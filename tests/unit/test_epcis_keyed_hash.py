"""`keyed_event_hash` (what object events use: the properties they share rendered once per
key) gives exactly `event_hash`, whatever the events' strings: words of the vocabulary as
order references or serial numbers, shared and distinct times, units and lot quantities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.domain import epcis
from lotline.domain.epcis import Where
from lotline.domain.epcis_hash import event_hash

MOMENTS = [dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.UTC),
           dt.datetime(2026, 7, 1, 23, 59, 59, tzinfo=dt.UTC)]


@pytest.mark.parametrize("reference", ["SO-1", "shipping", "in_transit", "location", "007"])
@pytest.mark.parametrize("timezone", ["UTC", "Europe/Lisbon"])
def test_object_events_of_one_key_hash_as_the_whole_event(reference: str,
                                                         timezone: str) -> None:
    places = [Where(read_point="https://id.gs1.org/414/4012345000009/254/A-1",
                    sources=[("location", "https://id.gs1.org/414/4012345000009")],
                    destinations=[("owning_party", f"urn:lotline:acme:customer:{customer}"),
                                  ("location", "https://id.gs1.org/414/4012345000016")],
                    transactions=[(epcis.SALES_ORDER, f"urn:lotline:acme:order:{reference}")])
              for customer in ("shipping", "BOLT")]  # differing in one property only
    units = [[], ["urn:lotline:acme:sku:X:serial:shipping", "urn:lotline:acme:sku:X:serial:2"],
             ["https://example.com/01/09506000134352/21/007"]]
    lots = [[], [epcis.quantity_element("https://id.gs1.org/01/09506000134352/10/L1",
                                        Decimal("2.50"), "KGM")]]
    made = 0
    for moment, where in [(m, w) for m in MOMENTS * 2 for w in places]:  # each met again
        for epcs in units:
            for quantities in lots:
                event = epcis.object_event(
                    moment=moment, action="OBSERVE", biz_step="shipping",
                    disposition="in_transit", epcs=epcs, quantities=quantities, where=where,
                    timezone=timezone)
                assert event["eventID"] == event_hash(
                    {k: v for k, v in event.items() if k != "eventID"})
                assert list(event)[:2] == ["type", "eventID"]
                made += 1
    assert made == 48


def test_lot_data_and_its_absence_are_told_apart() -> None:
    where = Where(read_point="urn:lotline:acme:loc:MAIN:A-1")
    events = [epcis.object_event(moment=MOMENTS[0], action=action, biz_step="receiving",
                                 disposition="in_progress",
                                 epcs=["urn:lotline:acme:sku:X:serial:1"], quantities=[],
                                 where=where, lot_data=lot_data)
              for action in ("ADD", "OBSERVE")
              for lot_data in ({"cbvmda:lotNumber": "L1"}, {"cbvmda:lotNumber": "L2"}, None)]
    for event in events:
        assert event["eventID"] == event_hash(
            {k: v for k, v in event.items() if k != "eventID"})
    assert len({event["eventID"] for event in events}) == 4  # OBSERVE events carry no ilmd


@pytest.mark.parametrize("supplier", ["ilmd", "zz", "00", "receiving"])
def test_pairs_of_one_key_sort_with_the_lot_data(supplier: str) -> None:
    """Events of one key (the pairs' types, not their ids) whose pairs render before or
    after their `ilmd` in the sorted rest, met again and again."""
    events = [epcis.object_event(
        moment=MOMENTS[0], action="ADD", biz_step="receiving", disposition="in_progress",
        epcs=[f"urn:lotline:acme:sku:X:serial:{n}"], quantities=[],
        where=Where(read_point="urn:lotline:acme:loc:MAIN:A-1",
                    sources=[("owning_party", f"urn:lotline:acme:supplier:{code}")],
                    transactions=[(epcis.ASN, f"urn:lotline:acme:receipt:{code}-{n}")]),
        lot_data={"cbvmda:lotNumber": "L1"})
        for n in range(3) for code in (supplier, "A", supplier)]
    for event in events:
        assert event["eventID"] == event_hash(
            {k: v for k, v in event.items() if k != "eventID"})
    assert len({event["eventID"] for event in events}) == 6
