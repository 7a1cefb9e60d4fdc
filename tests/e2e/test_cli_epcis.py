"""`lotline epcis capture FILE` and `lotline epcis query NAME=VALUE...` (issue 15): a
supplier's shipment captured from a file becomes an ASN, a bad document is one error line,
the query takes the standard parameters and names unknown ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_kit import Run, data_error, make_cli, ok, usage_error

import lotline
from epcis_capture_kit import Buyer, document, make_buyer, observe_event, shipping_event


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def cli(db_url: str) -> Run:
    run = make_cli(db_url)
    ok(run("db", "upgrade"))
    return run


@pytest.fixture
def buyer(cli: Run, db_url: str) -> Buyer:
    return make_buyer(lotline.create_services(db_url, "default"))


def write(path: Path, doc: dict[str, Any]) -> str:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def events_of(output: str) -> list[dict[str, Any]]:
    return json.loads(output)["epcisBody"]["queryResults"]["resultsBody"]["eventList"]  # type: ignore[no-any-return]


def test_capture_a_shipment_then_query_it(cli: Run, buyer: Buyer, tmp_path: Path) -> None:
    source = write(tmp_path / "ship.jsonld", document(shipping_event(), observe_event(1)))
    job = json.loads(ok(cli("epcis", "capture", source)))
    assert (job["success"], job["eventCount"], job["capturedCount"]) == (True, 2, 2)
    receipts = ok(cli("receipts", "list"))
    assert "DA-77" in receipts
    again = json.loads(ok(cli("epcis", "capture", source)))
    assert (again["success"], again["capturedCount"]) == (True, 0)
    shipping = events_of(ok(cli("epcis", "query", "EQ_bizStep=shipping")))
    assert [e["eventID"] for e in shipping] == ["urn:uuid:ship-1"]
    assert [e["eventID"] for e in events_of(ok(cli(
        "epcis", "query", "MATCH_epc=urn:epc:id:sgtin:9506000.013437.P-001")))] == [
        "urn:uuid:ship-1"]
    first = cli("epcis", "query", "perPage=1")
    assert first.exit_code == 0
    assert [e["eventID"] for e in events_of(first.stdout)] == ["urn:uuid:ship-1"]
    assert first.stderr.startswith("more: nextPageToken=")
    every = events_of(ok(cli("epcis", "query", "perPage=1", "--all")))
    assert [e["eventID"] for e in every] == ["urn:uuid:ship-1", "urn:uuid:observe-1"]


def test_bad_documents_and_parameters_are_one_line(cli: Run, buyer: Buyer,
                                                   tmp_path: Path) -> None:
    bad = observe_event(1)
    bad["action"] = "add"
    message = data_error(cli("epcis", "capture", write(tmp_path / "bad.json", document(bad))))
    assert message == ("error: validation_error: $.epcisBody.eventList[0].action: 'add' is "
                       "not one of ['OBSERVE', 'ADD', 'DELETE']\n")
    unknown = shipping_event()
    unknown["epcList"] = ["https://id.gs1.org/01/09506000134390/21/X-1"]
    failed = data_error(cli("epcis", "capture", write(tmp_path / "u.json", document(unknown))))
    assert failed.startswith("error: capture_failed: capture ")
    assert failed.endswith("1 error, nothing stored; $.epcisBody.eventList[0].epcList[0]: "
                           "GTIN 09506000134390 is not one of our products\n")
    assert events_of(ok(cli("epcis", "query"))) == []
    assert data_error(cli("epcis", "query", "EQ_bizStepp=shipping")) == (
        "error: QueryParameterException: EQ_bizStepp: is not a query parameter lotline "
        "supports\n")
    assert "NAME=VALUE" in usage_error(cli("epcis", "query", "shipping"))
    assert "not a readable file" in usage_error(cli("epcis", "capture", str(tmp_path / "no")))


def test_the_query_answers_our_own_events_too(cli: Run, buyer: Buyer) -> None:
    ok(cli("batches", "create", "--product", "LETTUCE", "--number", "OWN-1", "--quantity",
           "5"))
    own = events_of(ok(cli("epcis", "query", "EQ_bizStep=commissioning")))
    assert [(e["action"], e["quantityList"]) for e in own] == [
        ("ADD", [{"epcClass": "https://id.gs1.org/01/09506000134352/10/OWN-1",
                  "quantity": 5, "uom": "EA"}])]
