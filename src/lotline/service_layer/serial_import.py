"""Importing serial numbers from a file of any size: all or nothing, in bounded memory.

1. Rows are read one at a time, checked (`SerialRowChecker`) and staged by chunks into a
   TEMP table of the import's own connection, each chunk in a short transaction that takes
   no write lock on the main database.
2. A dry run (or a run with bad rows) then looks for numbers repeated in the file and numbers
   already registered, reports everything, and writes nothing.
3. A real run takes the write lock once: caps checked, one INSERT ... SELECT into `serials`,
   one ledger movement per product, lot, status, location and cost (DESIGN §5), the status
   counts and lot balances moved. A number registered meanwhile fails the INSERT; the
   duplicates are then reported like any others.

A process killed at any point leaves the database as it was: staging lives in a TEMP table
that dies with the connection, and the final transaction commits whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from lotline.domain.errors import Conflict, NotFound
from lotline.domain.exchange import MAX_REPORTED_ERRORS, HeaderMap, ImportReport
from lotline.domain.lots import LotRecord
from lotline.domain.statuses import MovementKind
from lotline.files.tabular import Table
from lotline.service_layer.context import Actor
from lotline.service_layer.exchange_refs import References
from lotline.service_layer.query_ports import SerialStaging
from lotline.service_layer.serial_rows import Group, SerialDefaults, SerialRowChecker, Tally
from lotline.service_layer.unit_of_work import StagedImport, UnitOfWork, UnitOfWorkFactory

CHUNK = 20_000
ProgressFn = Callable[[str, int, int], None]


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    return None


class _Duplicates(Exception):
    """The final INSERT met a number that is already registered."""


class SerialImport:
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor, report: ImportReport,
                 progress: ProgressFn | None = None, reason: str | None = None) -> None:
        self.uows = uows
        self.actor = actor
        self.report = report
        self.progress = progress or _no_progress
        self.reason = reason
        self.timezone = "UTC"

    def run(self, table: Table, header: HeaderMap, defaults: SerialDefaults) -> ImportReport:
        with self.uows.staged_import(self.actor) as session:
            return self._run(session, table, header, defaults)

    def _run(self, session: StagedImport, table: Table, header: HeaderMap,
             defaults: SerialDefaults) -> ImportReport:
        staging = session.staging
        try:
            staging.create()
            checker = SerialRowChecker(References(self.uows, self.actor), header,
                                       self.report, defaults, session)
            self.timezone = checker.timezone
            self._stage(table, checker, staging)
            self._check_caps(checker.tally)
            if self.report.dry_run or not self.report.ok:
                self._report_duplicates(staging)
                return self.report
            try:
                self._commit(session, checker.tally)
            except _Duplicates:
                self._report_duplicates(staging)
            return self.report
        finally:
            staging.drop()

    def _stage(self, table: Table, checker: SerialRowChecker, staging: SerialStaging) -> None:
        chunk: list[tuple[object, ...]] = []
        report, check = self.report, checker.check
        for line, cells in table.rows:
            report.rows += 1
            staged = check(line, cells)
            if staged is not None:
                chunk.append(staged)
            if report.rows % CHUNK == 0:
                staging.add(chunk)
                chunk = []
                self.progress("reading", table.position(), table.size)
        staging.add(chunk)
        self.progress("reading", table.size, table.size)

    def _check_caps(self, tally: Tally) -> None:
        for batch_id, count in tally.per_batch.items():
            lot = tally.lots[batch_id]
            room = int(lot.quantity) - lot.serial_count
            if count > room:
                self.report.add(0, "batch_number", lot.batch_number,
                                f"lot {lot.batch_number!r} holds at most {lot.quantity} serials;"
                                f" {lot.serial_count} are registered and the file adds {count}")

    def _report_duplicates(self, staging: SerialStaging) -> None:
        staging.index("scope_key", "serial_number")
        for number, rows in staging.duplicates_in_file(MAX_REPORTED_ERRORS):
            for row in rows:
                others = ", ".join(str(r) for r in rows if r != row)
                self.report.add(row, "serial_number", number,
                                f"repeated in the file (also row {others})")
        for row, number in staging.duplicates_in_database(MAX_REPORTED_ERRORS):
            self.report.add(row, "serial_number", number, "already registered")
        self.report.errors.sort(key=lambda e: e.row)

    def _commit(self, session: StagedImport, tally: Tally) -> None:
        staging = session.staging
        groups = tally.groups
        if len(groups) > 4:
            staging.index("group_no")
        self.progress("writing", 0, len(groups) + 1)
        with session.writing() as uow:
            lots = {batch_id: _locked_lot(uow, batch_id) for batch_id in tally.per_batch}
            for batch_id, count in tally.per_batch.items():
                uow.batches.add_serials_to_cap(lots[batch_id], count)
            try:
                staging.insert_into_serials(self.actor.now())
            except Conflict as error:  # a number registered meanwhile
                raise _Duplicates from error
            arrived: set[str] = set()
            for done, group in enumerate(groups, start=1):
                self._record(uow, staging, group, lots, arrived)
                uow.ledger.flush()  # written now, so its serial numbers need not stay around
                self.progress("writing", done, len(groups) + 1)
        self.report.written = sum(g.count for g in groups)
        self.report.movements = len(groups)
        self.progress("writing", len(groups) + 1, len(groups) + 1)

    def _record(self, uow: UnitOfWork, staging: SerialStaging, group: Group,
                lots: dict[str, LotRecord], arrived: set[str]) -> None:
        single = group.count == 1
        numbers = staging.group_numbers(group.number)
        lot = lots.get(group.batch_id) if group.batch_id else None
        location = group.location_id
        cost = group.unit_cost if group.unit_cost is not None else (
            lot.unit_cost if lot else None)
        uow.ledger.record(
            MovementKind.RECEIPT if location else MovementKind.STATUS_CHANGE,
            product_id=group.product_id, batch_id=group.batch_id,
            serial_id=staging.group_ids(group.number)[0] if single else None,
            quantity=Decimal(group.count),
            to_location_id=location, to_status=group.status, unit_cost=cost,
            serial_numbers=() if single else numbers,
            movement_id=group.movement_id, reason=self.reason)
        del numbers
        uow.serials.bump_count(group.product_id, group.status, group.count, group.batch_id)
        if lot is not None and location is not None:
            uow.batches.add_balance(lot.id, location, Decimal(group.count), received=True)
            if lot.id not in arrived:
                arrived.add(lot.id)
                _first_arrival(uow, lot, group.movement_id, location, self.timezone)


def _locked_lot(uow: UnitOfWork, batch_id: str) -> LotRecord:
    lot = uow.batches.get(batch_id, for_update=True)
    if lot is None:
        raise NotFound("batch", batch_id, "batch_number")
    return lot


def _first_arrival(uow: UnitOfWork, lot: LotRecord, movement_id: str, location_id: str,
                   timezone: str) -> None:
    """As a registration does (serial_rules.note_first_arrival): a serial lot's first unit
    sets its entry movement, and its receipt time unless it had a purchase date."""
    if lot.entry_transaction_ref is not None:
        return
    now = uow.actor.now()
    values: dict[str, object] = {"entry_transaction_ref": movement_id,
                                 "location_id": location_id, "updated_at": now}
    if lot.received_at == lot.created_at:
        values["received_at"] = now
        values["purchase_date"] = uow.actor.today(timezone)
    uow.batches.update(lot.id, values)
