"""Signed ledger checkpoints: as answered, as exported, and as sent back to be proved
against (`POST /ledger/verify`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.common import Input, Output

Hash = Annotated[str, Field(max_length=64)]
# A document names every stream: large for an installation with many lots.
Document = Annotated[str, Field(max_length=50_000_000)]
Pem = Annotated[str, Field(max_length=1000)]


class Checkpoint(Output):
    id: str
    organization_id: str
    created_at: dt.datetime
    key_id: str = Field(description="SHA-256 (hex) of the raw Ed25519 public key that signed")
    stream_count: int
    movement_count: int
    heads_digest: str
    document: str = Field(description="the exact signed text: canonical JSON of every "
                                      "stream's seq and head hash")
    signature: str = Field(description="Ed25519 signature of `document` (UTF-8), base64")


class CheckpointExport(Output):
    format: str = Field(description="lotline-ledger-checkpoints")
    version: int
    organization_id: str
    key_id: str | None
    public_key: str | None = Field(description="PEM (SubjectPublicKeyInfo); null when the "
                                               "installation has no key yet")
    checkpoints: list[Checkpoint]


class CheckpointIn(Input):
    """A checkpoint as exported; only `document` and `signature` are trusted."""

    document: Document
    signature: Annotated[str, Field(max_length=200)]
    id: Annotated[str, Field(max_length=36)] | None = None
    organization_id: Annotated[str, Field(max_length=36)] | None = None
    created_at: Annotated[str, Field(max_length=40)] | None = None
    key_id: Hash | None = None
    stream_count: int | None = None
    movement_count: int | None = None
    heads_digest: Hash | None = None


class LedgerVerifyIn(Input):
    """Optional: checkpoints to prove the chains against (the export file as it is)."""

    checkpoints: Annotated[list[CheckpointIn], Field(max_length=100_000)]
    public_key: Pem | None = Field(default=None, description="PEM; default the installation's "
                                                             "key (a different one is a "
                                                             "problem)")
    format: Annotated[str, Field(max_length=40)] | None = None
    version: int | None = None
    organization_id: Annotated[str, Field(max_length=36)] | None = None
    key_id: Hash | None = None
