"""`ledger verify`: check every hash chain and recompute the projections from the ledger.

It reports what it finds (tampered rows, broken links, a missing tail, projections that
disagree with the ledger) and never repairs anything."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select, union_all

from lotline.adapters import tables as t
from lotline.adapters.repositories.movements import movement_from_row
from lotline.domain.ledger import GENESIS_HASH, recompute_hash
from lotline.domain.model import Movement
from lotline.domain.statuses import Role
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor
from lotline.service_layer.unit_of_work import UnitOfWork

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
    def __init__(self, engine: Engine, actor: Actor, key_file: Path | None = None) -> None:
        super().__init__(engine, actor)
        self.key_file = key_file

    def verify(self, checkpoints: CheckpointSet | None = None) -> VerifyReport:
        """Every check; with `checkpoints` (as exported), also prove the chains against them
        (the public key they carry must be the installation's, when it has one)."""
        self.actor.require(Role.ADMIN, "verifying the ledger")
        report = VerifyReport()
        with self.reading() as uow:
            for stream_id, seq, head in _streams(uow):
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

        installation = CheckpointService(self.engine, self.actor, self.key_file)
        return prove_against(uow, checkpoints, installation.installation_key())


def _streams(uow: UnitOfWork) -> Iterator[tuple[str, int, str]]:
    org = uow.actor.org_id
    for table in (t.batches, t.products):
        statement = (select(table.c.id, table.c.chain_seq, table.c.chain_head)
                     .where(table.c.org_id == org).order_by(table.c.id))
        for row in uow.conn.execute(statement):
            yield row.id, int(row.chain_seq), str(row.chain_head)
    # Movements whose stream has no head row at all (its lot or product row is gone).
    known = union_all(select(t.batches.c.id).where(t.batches.c.org_id == org),
                      select(t.products.c.id).where(t.products.c.org_id == org)).subquery()
    orphans = (select(t.movements.c.stream_id).distinct()
               .where(t.movements.c.org_id == org, t.movements.c.stream_id.not_in(
                   select(known.c.id))))
    for stream_id in uow.conn.execute(orphans).scalars():
        yield stream_id, 0, GENESIS_HASH


def _stream_movements(uow: UnitOfWork, stream_id: str) -> list[Movement]:
    m = t.movements.c
    rows = list(uow.conn.execute(select(t.movements).where(
        m.org_id == uow.actor.org_id, m.stream_id == stream_id).order_by(m.seq)))
    bulk = [row.id for row in rows if row.serial_id is None]
    numbers = uow.serials.numbers_for_entry(bulk) if bulk else {}
    return [movement_from_row(row, numbers.get(row.id, ()) if row.serial_id is None else ())
            for row in rows]


def _check_stream(uow: UnitOfWork, stream_id: str, head_seq: int, head_hash: str,
                  report: VerifyReport) -> list[LedgerProblem]:
    problems: list[LedgerProblem] = []
    previous_hash, expected_seq = GENESIS_HASH, 1
    for movement in _stream_movements(uow, stream_id):
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


def _ledger_balances(uow: UnitOfWork) -> dict[tuple[str, str], Decimal]:
    """Per lot and location: what came in minus what went out, summed in the database."""
    m = t.movements.c
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for location, sign in ((m.to_location_id, 1), (m.from_location_id, -1)):
        statement = (select(m.batch_id, location, func.sum(m.quantity))
                     .where(m.org_id == uow.actor.org_id, m.batch_id.isnot(None),
                            location.isnot(None))
                     .group_by(m.batch_id, location))
        for batch_id, location_id, quantity in uow.conn.execute(statement):
            totals[(batch_id, location_id)] += sign * quantity
    return totals


def _check_balances(uow: UnitOfWork, report: VerifyReport) -> list[LedgerProblem]:
    expected = _ledger_balances(uow)
    b = t.lot_balances.c
    stored = {(row.batch_id, row.location_id): row.balance_quantity
              for row in uow.conn.execute(select(b.batch_id, b.location_id, b.balance_quantity)
                                          .where(b.org_id == uow.actor.org_id))}
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
    s, m = t.serials.c, t.movements.c
    # A serial's movements can span streams (announced without a lot, received into one), so
    # its latest movement is the last recorded, not the highest seq of one stream.
    ranked = (select(m.serial_id, m.to_status, m.to_location_id,
                     func.row_number().over(partition_by=m.serial_id,
                                            order_by=(m.recorded_at.desc(), m.id.desc()))
                     .label("rank"))
              .where(m.org_id == uow.actor.org_id, m.serial_id.isnot(None)).subquery())
    last = select(ranked).where(ranked.c.rank == 1).subquery()
    entry = t.movements.alias("entry")
    statement = (
        select(s.id, s.serial_number, s.status, s.location_id,
               last.c.to_status.label("last_status"), last.c.to_location_id.label("last_loc"),
               entry.c.to_status.label("entry_status"),
               entry.c.to_location_id.label("entry_loc"))
        .select_from(t.serials)
        .outerjoin(last, last.c.serial_id == s.id)
        .outerjoin(entry, entry.c.id == s.entry_movement_id)
        .where(s.org_id == uow.actor.org_id))
    problems = []
    for row in uow.conn.execute(statement):
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
    s, sc = t.serials.c, t.serial_status_counts.c
    org = uow.actor.org_id
    actual = {(row[0], row[1]): int(row[2]) for row in uow.conn.execute(
        select(s.product_id, s.status, func.count()).where(s.org_id == org)
        .group_by(s.product_id, s.status))}
    stored = {(row[0], row[1]): int(row[2]) for row in uow.conn.execute(
        select(sc.product_id, sc.status, sc.count).where(sc.org_id == org))}
    return [LedgerProblem("projection", key[0], None,
                          f"product {key[0]} has {actual.get(key, 0)} {key[1]} serials; the "
                          f"count projection says {stored.get(key, 0)}")
            for key in sorted(set(actual) | set(stored))
            if actual.get(key, 0) != stored.get(key, 0)]


def _check_order_lines(uow: UnitOfWork) -> list[LedgerProblem]:
    """No order line holds more units (allocated, picked or shipped: every allocation not
    released) than it orders — what a race or a rewritten row would leave behind."""
    a, ol, o = t.order_allocations.c, t.order_lines.c, t.orders.c
    held = (select(a.order_line_id, func.sum(a.quantity).label("held"),
                   func.sum(a.picked_quantity).label("picked"))
            .where(a.org_id == uow.actor.org_id, a.status != "released")
            .group_by(a.order_line_id).subquery())
    statement = (select(o.id, o.reference, ol.line_no, ol.quantity, held.c.held, held.c.picked)
                 .select_from(t.order_lines)
                 .join(held, held.c.order_line_id == ol.id).join(t.orders, o.id == ol.order_id)
                 .where(ol.org_id == uow.actor.org_id, held.c.held > ol.quantity)
                 .order_by(o.reference, ol.line_no))
    return [LedgerProblem("over_allocated", None, None,
                          f"order {row.reference!r} line {row.line_no} orders {row.quantity} "
                          f"but holds {row.held} (allocated, picked or shipped; "
                          f"{row.picked} picked)")
            for row in uow.conn.execute(statement)]
