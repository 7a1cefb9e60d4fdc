"""Idempotency keys: a claim row inserted in the transaction of the request's first write, and
the response written into it before that transaction commits (so a key is either unknown or
holds its whole answer: never half)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from lotline.adapters import tables as t
from lotline.adapters.db import WRITE_OPTION, is_sqlite
from lotline.domain.ids import new_id

PENDING = 0  # status_code of a claim whose response is not written yet (never seen committed)


class ClaimHeld(Exception):
    """Another transaction holds (or held) the claim: replay its answer or say it is running."""

    def __init__(self, *, committed: bool) -> None:
        super().__init__("the idempotency key is claimed by another request")
        self.committed = committed


def stored_response(engine: Engine, scope: str, key: str) -> Any:
    """The committed row for a key, or None."""
    k = t.idempotency_keys.c
    with engine.connect().execution_options(**{WRITE_OPTION: False}) as conn:
        return conn.execute(select(t.idempotency_keys).where(
            k.credential_hash == scope, k.key == key)).first()


def insert_claim(conn: Connection, scope: str, key: str, fingerprint: str, moment: dt.datetime,
                 *, wait_seconds: float) -> None:
    """Insert the claim. On PostgreSQL a concurrent claim of the same key waits on the unique
    index until the first transaction ends (at most `wait_seconds`); SQLite writers are
    serialised by BEGIN IMMEDIATE already. Raises ClaimHeld when the key is taken."""
    if not is_sqlite(conn):
        conn.execute(text(f"SET LOCAL lock_timeout = '{int(wait_seconds * 1000)}ms'"))
    try:
        conn.execute(insert(t.idempotency_keys).values(
            id=new_id(), credential_hash=scope, key=key, request_hash=fingerprint,
            status_code=PENDING, content_type="", body=b"", created_at=moment))
    except IntegrityError as error:
        raise ClaimHeld(committed=True) from error
    except DBAPIError as error:
        if _lock_timeout(error):
            raise ClaimHeld(committed=False) from error
        raise
    if not is_sqlite(conn):
        conn.execute(text("SET LOCAL lock_timeout TO DEFAULT"))


def record_response(conn: Connection, scope: str, key: str, fingerprint: str, status: int,
                    content_type: str, headers: list[list[str]], body: bytes) -> None:
    """Write the answer (and the request's fingerprint, known once its body was all read)."""
    k = t.idempotency_keys.c
    conn.execute(update(t.idempotency_keys).where(k.credential_hash == scope, k.key == key)
                 .values(request_hash=fingerprint, status_code=status,
                         content_type=content_type, headers=headers, body=body))


def _lock_timeout(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) == "55P03"  # lock_not_available
