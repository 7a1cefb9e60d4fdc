"""`ledger verify --checkpoints`: prove the chains against signed checkpoints kept elsewhere.

Each checkpoint's signature must hold for the trusted public key; then for every stream it
names, the movement at the signed seq must still have the signed hash. With the chain checks
of `ledger verify` (every link and hash from there to the present head), that proves the
whole history up to each checkpoint unchanged, even when every hash after a rewritten
movement was recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lotline.adapters.repositories.checkpoints import CheckpointRepository
from lotline.adapters.signing import LedgerKey, key_id, load_public_key, signature_holds
from lotline.domain.checkpoints import CheckpointDocument, read_document
from lotline.domain.errors import ValidationError
from lotline.service_layer.ledger_verify import LedgerProblem
from lotline.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    label: str  # its id, or its place in the file
    document: str
    signature: str


@dataclass(frozen=True, slots=True)
class CheckpointSet:
    """Checkpoints to prove against, as exported (`public_key` PEM, or None: use the
    installation's)."""

    public_key: str | None
    checkpoints: tuple[SignedCheckpoint, ...]


def read_checkpoint_set(raw: Any) -> CheckpointSet:
    """An export file's content (an object with `checkpoints` and `public_key`, or a bare
    list of checkpoints); ValidationError naming the field that is wrong."""
    if isinstance(raw, list):
        raw = {"checkpoints": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("checkpoints"), list):
        raise ValidationError.single("checkpoints", "expected a list of checkpoints (or an "
                                     "object with one, as `ledger checkpoints export` writes)")
    public_key = raw.get("public_key")
    if public_key is not None and not isinstance(public_key, str):
        raise ValidationError.single("public_key", "expected a PEM public key")
    entries = []
    for index, entry in enumerate(raw["checkpoints"]):
        fields = entry if isinstance(entry, dict) else {}
        for name in ("document", "signature"):
            if not isinstance(fields.get(name), str):
                raise ValidationError.single(f"checkpoints.{index}.{name}",
                                             "missing or not a string")
        given_id = fields.get("id")
        label = given_id if isinstance(given_id, str) else f"#{index + 1}"
        entries.append(SignedCheckpoint(label, fields["document"], fields["signature"]))
    return CheckpointSet(public_key, tuple(entries))


def prove_against(uow: UnitOfWork, given: CheckpointSet,
                  installation: LedgerKey | None) -> tuple[int, list[LedgerProblem]]:
    """(checkpoints whose signature holds, problems found)."""
    public_key, problems = _trusted_key(given, installation)
    claims: dict[tuple[str, int], dict[str, str]] = {}  # position -> head -> checkpoint
    proved = 0
    for checkpoint in given.checkpoints:
        document = _signed_document(checkpoint, public_key, uow.actor.org_id, problems)
        if document is None:
            continue
        proved += 1
        for head in document.heads:
            claims.setdefault((head.stream_id, head.seq), {}).setdefault(
                head.head, f"{checkpoint.label} ({document.created_at})")
    found = CheckpointRepository(uow.conn, uow.actor.org_id).movements_at(sorted(claims))
    for (stream_id, seq), signed_heads in sorted(claims.items()):
        for signed_head, label in signed_heads.items():
            problems.extend(_position_problem(stream_id, seq, signed_head, label, found))
    return proved, problems


def _trusted_key(given: CheckpointSet, installation: LedgerKey | None
                 ) -> tuple[Any, list[LedgerProblem]]:
    if given.public_key is None:
        if installation is None:
            raise ValidationError.single(
                "public_key", "the checkpoints carry no public key and this installation has "
                              "no ledger key file")
        return installation.public_key, []
    try:
        public_key = load_public_key(given.public_key)
    except ValueError as error:
        raise ValidationError.single("public_key", "not an Ed25519 public key in PEM "
                                                   "form") from error
    if installation is None or installation.key_id == key_id(public_key):
        return public_key, []
    return public_key, [LedgerProblem(
        "checkpoint_key", None, None,
        f"the checkpoints' public key ({key_id(public_key)[:16]}) is not this installation's "
        f"key ({installation.key_id[:16]}, {installation.path})")]


def _signed_document(checkpoint: SignedCheckpoint, public_key: Any, org_id: str,
                     problems: list[LedgerProblem]) -> CheckpointDocument | None:
    if not signature_holds(public_key, checkpoint.signature, checkpoint.document):
        problems.append(LedgerProblem(
            "checkpoint_signature", None, None,
            f"checkpoint {checkpoint.label}: the signature does not hold for public key "
            f"{key_id(public_key)[:16]} (forged or altered)"))
        return None
    try:
        document = read_document(checkpoint.document)
    except ValueError as error:
        problems.append(LedgerProblem("checkpoint_signature", None, None,
                                      f"checkpoint {checkpoint.label}: {error}"))
        return None
    if document.organization_id != org_id:
        problems.append(LedgerProblem(
            "checkpoint_mismatch", None, None,
            f"checkpoint {checkpoint.label} is of organization {document.organization_id}, "
            f"not this one ({org_id})"))
        return None
    return document


def _position_problem(stream_id: str, seq: int, head: str, label: str,
                      found: dict[tuple[str, int], tuple[str, str]]) -> list[LedgerProblem]:
    movement = found.get((stream_id, seq))
    if movement is None:
        return [LedgerProblem(
            "checkpoint_stream_missing", stream_id, None,
            f"checkpoint {label} signed movement {seq} of this stream; the ledger has no "
            f"movement {seq} (rows deleted or the stream is gone)")]
    movement_id, actual = movement
    if actual == head:
        return []
    return [LedgerProblem(
        "checkpoint_mismatch", stream_id, movement_id,
        f"movement {seq} has hash {actual[:16]}…, checkpoint {label} signed {head[:16]}…: "
        f"the history up to movement {seq} was rewritten")]
