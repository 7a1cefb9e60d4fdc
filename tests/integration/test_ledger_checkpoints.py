"""Signed ledger checkpoints (issue 17, finding 14): whoever can write the database can
rewrite a movement and recompute every hash after it, and the plain chain check passes; a
checkpoint signed with a key outside the database and kept elsewhere catches it."""

from __future__ import annotations

import dataclasses
import json
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import DBAPIError

from lotline.adapters import tables as t
from lotline.adapters.signing import LedgerKey
from lotline.bootstrap import Services
from lotline.domain.checkpoints import StreamHead, checkpoint_document, read_document
from lotline.domain.errors import LedgerKeyUnavailable
from lotline.domain.ledger import recompute_hash
from lotline.domain.model import Movement
from lotline.domain.statuses import Role
from lotline.errors import PermissionDenied
from lotline.service_layer.checkpoint_verify import read_checkpoint_set
from lotline.service_layer.ledger_verify import LedgerProblem
from support import Kit

BACKENDS = pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)


@dataclasses.dataclass
class World:
    svc: Services
    kit: Kit
    lot_id: str      # 3 movements: receipt 10, +2, then +3 after the checkpoint
    other_id: str    # 1 movement: receipt 5
    exported: dict[str, Any]

    def verify_against(self, exported: dict[str, Any] | None = None) -> list[LedgerProblem]:
        report = self.svc.ledger.verify(read_checkpoint_set(exported or self.exported))
        return report.problems

    def chain(self) -> list[Movement]:
        return self.kit.movements(stream_id=self.lot_id)


@pytest.fixture
def world(fresh_database: Any, tmp_path: Path) -> World:
    plain = fresh_database.services()
    svc = Services(plain.engine, plain.actor, tmp_path / "keys" / "ledger.key")
    kit = Kit(svc)
    product = kit.product("lot")
    lot = kit.lot(product, "L-1", quantity=10)
    svc.batches.update(lot.id, quantity=12)
    other = kit.lot(product, "L-2", quantity=5)
    svc.checkpoints.create()
    svc.batches.update(lot.id, quantity=15)
    return World(svc, kit, lot.id, other.id, svc.checkpoints.export())


def drop_triggers(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for action in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER movements_no_{action}"))
        else:
            conn.execute(text("DROP TRIGGER movements_append_only ON movements"))


def set_balance(engine: Engine, batch_id: str, delta: Decimal) -> None:
    b = t.lot_balances.c
    with engine.begin() as conn:
        conn.execute(update(t.lot_balances).where(b.batch_id == batch_id).values(
            balance_quantity=b.balance_quantity + delta, in_quantity=b.in_quantity + delta))


def set_head(engine: Engine, batch_id: str, seq: int, head: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(t.batches).where(t.batches.c.id == batch_id)
                     .values(chain_seq=seq, chain_head=head))


def rewrite_and_rehash(world: World, seq: int, **changes: Any) -> list[Movement]:
    """What an attacker with DDL rights does: change one movement, recompute its hash and
    every hash after it, move the stream head, and fix the projection to match."""
    drop_triggers(world.svc.engine)
    chain, forged = world.chain(), []
    previous = chain[seq - 2].hash if seq > 1 else chain[0].prev_hash
    for movement in chain[seq - 1:]:
        edited = dataclasses.replace(movement, prev_hash=previous,
                                     **(changes if movement.seq == seq else {}))
        edited = dataclasses.replace(edited, hash=recompute_hash(edited))
        forged.append(edited)
        previous = edited.hash
    with world.svc.engine.begin() as conn:
        for edited in forged:
            conn.execute(update(t.movements).where(t.movements.c.id == edited.id).values(
                quantity=edited.quantity, prev_hash=edited.prev_hash, hash=edited.hash))
    set_head(world.svc.engine, world.lot_id, chain[-1].seq, previous)
    return forged


@BACKENDS
def test_a_checkpoint_signs_every_stream_head(world: World) -> None:
    (checkpoint,) = world.svc.checkpoints.list()
    chain = world.chain()
    receipt_of_other = world.kit.movements(stream_id=world.other_id)[0]
    document = read_document(checkpoint.document)
    assert document.heads == tuple(sorted([StreamHead(world.lot_id, 2, chain[1].hash),
                                           StreamHead(world.other_id, 1,
                                                      receipt_of_other.hash)]))
    assert (checkpoint.stream_count, checkpoint.movement_count) == (2, 3)
    assert document.organization_id == world.svc.org_id
    assert checkpoint.document == checkpoint_document(world.svc.org_id, checkpoint.created_at,
                                                      document.heads)
    key = world.svc.checkpoints.installation_key()
    assert key is not None and checkpoint.key_id == key.key_id
    assert world.exported["public_key"] == key.public_pem()
    assert world.exported["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert [c["id"] for c in world.exported["checkpoints"]] == [checkpoint.id]
    report = world.svc.ledger.verify(read_checkpoint_set(world.exported))
    assert (report.ok, report.checkpoints, report.problems) == (True, 1, [])


@BACKENDS
def test_the_key_file_is_private_and_outside_the_database(world: World) -> None:
    path = world.svc.checkpoints.key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    path.chmod(0o644)
    with pytest.raises(LedgerKeyUnavailable, match="readable by others"):
        world.svc.checkpoints.create()


@BACKENDS
def test_a_rewritten_and_rehashed_history_is_caught_by_the_checkpoint(world: World) -> None:
    chain = world.chain()
    rewrite_and_rehash(world, 1, quantity=Decimal(7))  # the receipt said 10
    set_balance(world.svc.engine, world.lot_id, Decimal(-3))
    assert world.svc.ledger.verify().ok  # the unkeyed chain cannot tell
    problems = world.verify_against()
    assert [(p.kind, p.stream_id, p.movement_id) for p in problems] == [
        ("checkpoint_mismatch", world.lot_id, chain[1].id)]
    assert f"checkpoint {world.exported['checkpoints'][0]['id']}" in problems[0].detail
    assert problems[0].detail.endswith("the history up to movement 2 was rewritten")


@BACKENDS
def test_a_deleted_tail_with_its_head_rewound_is_caught(world: World) -> None:
    chain = world.chain()
    drop_triggers(world.svc.engine)
    with world.svc.engine.begin() as conn:
        conn.execute(delete(t.movements).where(t.movements.c.id.in_([chain[1].id,
                                                                     chain[2].id])))
    set_head(world.svc.engine, world.lot_id, 1, chain[0].hash)
    set_balance(world.svc.engine, world.lot_id, Decimal(-5))
    assert world.svc.ledger.verify().ok
    problems = world.verify_against()
    assert [(p.kind, p.stream_id, p.movement_id) for p in problems] == [
        ("checkpoint_stream_missing", world.lot_id, None)]
    assert "the ledger has no movement 2" in problems[0].detail


def forge(world: World, signer: Ed25519PrivateKey, *, own_public_key: bool) -> dict[str, Any]:
    """The exported checkpoint with the lot's head changed, signed with another key."""
    record = dict(world.exported["checkpoints"][0])
    document = read_document(record["document"])
    heads = [StreamHead(h.stream_id, h.seq, "f" * 64 if h.stream_id == world.lot_id else h.head)
             for h in document.heads]
    key = LedgerKey(signer, Path("attacker.key"))
    record["document"] = checkpoint_document(world.svc.org_id, world.svc.actor.now(), heads)
    record["signature"] = key.sign(record["document"].encode("utf-8"))
    public_key = key.public_pem() if own_public_key else world.exported["public_key"]
    return {**world.exported, "public_key": public_key, "checkpoints": [record]}


@BACKENDS
def test_a_forged_checkpoint_is_rejected(world: World) -> None:
    attacker = Ed25519PrivateKey.generate()
    problems = world.verify_against(forge(world, attacker, own_public_key=False))
    assert [(p.kind, p.stream_id) for p in problems] == [("checkpoint_signature", None)]
    assert "signature does not hold" in problems[0].detail
    # With the attacker's public key in the file, the key is not the installation's.
    problems = world.verify_against(forge(world, attacker, own_public_key=True))
    kinds = [p.kind for p in problems]
    assert kinds == ["checkpoint_key", "checkpoint_mismatch"]
    assert "is not this installation's key" in problems[0].detail


@BACKENDS
def test_checkpoints_are_append_only_and_for_admins(world: World) -> None:
    with pytest.raises(DBAPIError, match="append-only"), world.svc.engine.begin() as conn:
        conn.execute(update(t.ledger_checkpoints).values(heads_digest="0" * 64))
    with pytest.raises(DBAPIError, match="append-only"), world.svc.engine.begin() as conn:
        conn.execute(delete(t.ledger_checkpoints))
    manager = world.kit.as_role(Role.MANAGER)
    with pytest.raises(PermissionDenied):
        Services(manager.engine, manager.actor, world.svc.ledger_key_file).checkpoints.create()


def test_a_file_without_checkpoints_is_refused_naming_the_field() -> None:
    from lotline.domain.errors import ValidationError

    with pytest.raises(ValidationError, match=r"checkpoints\.0\.signature: missing"):
        read_checkpoint_set(json.loads('{"checkpoints": [{"document": "{}"}]}'))
    with pytest.raises(ValidationError, match="checkpoints: expected a list"):
        read_checkpoint_set({"public_key": None})
