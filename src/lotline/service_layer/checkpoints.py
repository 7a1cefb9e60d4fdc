"""Signed ledger checkpoints (issue 17): on demand, on the worker's schedule, and exported to
be kept elsewhere. Verifying against them is in `checkpoint_verify`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.checkpoints import CheckpointRepository
from lotline.adapters.signing import LedgerKey
from lotline.config import ledger_key_file
from lotline.domain.checkpoints import Checkpoint, checkpoint_document, heads_digest
from lotline.domain.ids import new_id
from lotline.domain.statuses import Role
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor, Clock, utc_now
from lotline.service_layer.unit_of_work import UnitOfWork

EXPORT_FORMAT = "lotline-ledger-checkpoints"
EXPORT_VERSION = 1
WORKER_ACTOR = "worker"


class CheckpointService(Service):
    def __init__(self, engine: Engine, actor: Actor, key_file: Path | None = None) -> None:
        super().__init__(engine, actor)
        self._key_file = key_file

    @property
    def key_file(self) -> Path:
        """The configured key file, read when used (LOTLINE_LEDGER_KEY_FILE)."""
        return self._key_file or ledger_key_file()

    def installation_key(self) -> LedgerKey | None:
        return LedgerKey.load(self.key_file)

    def signing_key(self) -> LedgerKey:
        """The installation's key, created (mode 0600) when there is none yet."""
        self.actor.require(Role.ADMIN, "using the ledger signing key")
        return LedgerKey.load_or_create(self.key_file)

    def create(self) -> Checkpoint:
        """Sign every stream's head now, even when nothing changed since the last one."""
        self.actor.require(Role.ADMIN, "signing a ledger checkpoint")
        key = self.signing_key()
        with self.writing() as uow:
            checkpoint = sign_heads(uow, key, skip_unchanged=False)
        assert checkpoint is not None
        return checkpoint

    def list(self, *, limit: int = 50, cursor: str | None = None) -> list[Checkpoint]:
        """Newest first; `cursor` is the id of the last one of the previous page."""
        self.actor.require(Role.ADMIN, "reading ledger checkpoints")
        with self.reading() as uow:
            return _repository(uow).newest_first(limit, cursor)

    def export(self) -> dict[str, Any]:
        """Every checkpoint, oldest first, with the public key: the file to keep elsewhere."""
        self.actor.require(Role.ADMIN, "exporting ledger checkpoints")
        key = self.installation_key()
        with self.reading() as uow:
            records = [checkpoint_record(c) for c in _repository(uow).oldest_first()]
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                "organization_id": self.actor.org_id,
                "key_id": key.key_id if key else None,
                "public_key": key.public_pem() if key else None, "checkpoints": records}


def installation_key(*, create: bool, key_file: Path | None = None
                     ) -> tuple[LedgerKey | None, bool]:
    """(the installation's key or None, whether it was made now); `create` makes it
    (mode 0600) when there is none. For `ledger keygen` and `ledger public-key`."""
    path = key_file or ledger_key_file()
    existing = LedgerKey.load(path)
    if existing is not None or not create:
        return existing, False
    return LedgerKey.load_or_create(path), True


def checkpoint_record(checkpoint: Checkpoint) -> dict[str, Any]:
    """A checkpoint as it is exported and answered. Only `document` and `signature` are
    trusted when verifying; the other fields repeat the document for readers."""
    return {"id": checkpoint.id, "organization_id": checkpoint.org_id,
            "created_at": checkpoint.created_at, "key_id": checkpoint.key_id,
            "stream_count": checkpoint.stream_count,
            "movement_count": checkpoint.movement_count,
            "heads_digest": checkpoint.heads_digest, "document": checkpoint.document,
            "signature": checkpoint.signature}


def _repository(uow: UnitOfWork) -> CheckpointRepository:
    return CheckpointRepository(uow.conn, uow.actor.org_id)


def sign_heads(uow: UnitOfWork, key: LedgerKey | Callable[[], LedgerKey], *,
               skip_unchanged: bool) -> Checkpoint | None:
    """Store a signed checkpoint of the organization's heads. With `skip_unchanged`, nothing
    (None) when no stream has moved since the last checkpoint or there are no movements.
    `key` may be a function, so a run with nothing to sign never creates a key file."""
    repository = _repository(uow)
    heads = repository.stream_heads()
    if skip_unchanged:
        last = repository.latest()
        if not heads or (last is not None and last.heads_digest == heads_digest(heads)):
            return None
    signer = key if isinstance(key, LedgerKey) else key()
    created_at = uow.actor.now()
    document = checkpoint_document(uow.actor.org_id, created_at, heads)
    checkpoint = Checkpoint(
        id=new_id(), org_id=uow.actor.org_id, created_at=created_at, key_id=signer.key_id,
        stream_count=len(heads), movement_count=sum(h.seq for h in heads),
        heads_digest=heads_digest(heads), document=document,
        signature=signer.sign(document.encode("utf-8")))
    repository.insert(checkpoint)
    return checkpoint


def run_due_checkpoints(engine: Engine, *, interval: dt.timedelta,
                        key_file: Path | None = None,
                        clock: Clock = utc_now) -> list[Checkpoint]:
    """For every organization whose last checkpoint is `interval` old (or that has none):
    sign its heads, unless nothing changed since the last one. Safe to call as often as
    wanted; what the worker runs on its schedule."""
    path = key_file or ledger_key_file()
    loaded: list[LedgerKey] = []

    def key() -> LedgerKey:
        if not loaded:
            loaded.append(LedgerKey.load_or_create(path))
        return loaded[0]

    made: list[Checkpoint] = []
    for org_id in _organization_ids(engine):
        actor = Actor(org_id=org_id, name=WORKER_ACTOR, role=Role.ADMIN, clock=clock)
        if not _due(engine, actor, interval):
            continue
        with UnitOfWork(engine, actor, write=True) as uow:
            checkpoint = sign_heads(uow, key, skip_unchanged=True)
        if checkpoint is not None:
            made.append(checkpoint)
    return made


def _due(engine: Engine, actor: Actor, interval: dt.timedelta) -> bool:
    """Read first (no write lock taken for an organization with nothing to sign)."""
    with UnitOfWork(engine, actor, write=False) as uow:
        repository = _repository(uow)
        last = repository.latest()
        if last is not None and last.created_at > actor.now() - interval:
            return False
        heads = repository.stream_heads()
        return bool(heads) and (last is None or last.heads_digest != heads_digest(heads))


def _organization_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(t.organizations.c.id)
                                 .order_by(t.organizations.c.id)).scalars())
