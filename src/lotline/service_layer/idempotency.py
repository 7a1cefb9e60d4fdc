"""An idempotency claim for the unit of work: a request that must run at most once.

A door opens `claiming(claim)` around the request. Inside it, the first unit of work that
writes opens the request's one transaction and inserts the claim there, before any other
write; every later unit of work of the request (reads too, so they see what it wrote) joins
that transaction instead of opening its own, and none of them commits. The door then calls
`settle` with its answer: the answer is written into the claim and the transaction commits,
or on failure everything is rolled back. So a crash leaves either nothing (a retry runs
afresh) or the work and its whole answer (a retry replays it); a concurrent request with the
same key waits on the claim (PostgreSQL's unique index; SQLite's single writer) and finds it
taken. Nothing here knows HTTP: the answer is an opaque `Outcome`; nor the database: the
claim holds the request's transaction as an opaque `session` of the adapter that opened it
(adapters/idempotency.py), which the door settles through the `ClaimStore` port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from lotline.domain.errors import Conflict

# How long a request waits for a concurrent one holding its key before answering "in progress".
CLAIM_WAIT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer a claim keeps: status, media type, other headers, body."""

    status: int
    content_type: str
    headers: list[list[str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class StoredClaim:
    fingerprint: str
    outcome: Outcome


@dataclass(eq=False, slots=True)
class Claim:
    scope: str  # whose keys these are (a credential's hash): two clients never share one
    key: str
    fingerprint: str  # what was asked: the same key with another request is refused
    owner: object | None = None  # the database the request's transaction is on (an adapter's)
    session: object | None = None  # that transaction, opaque here (the adapter's connection)
    failed: bool = False
    taken: bool | None = None  # None: ours or unclaimed; True: committed by another; False:
    # another request is still running with it


class ClaimStore(Protocol):
    """The port of the claims' storage: what the door asks of it around a request."""

    def stored(self, scope: str, key: str) -> StoredClaim | None:
        """The committed answer kept for a key, if any."""
        ...

    def settle(self, claim: Claim, outcome: Outcome | None) -> bool:
        """End the request's transaction: with an outcome (and no unit of work failed), write
        it into the claim and commit; otherwise roll back. True if it committed."""
        ...

    def remember(self, claim: Claim, outcome: Outcome) -> None:
        """Keep the answer of a request that wrote nothing through a unit of work."""
        ...


class KeyInUse(Conflict):
    code = "idempotency_in_progress"
    http_status = 409
    title = "Idempotency key in use"


_CLAIM: ContextVar[Claim | None] = ContextVar("lotline_idempotency_claim", default=None)


@contextmanager
def claiming(claim: Claim) -> Iterator[Claim]:
    token = _CLAIM.set(claim)
    try:
        yield claim
    finally:
        _CLAIM.reset(token)


def current_claim() -> Claim | None:
    """The claim of the request this code runs in, if it has one."""
    return _CLAIM.get()


def leave(failed: bool) -> None:
    """A joined unit of work ends; one that could not even undo its own work dooms the
    request's transaction."""
    claim = _CLAIM.get()
    if claim is not None and failed:
        claim.failed = True
