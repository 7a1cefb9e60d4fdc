"""The SQLAlchemy side of idempotency claims (the port is `service_layer/idempotency.py`): the
request's one transaction, opened by its first writing unit of work with the claim inserted
first, joined by every later unit of work of the request, and settled by the door."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Engine

from lotline.adapters.db import WRITE_OPTION
from lotline.adapters.repositories import idempotency as store
from lotline.service_layer import idempotency as port
from lotline.service_layer.consistency import current_session
from lotline.service_layer.context import utc_now
from lotline.service_layer.idempotency import (
    Claim,
    KeyInUse,
    Outcome,
    StoredClaim,
    current_claim,
)


def joined_connection(engine: Engine, write: bool) -> Connection | None:
    """For a unit of work starting inside a claimed request: the request's transaction to join
    (opened and claimed now if this is its first write), or None to work on its own."""
    claim = current_claim()
    if claim is None or (claim.owner is not None and claim.owner is not engine):
        return None
    if claim.session is None:
        if not write:
            return None
        claim.owner, claim.session = engine, _open_and_claim(engine, claim)
    return cast(Connection, claim.session)


def in_claimed_transaction() -> bool:
    """Whether the running request's one transaction is open (its later reads must join it)."""
    claim = current_claim()
    return claim is not None and claim.session is not None


def _open_and_claim(engine: Engine, claim: Claim) -> Connection:
    conn = engine.connect().execution_options(**{WRITE_OPTION: True})
    try:
        conn.begin()
        store.insert_claim(conn, claim.scope, claim.key, claim.fingerprint, utc_now(),
                           wait_seconds=port.CLAIM_WAIT_SECONDS)
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


class SqlAlchemyClaimStore:
    """The `ClaimStore` on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stored(self, scope: str, key: str) -> StoredClaim | None:
        row: Any = store.stored_response(self.engine, scope, key)
        if row is None or row.status_code == store.PENDING:
            return None
        _replaying(self.engine)
        return StoredClaim(row.request_hash, Outcome(row.status_code, row.content_type,
                                                     list(row.headers or []), bytes(row.body)))

    def settle(self, claim: Claim, outcome: Outcome | None) -> bool:
        return settle(claim, outcome)

    def remember(self, claim: Claim, outcome: Outcome) -> None:
        """In a transaction of its own, after the fact, so without the guarantees of a claim
        taken by the first write; a concurrent twin's answer wins."""
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            conn.begin()
            try:
                store.insert_claim(conn, claim.scope, claim.key, claim.fingerprint, utc_now(),
                                   wait_seconds=port.CLAIM_WAIT_SECONDS)
            except store.ClaimHeld:
                conn.rollback()
                return
            store.record_response(conn, claim.scope, claim.key, claim.fingerprint,
                                  outcome.status, outcome.content_type, outcome.headers,
                                  outcome.body)
            conn.commit()


def settle(claim: Claim, outcome: Outcome | None) -> bool:
    """End the request's transaction: with an outcome (and no unit of work failed), write it
    into the claim and commit; otherwise roll back. True if it committed."""
    conn = cast(Connection | None, claim.session)
    if conn is None:
        return False
    claim.session = None
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


def _replaying(primary: Engine) -> None:
    """A replayed answer stands for a write committed earlier, perhaps through another server,
    which the standby this client reads from next may not have replayed yet: the replay
    carries a consistency token as the first answer did (only requests behind a read replica
    have a read session)."""
    session = current_session()
    if session is not None and primary.dialect.name == "postgresql":
        # Here, not at the top: replica.py's unit of work imports this module.
        from lotline.adapters.replica import write_position

        session.wrote(lambda: write_position(primary))
