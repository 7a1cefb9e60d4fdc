"""lotline's EPCIS event hash (domain.epcis_hash) against the reference implementation
`epcis-event-hash-generator`: the same pre-hash strings for the official example events, and
the same canonical form of GS1 identifiers (URNs, Digital Links on any domain)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from epcis_event_hash_generator import hash_generator as generator
from epcis_event_hash_generator import json_to_py
from epcis_event_hash_generator.dl_normaliser import normaliser

from lotline.domain.epcis_hash import event_hash, pre_hash
from lotline.domain.epcis_uri import canonical_gs1_uri

EPCIS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "epcis"
# Sensor reports (sensorElementList) and the rarer GS1 keys in URN form (GRAI, GIAI, GSRN,
# GDTI...) are not canonicalised yet: lotline writes none of them.
NOT_YET = {"object_event_all_possible_fields.jsonld"}

URIS = [
    "https://id.gs1.org/01/09506000134352/21/GB-001",
    "https://example.com/01/09506000134352/21/GB-001",
    "https://example.com/shop/01/9506000134352/10/L1?x=1",
    "https://id.gs1.org/01/09506000134352/10/L1/21/S1",
    "https://id.gs1.org/01/09506000134352/21/A%2FB",
    "https://id.gs1.org/01/09506000134352/22/V1/21/S1",
    "https://id.gs1.org/gtin/09506000134352/lot/L1",
    "https://id.gs1.org/414/4012345000009/254/STOCK",
    "https://id.gs1.org/414/4012345000009",
    "https://id.gs1.org/417/0614141000005",
    "https://id.gs1.org/00/106141412345678908",
    "urn:epc:id:sgtin:0614141.107346.2017",
    "urn:epc:class:lgtin:4012345.012345.998877",
    "urn:epc:id:sgln:0614141.00777.0",
    "urn:epc:id:sgln:0012345.11111.400",
    "urn:epc:id:pgln:0614141.00777",
    "urn:epc:id:sscc:0614141.1234567890",
    "urn:epc:idpat:sgtin:4012345.098765.*",
    "urn:lotline:acme:sku:PEN:serial:P-1",
    "urn:lotline:id.gs1.org:loc:MAIN:STOCK",
    "https://ref.gs1.org/cbv/BizStep-shipping",
    "2026-04-10",
]


@pytest.mark.parametrize("uri", URIS)
def test_identifiers_are_canonicalised_as_the_reference_does(uri: str) -> None:
    assert canonical_gs1_uri(uri) == normaliser(uri)


def _examples() -> list[Path]:
    return sorted(EPCIS.glob("examples/*.jsonld")) + sorted(EPCIS.glob("handmade/valid-*.json"))


@pytest.mark.skipif(not EPCIS.exists(), reason=f"no EPCIS conformance material in {EPCIS}")
def test_the_official_examples_hash_as_the_reference_hashes_them() -> None:
    compared = 0
    logging.disable(logging.WARNING)
    try:
        for path in _examples():
            if path.name in NOT_YET:
                continue
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            events = document["epcisBody"]["eventList"]
            parsed = json_to_py.event_list_from_epcis_document_json(json.loads(json.dumps(
                document)))
            expected = generator.derive_prehashes_from_events(parsed)
            hashes = generator.calculate_hashes_from_pre_hashes(expected)
            context = document.get("@context")
            assert [pre_hash(e, context) for e in events] == expected, path.name
            assert [event_hash(e, context) for e in events] == hashes, path.name
            compared += len(events)
    finally:
        logging.disable(logging.NOTSET)
    assert compared == 7
