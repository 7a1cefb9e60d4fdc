"""The signed checkpoint document (issue 17): canonical text, and read back only when its
digest matches the streams it lists."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lotline.domain.checkpoints import (
    StreamHead,
    checkpoint_document,
    heads_digest,
    read_document,
)

MOMENT = dt.datetime(2026, 12, 7, 4, 0, 0, 123456, tzinfo=dt.UTC)
HEADS = [StreamHead("s-2", 3, "b" * 64), StreamHead("s-1", 1, "a" * 64)]


def test_the_document_is_canonical_and_reads_back() -> None:
    text = checkpoint_document("org-1", MOMENT, HEADS)
    assert text == checkpoint_document("org-1", MOMENT, list(reversed(HEADS)))
    digest = heads_digest(HEADS)
    assert text == (
        '{"created_at":"2026-12-07T04:00:00.123456Z","heads_digest":"' + digest + '",'
        '"movement_count":4,"organization_id":"org-1","stream_count":2,"streams":['
        '{"head":"' + "a" * 64 + '","seq":1,"stream_id":"s-1"},'
        '{"head":"' + "b" * 64 + '","seq":3,"stream_id":"s-2"}],"version":1}')
    document = read_document(text)
    assert (document.heads, document.movement_count) == (tuple(sorted(HEADS)), 4)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(version=2), "not a version 1 checkpoint"),
    (lambda d: d["streams"][0].update(seq=2), "heads_digest does not match"),
    (lambda d: d["streams"][0].update(head="xyz"), "bad seq or head hash"),
    (lambda d: d.pop("organization_id"), "organization_id is missing"),
])
def test_a_document_that_does_not_hold_together_is_refused(change: object,
                                                           message: str) -> None:
    raw = json.loads(checkpoint_document("org-1", MOMENT, HEADS))
    change(raw)  # type: ignore[operator]
    with pytest.raises(ValueError, match=message):
        read_document(json.dumps(raw))
