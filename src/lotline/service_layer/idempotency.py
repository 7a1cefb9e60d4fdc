"""An idempotency claim for the unit of work: a request that must run at most once.

A door opens `claiming(claim)` around the request. Inside it, the first unit of work that
writes opens the request's one transaction and inserts the claim there, before any other
write; every later unit of work of the request (reads too, so they see what it wrote) joins
that transaction instead of opening its own, and none of them commits. The door then calls
`settle` with its answer: the answer is written into the claim and the transaction commits,
or on failure everything is rolled back. So a crash leaves either nothing (a retry runs
afresh) or the work and its whole answer (a retry replays it); a concurrent request with the
same key waits on the claim (PostgreSQL's unique index; SQLite's single writer) and finds it
taken. Nothing here knows HTTP: the answer is an opaque `Outcome`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from lotline.adapters.db import WRITE_OPTION
from lotline.adapters.repositories import idempotency as store
from lotline.domain.errors import Conflict
from lotline.service_layer.context import utc_now

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
    engine: Engine | None = None
    conn: Connection | None = None
    failed: bool = False
    taken: bool | None = None  # None: ours or unclaimed; True: committed by another; False:
    # another request is still running with it


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


def joined_connection(engine: Engine, write: bool) -> Connection | None:
    """For a unit of work starting inside a claimed request: the request's transaction to join
    (opened and claimed now if this is its first write), or None to work on its own."""
    claim = _CLAIM.get()
    if claim is None or (claim.engine is not None and claim.engine is not engine):
        return None
    if claim.conn is None:
        if not write:
            return None
        claim.engine, claim.conn = engine, _open_and_claim(engine, claim)
    return claim.conn


def _open_and_claim(engine: Engine, claim: Claim) -> Connection:
    conn = engine.connect().execution_options(**{WRITE_OPTION: True})
    try:
        conn.begin()
        store.insert_claim(conn, claim.scope, claim.key, claim.fingerprint, utc_now(),
                           wait_seconds=CLAIM_WAIT_SECONDS)
    except store.ClaimHeld as held:
        conn.rollback()
        conn.close()
        claim.taken = held.committed
        raise KeyInUse(f"the Idempotency-Key {claim.key!r} is in use by another request",
                       key=claim.key) from held
    except BaseException:
        conn.close()
        raise
    return conn


def leave(failed: bool) -> None:
    """A joined unit of work ends; one that could not even undo its own work dooms the
    request's transaction."""
    claim = _CLAIM.get()
    if claim is not None and failed:
        claim.failed = True


def settle(claim: Claim, outcome: Outcome | None) -> bool:
    """End the request's transaction: with an outcome (and no unit of work failed), write it
    into the claim and commit; otherwise roll back. True if it committed."""
    conn = claim.conn
    if conn is None:
        return False
    claim.conn = None
    try:
        if outcome is None or claim.failed:
            conn.rollback()
            if outcome is not None:  # a success answered over a lost transaction: say so
                raise RuntimeError("the request's transaction was lost; nothing was written")
            return False
        store.record_response(conn, claim.scope, claim.key, claim.fingerprint, outcome.status,
                              outcome.content_type, outcome.headers, outcome.body)
        conn.commit()
        return True
    finally:
        conn.close()


def remember(engine: Engine, claim: Claim, outcome: Outcome) -> None:
    """Keep the answer of a request that wrote nothing through a unit of work (a read, or a
    use case with a writer of its own, such as the serial import's): in a transaction of its
    own, after the fact, so without the guarantees above; a concurrent twin's answer wins."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        conn.begin()
        try:
            store.insert_claim(conn, claim.scope, claim.key, claim.fingerprint, utc_now(),
                               wait_seconds=CLAIM_WAIT_SECONDS)
        except store.ClaimHeld:
            conn.rollback()
            return
        store.record_response(conn, claim.scope, claim.key, claim.fingerprint, outcome.status,
                              outcome.content_type, outcome.headers, outcome.body)
        conn.commit()


def stored(engine: Engine, scope: str, key: str) -> StoredClaim | None:
    row: Any = store.stored_response(engine, scope, key)
    if row is None or row.status_code == store.PENDING:
        return None
    return StoredClaim(row.request_hash, Outcome(row.status_code, row.content_type,
                                                 list(row.headers or []), bytes(row.body)))
