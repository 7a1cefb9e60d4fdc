"""Object events made from the template of their shape (domain.epcis_shapes, a drill's 40,000
shipments) are `object_event`'s, byte for byte, and hash as whole events: whatever differs
(time, units, customer, order) changes the eventID as it changes `event_hash`. And the short
cut for EPC lists of our own URNs (epcis_hash._own_forms) renders them as the long way does,
whatever near-misses (blanks, EPC URNs, old CBV URNs, vocabulary words) the list holds."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lotline.domain import epcis
from lotline.domain.epcis import Where
from lotline.domain.epcis_hash import (
    EPCS,
    _endings,
    _epc_text,
    _member,
    _ordered,
    _own_forms,
    _swap,
    _text,
    canonical_value,
    event_hash,
)
from lotline.domain.epcis_shapes import ObjectEventShape

MOMENTS = [dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.UTC),
           dt.datetime(2026, 7, 1, 23, 59, 59, tzinfo=dt.UTC)]
SITE = [("location", "https://id.gs1.org/414/4012345000009")]
UNITS = [["urn:lotline:acme:sku:X:serial:1", "urn:lotline:acme:sku:X:serial:2"],
         ["urn:lotline:acme:sku:X:serial:shipping"],
         ["https://example.com/01/09506000134352/21/007", "urn:lotline:acme:sku:X:serial:3"],
         ["urn:epc:id:sgtin:0614141.107346.2017"]]


def _customer(code: str, gln: str | None) -> list[tuple[str, str]]:
    party = [("owning_party", f"urn:lotline:acme:customer:{code}")]
    return party + ([("location", f"https://id.gs1.org/414/{gln}")] if gln else [])


@pytest.mark.parametrize("timezone", ["UTC", "Europe/Lisbon"])
@pytest.mark.parametrize("gln", [None, "4012345000016"])
def test_events_of_a_shape_are_object_events_byte_for_byte(timezone: str,
                                                           gln: str | None) -> None:
    first = Where(read_point="urn:lotline:acme:loc:MAIN:A-1", sources=SITE,
                  destinations=_customer("BOLT", gln),
                  transactions=[(epcis.SALES_ORDER, "urn:lotline:acme:order:SO-1")])
    shape = ObjectEventShape(action="OBSERVE", biz_step="shipping", disposition="in_transit",
                             where=first, timezone=timezone)
    ids = set()
    for moment in MOMENTS:
        for epcs in UNITS:
            for code in ("BOLT", "shipping", "007"):  # each customer met again
                for order in ("SO-1", "in_transit", "SO-2"):
                    where = Where(read_point=first.read_point, sources=SITE,
                                  destinations=_customer(code, gln),
                                  transactions=[(epcis.SALES_ORDER,
                                                 f"urn:lotline:acme:order:{order}")])
                    expected = epcis.object_event(
                        moment=moment, action="OBSERVE", biz_step="shipping",
                        disposition="in_transit", epcs=epcs, quantities=[], where=where,
                        timezone=timezone)
                    made = shape.event(moment, epcs, where.destinations, where.transactions)
                    assert json.dumps(made) == json.dumps(expected)
                    assert made["eventID"] == event_hash(
                        {k: v for k, v in made.items() if k != "eventID"})
                    ids.add(made["eventID"])
    assert len(ids) == 2 * 4 * 3 * 3  # one field differing is another hash


def test_events_without_order_or_customer_are_their_own_shape() -> None:
    where = Where(read_point="urn:lotline:acme:loc:MAIN:A-1", sources=SITE)
    shape = ObjectEventShape(action="OBSERVE", biz_step="shipping", disposition="in_transit",
                             where=where, timezone="UTC")
    made = shape.event(MOMENTS[0], UNITS[0], [], [])
    expected = epcis.object_event(moment=MOMENTS[0], action="OBSERVE", biz_step="shipping",
                                  disposition="in_transit", epcs=UNITS[0], quantities=[],
                                  where=where)
    assert json.dumps(made) == json.dumps(expected)
    assert "bizTransactionList" not in made and "destinationList" not in made


NEAR_MISSES = [[" urn:lotline:a:1"], ["urn:lotline:a:1 "], ["urn:lotline:a:1\u2003"],
               ["urn:lotline:a:1", " urn:lotline:a:2"], ["urn:lotline:a:1 ", "urn:lotline:a:2"],
               ["urn:lotline:a:1 urn:lotline:a:2"], ["urn:lotline:a:1", ""],
               ["urn:epc:id:sgtin:0614141.107346.2017", "urn:lotline:a:1"],
               ["urn:lotline:a:urn:epcglobal:cbv:bizstep:shipping"],
               ["shipping", "urn:lotline:a:1"], ["urn:lotline:a:1", "007"],
               ["https://example.com/01/09506000134352/21/007"]]


@pytest.mark.parametrize("epcs", NEAR_MISSES)
def test_near_misses_of_own_urns_take_the_long_way(epcs: list[str]) -> None:
    endings = _endings(frozenset({"https://ref.gs1.org/cbv/BizStep-shipping"}))
    assert not _own_forms(epcs, endings)
    assert _ordered("epcList", EPCS, epcs, endings) == "epcList" + "".join(
        sorted(_epc_text(item, endings) for item in epcs))


def test_own_urns_render_as_the_long_way_renders_them() -> None:
    endings = _endings(frozenset({"https://ref.gs1.org/cbv/BizStep-shipping"}))
    epcs = ["urn:lotline:acme:sku:X:serial:B", "urn:lotline:acme:sku:X:serial:A%20B",
            "urn:lotline:acme:sku:Y:serial:007", "urn:lotline:acme:sku:X:serial:A"]
    assert _own_forms(epcs, endings)
    assert _ordered("epcList", EPCS, epcs, endings) == "epcList" + "".join(
        sorted(_epc_text(item, endings) for item in epcs))


@pytest.mark.parametrize("item", ["urn:lotline:acme:order:SO-1", "urn:lotline:acme:order:007",
                                  " urn:lotline:acme:order:SO-1", "urn:lotline:a:b\t",
                                  "urn:epc:id:sgln:0614141.00777.0", "shipping", "007",
                                  "urn:lotline:a:urn:epcglobal:cbv:btt:po", ""])
def test_pair_members_in_their_own_form_render_as_the_long_way(item: str) -> None:
    endings = _endings(frozenset({"https://ref.gs1.org/cbv/BizStep-shipping"}))
    text = _text(_swap(item, endings))
    assert _member("source", item, endings) == (f"source={canonical_value(text)}" if text
                                                else "source")


def test_shape_events_hash_as_the_reference_implementation_hashes_them() -> None:
    # A dev dependency: imported, not skipped when missing (the check is the issue's).
    from epcis_event_hash_generator import hash_generator as generator
    from epcis_event_hash_generator import json_to_py
    where = Where(read_point="urn:lotline:acme:loc:MAIN:A-1", sources=SITE,
                  destinations=_customer("BOLT", "4012345000016"),
                  transactions=[(epcis.SALES_ORDER, "urn:lotline:acme:order:SO-1")])
    shape = ObjectEventShape(action="OBSERVE", biz_step="shipping", disposition="in_transit",
                             where=where, timezone="Europe/Lisbon")
    events = [shape.event(moment, epcs, _customer(code, "4012345000016"),
                          [(epcis.SALES_ORDER, f"urn:lotline:acme:order:{order}")])
              for moment in MOMENTS for epcs in UNITS for code, order in
              (("BOLT", "SO-1"), ("shipping", "in_transit"), ("007", "007"))]
    document = epcis.document(events, MOMENTS[0])
    parsed = json_to_py.event_list_from_epcis_document_json(json.loads(json.dumps(document)))
    expected = generator.calculate_hashes_from_pre_hashes(
        generator.derive_prehashes_from_events(parsed))
    assert [event["eventID"] for event in events] == expected
    assert len(set(expected)) == len(events)
