"""The streamed reading of EPCIS documents (files/epcis_stream) and the event-by-event schema
check (files/epcis_schema): the same events as json.load at any chunk size, syntax errors
named by JSON path, and the same verdicts as validating the whole document at once."""

from __future__ import annotations

import io
import json

import pytest

from epcis_capture_kit import EPCIS, document, observe_event
from lotline.files.epcis_schema import document_issues, event_issues
from lotline.files.epcis_stream import DocumentSyntaxError, EpcisDocumentStream

MANIFEST = EPCIS / "manifest.json"


def read(text: bytes, chunk: int = 5) -> tuple[list[object], dict[str, object]]:
    stream = EpcisDocumentStream(io.BytesIO(text), chunk=chunk)
    events = [event for _index, event in stream.events()]
    return events, stream.header


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 16])
def test_any_chunk_size_reads_what_json_load_reads(chunk: int) -> None:
    doc = document(observe_event(1), observe_event(2))
    doc["epcisHeader"] = {"note": 'é ü 漢字 "quoted" ]},'}
    doc["epcisBody"]["extra:n"] = 12345678901234567890
    text = json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")
    events, header = read(b"\xef\xbb\xbf" + text, chunk)
    assert events == doc["epcisBody"]["eventList"]
    assert header == {**doc, "epcisBody": {"eventList": [], "extra:n": 12345678901234567890}}


@pytest.mark.parametrize(("text", "path", "message"), [
    (b'{"epcisBody": {"eventList": [{"type": 1}, {"type": ', "$.epcisBody.eventList[1]",
     "invalid JSON: Expecting value"),
    (b'{"epcisBody": {"eventList": [{}] } } x', "$", "text after the end of the document"),
    (b'{"type": "EPCISDocument"}', "$.epcisBody.eventList", "is required"),
    (b'[1, 2]', "$", "expected '{', found '['"),
    (b'{"epcisBody": {"eventList": [{} {}]}}', "$.epcisBody.eventList",
     "expected ',' or ']', found '{'"),
    (b'{"a": "\xff"}', "$", "not UTF-8 text (invalid start byte)"),
])
def test_syntax_errors_name_their_path(text: bytes, path: str, message: str) -> None:
    with pytest.raises(DocumentSyntaxError) as raised:
        read(text)
    assert (raised.value.path, raised.value.message) == (path, message)


@pytest.mark.skipif(not MANIFEST.exists(), reason=f"no EPCIS conformance material in {EPCIS}")
def test_event_by_event_gives_the_manifests_verdicts() -> None:
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for entry in entries:
        stream = EpcisDocumentStream((EPCIS / entry["file"]).open("rb"))
        issues = [issue for index, event in stream.events()
                  for issue in event_issues(event, index)]
        issues += document_issues(stream.header)
        assert (not issues) == entry["valid"], (entry["file"], issues)


def test_an_unprefixed_extension_field_is_named() -> None:
    event = {**observe_event(1), "lot": "L-1"}
    assert [(i.path, i.message) for i in event_issues(event, 4)] == [
        ("$.epcisBody.eventList[4]", "'lot' is not valid under any of the given schemas")]
