"""`ledger verify`: check every hash chain and recompute the projections from the ledger.

It reports what it finds (tampered rows, broken links, a missing tail, projections that
disagree with the ledger) and never repairs anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lotline.domain.ledger import GENESIS_HASH, recompute_hash
from lotline.domain.statuses import Role
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from lotline.service_layer.checkpoint_verify import CheckpointSet


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    # tampered | broken_link | missing_rows | head_mismatch | projection | over_allocated,
    # and against signed checkpoints: checkpoint_signature | checkpoint_key |
    # checkpoint_mismatch | checkpoint_stream_missing
    kind: str
    stream_id: str | None
    movement_id: str | None
    detail: str


@dataclass(slots=True)
class VerifyReport:
    streams: int = 0
    movements: int = 0
    serials: int = 0
    balances: int = 0
    checkpoints: int = 0  # checkpoints proved against (their signature held)
    problems: list[LedgerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class LedgerService(Service):
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor,
                 key_file: Path | None = None) -> None:
        super().__init__(uows, actor)
        self.key_file = key_file

    def verify(self, checkpoints: CheckpointSet | None = None) -> VerifyReport:
        """Every check; with `checkpoints` (as exported), also prove the chains against them
        (the public key they carry must be the installation's, when it has one)."""
        self.actor.require(Role.ADMIN, "verifying the ledger")
        report = VerifyReport()
        with self.reading() as uow:
            for stream_id, seq, head in uow.ledger_checks.streams():
                report.streams += 1
                report.problems.extend(_check_stream(uow, stream_id, seq, head, report))
            report.problems.extend(_check_balances(uow, report))
            report.problems.extend(_check_serials(uow, report))
            report.problems.extend(_check_counts(uow))
            report.problems.extend(_check_order_lines(uow))
            if checkpoints is not None:
                report.checkpoints, problems = self._prove(uow, checkpoints)
                report.problems.extend(problems)
        return report

    def _prove(self, uow: UnitOfWork, checkpoints: CheckpointSet
               ) -> tuple[int, list[LedgerProblem]]:
        # Imported here: checkpoint_verify builds on this module's LedgerProblem.
        from lotline.service_layer.checkpoint_verify import prove_against
        from lotline.service_layer.checkpoints import CheckpointService

        installation = CheckpointService(self.uows, self.actor, self.key_file)
        return prove_against(uow, checkpoints, installation.installation_key())


def _check_stream(uow: UnitOfWork, stream_id: str, head_seq: int, head_hash: str,
                  report: VerifyReport) -> list[LedgerProblem]:
    problems: list[LedgerProblem] = []
    previous_hash, expected_seq = GENESIS_HASH, 1
    for movement in uow.ledger_checks.stream_movements(stream_id):
        report.movements += 1
        if movement.seq != expected_seq:
            problems.append(LedgerProblem(
                "missing_rows", stream_id, movement.id,
                f"sequence jumps from {expected_seq - 1} to {movement.seq}"))
        if movement.prev_hash != previous_hash:
            problems.append(LedgerProblem("broken_link", stream_id, movement.id,
                                          f"prev_hash does not match movement {movement.seq - 1}"))
        if recompute_hash(movement) != movement.hash:
            problems.append(LedgerProblem("tampered", stream_id, movement.id,
                                          f"movement {movement.seq} ({movement.kind.value}) "
                                          f"does not match its hash"))
        previous_hash, expected_seq = movement.hash, movement.seq + 1
    if (head_seq, head_hash) != (expected_seq - 1, previous_hash):
        problems.append(LedgerProblem(
            "head_mismatch" if head_seq < expected_seq - 1 else "missing_rows", stream_id, None,
            f"stream head says {head_seq} movements, the ledger has {expected_seq - 1}"
            + ("" if head_seq == expected_seq - 1 else " (rows deleted or head rewound)")))
    return problems


def _check_balances(uow: UnitOfWork, report: VerifyReport) -> list[LedgerProblem]:
    expected = uow.ledger_checks.ledger_balances()
    stored = uow.ledger_checks.stored_balances()
    problems = []
    for key in sorted(set(expected) | set(stored)):
        report.balances += 1
        ledger_value, projected = expected.get(key, Decimal(0)), stored.get(key, Decimal(0))
        if ledger_value != projected:
            problems.append(LedgerProblem(
                "projection", key[0], None,
                f"lot {key[0]} at location {key[1]}: balance {projected}, ledger says "
                f"{ledger_value}"))
    return problems


def _check_serials(uow: UnitOfWork, report: VerifyReport) -> list[LedgerProblem]:
    """Each serial's status and location are those its latest movement left it in."""
    problems = []
    for row in uow.ledger_checks.serial_states():
        report.serials += 1
        status, location = _ledger_state(row)
        if (status, location) != (row.status, row.location_id):
            problems.append(LedgerProblem(
                "projection", None, None,
                f"serial {row.serial_number!r}: {row.status} at {row.location_id}, ledger says "
                f"{status} at {location}"))
    return problems


def _ledger_state(row: Any) -> tuple[str | None, str | None]:
    if row.last_status is not None:
        return row.last_status, row.last_loc
    return row.entry_status, row.entry_loc


def _check_counts(uow: UnitOfWork) -> list[LedgerProblem]:
    actual, stored = uow.ledger_checks.serial_counts()
    return [LedgerProblem("projection", key[0], None,
                          f"product {key[0]} has {actual.get(key, 0)} {key[1]} serials; the "
                          f"count projection says {stored.get(key, 0)}")
            for key in sorted(set(actual) | set(stored))
            if actual.get(key, 0) != stored.get(key, 0)]


def _check_order_lines(uow: UnitOfWork) -> list[LedgerProblem]:
    """No order line holds more units (allocated, picked or shipped: every allocation not
    released) than it orders — what a race or a rewritten row would leave behind."""
    return [LedgerProblem("over_allocated", None, None,
                          f"order {row.reference!r} line {row.line_no} orders {row.quantity} "
                          f"but holds {row.held} (allocated, picked or shipped; "
                          f"{row.picked} picked)")
            for row in uow.ledger_checks.over_allocated_lines()]
