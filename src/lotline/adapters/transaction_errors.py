"""How the SQLAlchemy unit of work (unit_of_work.py) ends a block inside a request's shared
transaction, and turns what the driver raised into the domain's errors: a lost race into a
Conflict, a deadlock into TransientConflict (retried by the use case) or, inside a claimed
request, a Conflict for the whole request; a NUL in a key into a ValidationError."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import NestedTransaction
from sqlalchemy.exc import DataError, IntegrityError

from lotline.domain.errors import Conflict, ValidationError
from lotline.service_layer import idempotency

# Deadlock detected, serialisation failure: the database chose this transaction as the victim
# of an ordering it could not resolve; the same work run again normally succeeds.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})


def conflict(error: IntegrityError) -> Conflict:
    # Services check uniqueness first; this is the race two writers can still lose.
    detail = str(error.orig).splitlines()[0] if error.orig is not None else str(error)
    return Conflict(f"the change conflicts with data written at the same time ({detail}); "
                    f"nothing was written, retry the request")


def lost_in_request() -> Conflict:
    """A deadlock inside a claimed request: the request's other blocks hold their locks, so
    running the method again in the same transaction (retry_transient) could repeat what they
    did; the whole request is rolled back instead (a Conflict, which is not retried here) and
    the client's retry with the same key runs afresh."""
    idempotency.leave(failed=True)
    return Conflict("the database could not order this change with others made at the same "
                    "time (deadlock or serialisation failure); nothing was written, retry the "
                    "request")


def refuse_nul(exc: BaseException | None) -> None:
    """A library caller's NUL in an id or a search text, which PostgreSQL cannot even compare
    (the doors refuse it, naming the field, before it gets here): a validation error."""
    if isinstance(exc, DataError) and "NUL (0x00)" in str(exc.orig):
        raise ValidationError.single("text", "must not contain the control character "
                                             "U+0000") from exc


def is_transient(error: BaseException) -> bool:
    """A deadlock or serialisation failure, raised by the driver or wrapped by SQLAlchemy."""
    for candidate in (error, getattr(error, "orig", None)):
        if getattr(candidate, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
    return False


def end_savepoint(savepoint: NestedTransaction, flush: Callable[[], None] | None,
                  exc: BaseException | None) -> None:
    """End a block in the request's shared transaction: write the ledger (`flush`) and release
    the block's savepoint (the commit is the door's), or roll back to it, so a failure caught
    by the caller undoes this block only, as its own transaction would have."""
    try:
        if exc is None and flush is not None:
            flush()
        if exc is None:
            savepoint.commit()
            return
    except IntegrityError as error:
        _undo(savepoint)
        raise conflict(error) from error
    except Exception as error:
        _undo(savepoint)
        if is_transient(error):
            raise lost_in_request() from error
        raise
    _undo(savepoint)
    if isinstance(exc, IntegrityError):
        raise conflict(exc) from exc
    if exc is not None and is_transient(exc):
        raise lost_in_request() from exc
    refuse_nul(exc)


def _undo(savepoint: NestedTransaction) -> None:
    try:
        savepoint.rollback()
    except BaseException:
        idempotency.leave(failed=True)  # the transaction itself is lost: the door rolls back
        raise
