"""Which standard queries could select lotline's own events (domain/epcis_own_scope): those
that cannot skip exporting them, so the rule must never rule out an event the export makes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lotline.domain import epcis
from lotline.domain.epcis_index import identifier
from lotline.domain.epcis_own_scope import OwnScope, own_scope, serial_number_of
from lotline.domain.epcis_query import parse_query

PEN = "https://id.gs1.org/01/09506000134376/21/"


def scope(**params: str) -> OwnScope:
    return own_scope(parse_query({name: [value] for name, value in params.items()}))


@given(st.text(min_size=1, max_size=30))
def test_an_own_unit_gives_back_its_serial_number_in_any_form(number: str) -> None:
    for gtin in ("09506000134376", None):
        for domain in ("https://id.gs1.org", "https://example.com/dl"):
            unit = identifier(epcis.unit_id(domain, gtin, "PEN", number, "acme"))
            assert serial_number_of(unit) == number


def test_conditions_no_own_event_meets_rule_them_out() -> None:
    assert scope(eventType="AggregationEvent,AssociationEvent") == OwnScope(False)
    assert scope(EQ_eventID="urn:uuid:q-1") == OwnScope(False)
    assert scope(MATCH_parentID=f"{PEN}A-1") == OwnScope(False)
    assert scope(MATCH_epc=f"{PEN}A-1", eventType="TransactionEvent") == OwnScope(False)


def test_an_exact_epc_asks_for_a_unit_so_numbered() -> None:
    assert scope(MATCH_epc=f"{PEN}A-1") == OwnScope(True, frozenset({"A-1"}))
    assert scope(MATCH_anyEPC=f"{PEN}OWN%2F7") == OwnScope(True, frozenset({"OWN/7"}))
    assert scope(MATCH_epc="urn:epc:id:sgtin:9506000.013437.B-2,"
                           "urn:lotline:acme:sku:PEN:serial:C-3") == OwnScope(
        True, frozenset({"B-2", "C-3"}))


def test_what_cannot_be_told_from_the_query_exports_them() -> None:
    assert scope() == OwnScope(True)
    assert scope(EQ_eventID="ni:///sha-256;abc?ver=CBV2.0") == OwnScope(True)
    assert scope(MATCH_epc="urn:epc:idpat:sgtin:9506000.013437.*") == OwnScope(True)
    assert scope(MATCH_epcClass="https://id.gs1.org/01/09506000134376/10/L-1") == \
        OwnScope(True)
    assert scope(eventType="ObjectEvent", EQ_bizStep="shipping") == OwnScope(True)
