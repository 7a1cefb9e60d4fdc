"""The idempotency claim as the service layer sees it (no HTTP): inside a claimed request
every unit of work shares one transaction that the door commits with the answer; a failure a
use case catches undoes only its own block; without an answer nothing stays."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lotline.adapters.idempotency import SqlAlchemyClaimStore, settle
from lotline.adapters.unit_of_work import SqlAlchemyUnitOfWork
from lotline.service_layer import idempotency
from lotline.service_layer.idempotency import Claim, Outcome

ANSWER = Outcome(201, "application/json", [["location", "/somewhere"]], b'{"ok": true}')


def fail_after_writing(svc: Any) -> None:
    with SqlAlchemyUnitOfWork(svc.engine, svc.actor):
        svc.customers.create_customer(name="Undone")  # joins, then its block fails
        raise RuntimeError("caught by the use case")


def customer_names(svc: Any) -> list[str]:
    return sorted(c.name for c in svc.customers.list().items)


def test_a_claimed_request_commits_its_work_with_its_answer(database: Any) -> None:
    svc = database.services()
    claim = Claim(f"scope-{uuid.uuid4().hex}", "key-1", "fingerprint-1")
    with idempotency.claiming(claim):
        svc.customers.create_customer(name="Kept")
        with pytest.raises(RuntimeError, match="caught by the use case"):
            fail_after_writing(svc)
        svc.customers.create_customer(name="Also kept")
    assert customer_names(svc) == []  # nothing visible outside before the commit
    assert settle(claim, ANSWER) is True
    assert customer_names(svc) == ["Also kept", "Kept"]
    stored = SqlAlchemyClaimStore(svc.engine).stored(claim.scope, claim.key)
    assert stored is not None
    assert (stored.fingerprint, stored.outcome) == ("fingerprint-1", ANSWER)


def test_a_claimed_request_without_an_answer_leaves_nothing(database: Any) -> None:
    svc = database.services()
    claim = Claim(f"scope-{uuid.uuid4().hex}", "key-2", "fingerprint-2")
    with idempotency.claiming(claim):
        svc.customers.create_customer(name="Gone")
    assert settle(claim, None) is False
    assert customer_names(svc) == []
    assert SqlAlchemyClaimStore(svc.engine).stored(claim.scope, claim.key) is None
