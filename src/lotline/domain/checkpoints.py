"""Signed ledger checkpoints: the canonical document of every stream's head (DESIGN §5).

A checkpoint says "at this time stream S had N movements and its head hash was H". Signed
with a key outside the database and kept elsewhere, it proves the chains later: the movement
at seq N must still have hash H, which a history rewritten before it (every hash after the
change recomputed) cannot match."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lotline.domain.ledger import utc_text

CHECKPOINT_VERSION = 1
HEX64 = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True, order=True)
class StreamHead:
    stream_id: str
    seq: int
    head: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A stored checkpoint: `document` is the exact signed text, `signature` base64 Ed25519."""

    id: str
    org_id: str
    created_at: dt.datetime
    key_id: str
    stream_count: int
    movement_count: int
    heads_digest: str
    document: str
    signature: str


@dataclass(frozen=True, slots=True)
class CheckpointDocument:
    """What a signed document says, read back from its text."""

    organization_id: str
    created_at: str
    heads: tuple[StreamHead, ...]
    movement_count: int
    heads_digest: str


def heads_digest(heads: Iterable[StreamHead]) -> str:
    """SHA-256 over the sorted heads, one `stream_id seq head` line each."""
    lines = "".join(f"{h.stream_id} {h.seq} {h.head}\n" for h in sorted(heads))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def checkpoint_document(org_id: str, created_at: dt.datetime,
                        heads: Sequence[StreamHead]) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8): the exact text that is signed."""
    ordered = sorted(heads)
    document = {
        "version": CHECKPOINT_VERSION, "organization_id": org_id,
        "created_at": utc_text(created_at), "stream_count": len(ordered),
        "movement_count": sum(h.seq for h in ordered), "heads_digest": heads_digest(ordered),
        "streams": [{"stream_id": h.stream_id, "seq": h.seq, "head": h.head} for h in ordered],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_document(text: str) -> CheckpointDocument:
    """The document's content; ValueError naming what is wrong with it."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"document is not JSON ({error.msg})") from error
    if not isinstance(raw, dict) or raw.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"document is not a version {CHECKPOINT_VERSION} checkpoint")
    heads = tuple(_stream_head(entry) for entry in _field(raw, "streams", list))
    document = CheckpointDocument(
        organization_id=_field(raw, "organization_id", str),
        created_at=_field(raw, "created_at", str), heads=heads,
        movement_count=_field(raw, "movement_count", int),
        heads_digest=_field(raw, "heads_digest", str))
    if document.heads_digest != heads_digest(heads):
        raise ValueError("heads_digest does not match the streams listed")
    return document


def _field(raw: dict[str, Any], name: str, kind: type) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"document field {name} is missing or not a {kind.__name__}")
    return value


def _stream_head(entry: Any) -> StreamHead:
    if not isinstance(entry, dict):
        raise ValueError("document streams must be objects")
    head = StreamHead(_field(entry, "stream_id", str), _field(entry, "seq", int),
                      _field(entry, "head", str))
    if head.seq < 1 or len(head.head) != 64 or not set(head.head) <= HEX64:
        raise ValueError(f"document stream {head.stream_id!r}: bad seq or head hash")
    return head
