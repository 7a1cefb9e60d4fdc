"""Lots and their balances per location."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement

from lotline.adapters import tables as t
from lotline.adapters.direct import run
from lotline.adapters.repositories.base import ScopedRepository
from lotline.adapters.repositories.common import (
    cached_statement,
    check_limit,
    decode_cursor,
    encode_cursor,
    escape_like,
    hold_from_row,
    part,
    upsert_add,
)
from lotline.adapters.repositories.warehouses import LocationRepository
from lotline.adapters.types import SCALE, Amount
from lotline.domain.errors import InsufficientStock
from lotline.domain.lots import BalanceRow, LotRecord
from lotline.domain.model import CustomField, Location, Page
from lotline.domain.statuses import LocationKind, LotStatus, SerialStatus


def _amount(name: str) -> BindParameter[Decimal]:
    return bindparam(name, type_=Amount())


def _cas(batch_id: str, location_id: str, quantity: Decimal) -> dict[str, Any]:
    return {"batch": batch_id, "location": location_id, "quantity": quantity}


class BatchRepository(ScopedRepository[LotRecord]):
    table = t.batches
    entity_name = "batch"
    # Called with the lot's id before any of its balances changes. The unit of work takes the
    # lot's ledger stream head there (its row lock), so every writer locks a lot's row before
    # its balance rows: writers locking them in the other order deadlocked on PostgreSQL.
    before_balance_change: Callable[[str], object] | None = None

    # Called with (lot id, chain seq, chain head) of every lot row read, when the unit of work
    # can take the ledger's head from it (SQLite write transactions; see Ledger.prime).
    head_seen: Callable[[str, int, str], object] | None = None

    def _note_head(self, row: Row[Any]) -> None:
        if self.head_seen is not None:
            self.head_seen(row.id, int(row.chain_seq), str(row.chain_head))

    def get_row(self, entity_id: str, *, for_update: bool = False) -> Row[Any] | None:
        row = super().get_row(entity_id, for_update=for_update)
        if row is not None:
            self._note_head(row)
        return row

    def _lock_lot(self, batch_id: str) -> None:
        if self.before_balance_change is not None:
            self.before_balance_change(batch_id)

    def get_at(self, batch_id: str, location_id: str) -> tuple[LotRecord | None,
                                                               Location | None]:
        """The lot (as `get`) and a location (as LocationRepository.get) in ONE statement:
        picking and shipping check both before taking units out."""
        statement = cached_statement((type(self), "get at"), _get_at_statement)
        row = run(self.conn, statement, {"org_id": self.org_id, "batch_id": batch_id,
                                         "location_id": location_id}).one()
        lot = location = None
        if row.id is not None:
            self._note_head(row)
            lot = self.to_entity(row)
        if row.location__id is not None:
            location = LocationRepository(self.conn, self.org_id).to_entity(
                part(row, t.locations, len(t.batches.c)))
        return lot, location

    def numbers(self, ids: Sequence[str]) -> dict[str, str]:
        """Lot numbers by id (a page of serials names its lots): two columns, a cached
        statement, not whole lots."""
        if not ids:
            return {}
        c = self.table.c
        statement = cached_statement((type(self), "numbers"), lambda: select(
            c.id, c.batch_number).where(c.org_id == bindparam("scope_org_id"),
                                        c.id.in_(bindparam("ids", expanding=True))))
        rows = run(self.conn, statement, {"scope_org_id": self.org_id, "ids": list(ids)})
        return {row.id: row.batch_number for row in rows}

    def to_entity(self, row: Row[Any]) -> LotRecord:
        return LotRecord(
            id=row.id, product_id=row.product_id, supplier_id=row.supplier_id,
            batch_number=row.batch_number,
            manufacturer_batch_number=row.manufacturer_batch_number,
            internal_batch_number=row.internal_batch_number,
            external_batch_number=row.external_batch_number,
            manufacturing_date=row.manufacturing_date, expiry_date=row.expiry_date,
            quantity=row.quantity, unit_cost=row.unit_cost, purchase_date=row.purchase_date,
            received_at=row.received_at, entry_transaction_ref=row.entry_transaction_ref,
            location_id=row.location_id, status=LotStatus(row.status), hold=hold_from_row(row),
            sales_rate=row.sales_rate, label_rate=row.label_rate,
            custom_fields=[CustomField(**item) for item in row.custom_fields],
            serial_count=row.serial_count, created_at=row.created_at, updated_at=row.updated_at)

    def visible(self) -> tuple[ColumnElement[bool], ...]:
        # Deleted lots keep their rows (the ledger points at them) but are gone for every door.
        return (self.table.c.deleted_at.is_(None),)

    def by_identity(self, product_id: str, supplier_key: str, folded: str) -> LotRecord | None:
        statement = self.select().where(
            self.table.c.product_id == product_id, self.table.c.supplier_key == supplier_key,
            self.table.c.batch_number_folded == folded)
        row = self.conn.execute(statement).first()
        return None if row is None else self.to_entity(row)

    def by_number(self, folded: str) -> list[LotRecord]:
        statement = self.select().where(self.table.c.batch_number_folded == folded)
        rows = self.conn.execute(statement.order_by(t.batches.c.id))
        return [self.to_entity(row) for row in rows]

    def for_product(self, product_id: str) -> list[LotRecord]:
        c = self.table.c
        statement = cached_statement(("batches", "for product"), lambda: select(self.table).where(
            c.org_id == bindparam("org_id"), c.product_id == bindparam("product_id"),
            *self.visible()))
        rows = list(run(self.conn, statement, {"org_id": self.org_id,
                                               "product_id": product_id}))
        for row in rows:
            self._note_head(row)
        return [self.to_entity(row) for row in rows]

    def for_product_with_balances(self, product_id: str
                                  ) -> tuple[list[LotRecord], dict[str, list[BalanceRow]]]:
        """`for_product` and `balances` of those lots in ONE statement (allocating by
        quantity reads both)."""
        statement = cached_statement((type(self), "for product with balances"),
                                     _with_balances_statement)
        lots: dict[str, LotRecord] = {}
        balances: dict[str, list[BalanceRow]] = defaultdict(list)
        for row in run(self.conn, statement, {"org_id": self.org_id,
                                              "product_id": product_id}):
            if row.id not in lots:
                self._note_head(row)
                lots[row.id] = self.to_entity(row)
            if row.balance__location_id is not None:
                balances[row.id].append(BalanceRow(
                    location_id=row.balance__location_id, kind=LocationKind(row.location__kind),
                    location_held=row.location__hold_kind is not None,
                    in_quantity=row.balance__in_quantity,
                    balance_quantity=row.balance__balance_quantity,
                    allocated_quantity=row.balance__allocated_quantity))
        return list(lots.values()), balances

    def expiring_between(self, start: dt.date | None, end: dt.date) -> list[LotRecord]:
        """Lots with an expiry date in [start, end) (start None: any time before end)."""
        conditions = [self.table.c.expiry_date.isnot(None), self.table.c.expiry_date < end]
        if start is not None:
            conditions.append(self.table.c.expiry_date >= start)
        statement = self.select().where(*conditions).order_by(self.table.c.expiry_date,
                                                              self.table.c.id)
        return [self.to_entity(row) for row in self.conn.execute(statement)]

    def search(self, *, product_id: str | None, supplier_id: str | None,
               status: LotStatus | None, expiring_before: dt.date | None,
               has_stock: bool | None, q: str | None, limit: int,
               cursor: str | None, on_hold: bool | None = None,
               by_expiry: bool = False) -> Page[LotRecord]:
        statement = self.select()
        c = self.table.c
        if on_hold is not None:
            statement = statement.where(c.hold_kind.isnot(None) if on_hold
                                        else c.hold_kind.is_(None))
        if product_id is not None:
            statement = statement.where(c.product_id == product_id)
        if supplier_id is not None:
            statement = statement.where(c.supplier_id == supplier_id)
        if status is not None:
            statement = statement.where(c.status == status.value)
        if expiring_before is not None:
            statement = statement.where(c.expiry_date < expiring_before)
        if q:
            statement = statement.where(
                c.batch_number_folded.like(f"%{escape_like(q.casefold())}%", escape="\\"))
        if has_stock is not None:
            stocked = exists().where(t.lot_balances.c.batch_id == c.id,
                                     t.lot_balances.c.balance_quantity > 0)
            statement = statement.where(stocked if has_stock else ~stocked)
        if by_expiry:
            return self._expiry_page(statement, limit, cursor)
        return self.page(statement, limit, cursor)

    def _expiry_page(self, statement: Select[Any], limit: int,
                     cursor: str | None) -> Page[LotRecord]:
        """Keyset pages by expiry date (lots without one last), then id."""
        c = self.table.c
        limit = check_limit(limit)
        undated = case((c.expiry_date.is_(None), 1), else_=0)
        after = decode_cursor(cursor, 3)
        if after is not None:
            last_id = str(after[2])
            if after[1] is None:
                statement = statement.where(c.expiry_date.is_(None), c.id > last_id)
            else:
                day = dt.date.fromisoformat(str(after[1]))
                statement = statement.where(or_(c.expiry_date.is_(None), c.expiry_date > day,
                                                and_(c.expiry_date == day, c.id > last_id)))
        rows = self.conn.execute(statement.order_by(undated, c.expiry_date, c.id)
                                 .limit(limit + 1)).all()
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            expiry = last.expiry_date.isoformat() if last.expiry_date else None
            next_cursor = encode_cursor([int(expiry is None), expiry, last.id])
        return Page([self.to_entity(row) for row in rows[:limit]], next_cursor)

    def mark_deleted(self, batch_id: str, moment: dt.datetime) -> None:
        self.update(batch_id, {"deleted_at": moment, "updated_at": moment})

    def add_serials_to_cap(self, batch: LotRecord, count: int) -> None:
        """Count `count` more serials against the lot's quantity, atomically (DESIGN §2)."""
        c = self.table.c
        # `quantity` is an Amount: millionths on SQLite, so scale the unit count to compare.
        scale = SCALE if self.conn.dialect.name == "sqlite" else 1
        statement = (update(self.table)
                     .where(c.id == batch.id, (c.serial_count + count) * scale <= c.quantity)
                     .values(serial_count=c.serial_count + count))
        if self.conn.execute(statement).rowcount == 1:
            return
        current = self.conn.execute(
            select(c.serial_count, c.quantity).where(c.id == batch.id)).one()
        raise InsufficientStock(
            f"lot {batch.batch_number!r} holds at most {current.quantity} serials; "
            f"{current.serial_count} are registered and {count} more were given "
            f"(over by {current.serial_count + count - current.quantity})",
            batch_id=batch.id, quantity=str(current.quantity),
            registered=current.serial_count, requested=count)

    def release_serials_from_cap(self, batch_id: str, count: int) -> None:
        c = self.table.c
        self.conn.execute(update(self.table).where(c.id == batch_id)
                          .values(serial_count=c.serial_count - count))

    # --- balances per location -------------------------------------------------------------

    def balances(self, batch_ids: Sequence[str]) -> dict[str, list[BalanceRow]]:
        result: dict[str, list[BalanceRow]] = defaultdict(list)
        if not batch_ids:
            return result
        b, loc = t.lot_balances, t.locations
        statement = cached_statement(("lot_balances", "of lots"), lambda: (
            select(b, loc.c.kind, loc.c.hold_kind).join(loc, loc.c.id == b.c.location_id)
            .where(b.c.org_id == bindparam("org_id"),
                   b.c.batch_id.in_(bindparam("batch_ids", expanding=True)))
            .order_by(b.c.batch_id, loc.c.code)))
        for row in run(self.conn, statement, {"org_id": self.org_id,
                                                 "batch_ids": list(batch_ids)}):
            result[row.batch_id].append(BalanceRow(
                location_id=row.location_id, kind=LocationKind(row.kind),
                location_held=row.hold_kind is not None, in_quantity=row.in_quantity,
                balance_quantity=row.balance_quantity,
                allocated_quantity=row.allocated_quantity))
        return result

    def in_stock_serial_counts(self, batch_ids: Sequence[str]) -> dict[str, int]:
        if not batch_ids:
            return {}
        s = t.serials
        statement = (select(s.c.batch_id, func.count())
                     .where(s.c.batch_id.in_(list(batch_ids)),
                            s.c.status == SerialStatus.IN_STOCK.value, s.c.hold_kind.is_(None))
                     .group_by(s.c.batch_id))
        return {row[0]: int(row[1]) for row in self.conn.execute(statement)}

    def add_balance(self, batch_id: str, location_id: str, quantity: Decimal, *,
                    received: bool) -> None:
        """Units arrive at a location; `received` also counts them as received there."""
        self._lock_lot(batch_id)
        upsert_add(self.conn, t.lot_balances,
                   {"batch_id": batch_id, "location_id": location_id},
                   {"in_quantity": quantity if received else Decimal(0),
                    "balance_quantity": quantity},
                   {"org_id": self.org_id, "allocated_quantity": Decimal(0)})

    def take_balance(self, batch_id: str, location_id: str, quantity: Decimal,
                     batch_number: str, *, unreceived: bool = False) -> None:
        """Units leave a location: compare-and-set, so the balance never goes negative;
        `unreceived` (a correction of what was received) also takes them off `in_quantity`."""
        self._lock_lot(batch_id)
        b = t.lot_balances
        received = b.c.in_quantity - quantity if unreceived else b.c.in_quantity
        statement = (update(b)
                     .where(b.c.batch_id == batch_id, b.c.location_id == location_id,
                            and_(b.c.balance_quantity - b.c.allocated_quantity >= quantity))
                     .values(balance_quantity=b.c.balance_quantity - quantity,
                             in_quantity=received))
        if self.conn.execute(statement).rowcount == 1:
            return
        row = self.conn.execute(select(b.c.balance_quantity, b.c.allocated_quantity).where(
            b.c.batch_id == batch_id, b.c.location_id == location_id)).first()
        free = Decimal(0) if row is None else row.balance_quantity - row.allocated_quantity
        raise InsufficientStock(
            f"lot {batch_number!r} has {free} free at that location; {quantity} were asked for "
            f"(short by {quantity - free})", batch_id=batch_id, location_id=location_id,
            available=str(free), requested=str(quantity))

    # --- allocation against balances (compare-and-set, never negative) ------------------

    def reserve(self, batch_id: str, location_id: str, quantity: Decimal) -> bool:
        self._lock_lot(batch_id)
        b = t.lot_balances.c
        statement = cached_statement(("lot_balances", "reserve"), lambda: (
            update(t.lot_balances)
            .where(b.batch_id == bindparam("batch"), b.location_id == bindparam("location"),
                   b.balance_quantity - b.allocated_quantity >= _amount("quantity"))
            .values(allocated_quantity=b.allocated_quantity + _amount("quantity"))))
        return bool(run(self.conn, statement, _cas(batch_id, location_id, quantity))
                    .rowcount == 1)

    def unreserve(self, batch_id: str, location_id: str, quantity: Decimal) -> None:
        self._lock_lot(batch_id)
        b = t.lot_balances.c
        statement = cached_statement(("lot_balances", "unreserve"), lambda: (
            update(t.lot_balances)
            .where(b.batch_id == bindparam("batch"), b.location_id == bindparam("location"),
                   b.allocated_quantity >= _amount("quantity"))
            .values(allocated_quantity=b.allocated_quantity - _amount("quantity"))))
        if run(self.conn, statement, _cas(batch_id, location_id, quantity)).rowcount != 1:
            raise InsufficientStock(f"lot {batch_id} has less than {quantity} allocated there",
                                    batch_id=batch_id, location_id=location_id)

    def ship_reserved(self, batch_id: str, location_id: str, quantity: Decimal) -> None:
        """Allocated units leave: balance and allocation drop together."""
        self._lock_lot(batch_id)
        b = t.lot_balances.c
        statement = cached_statement(("lot_balances", "ship reserved"), lambda: (
            update(t.lot_balances)
            .where(b.batch_id == bindparam("batch"), b.location_id == bindparam("location"),
                   b.allocated_quantity >= _amount("quantity"))
            .values(allocated_quantity=b.allocated_quantity - _amount("quantity"),
                    balance_quantity=b.balance_quantity - _amount("quantity"))))
        if run(self.conn, statement, _cas(batch_id, location_id, quantity)).rowcount != 1:
            raise InsufficientStock(f"lot {batch_id} has less than {quantity} allocated there",
                                    batch_id=batch_id, location_id=location_id)

    def set_quantity_at_least(self, batch_id: str, quantity: Decimal) -> None:
        c = self.table.c
        self.conn.execute(update(self.table).where(c.id == batch_id, c.quantity < quantity)
                          .values(quantity=quantity))

    def add_quantity(self, batch_id: str, quantity: Decimal) -> None:
        c = self.table.c
        self.conn.execute(update(self.table).where(c.id == batch_id)
                          .values(quantity=c.quantity + quantity))


def _get_at_statement() -> Select[Any]:
    """One row whatever exists: the lot's columns, then the location's (`location__` + name),
    NULL where it does not."""
    b, loc = t.batches, t.locations
    one = select(literal_column("1").label("one")).subquery("one")
    return (select(b, *(column.label(f"location__{column.key}") for column in loc.c))
            .select_from(one)
            .outerjoin(b, and_(b.c.org_id == bindparam("org_id"),
                               b.c.id == bindparam("batch_id"), b.c.deleted_at.is_(None)))
            .outerjoin(loc, and_(loc.c.org_id == bindparam("org_id"),
                                 loc.c.id == bindparam("location_id"))))


def _with_balances_statement() -> Select[Any]:
    """The product's lots, each with its balances (`balance__` + name) and their locations'
    kind and hold (`location__`), in location code order; a lot without one comes once."""
    b, lb, loc = t.batches, t.lot_balances, t.locations
    balance = [lb.c[name].label(f"balance__{name}") for name in
               ("location_id", "in_quantity", "balance_quantity", "allocated_quantity")]
    return (select(b, *balance, loc.c.kind.label("location__kind"),
                   loc.c.hold_kind.label("location__hold_kind"))
            # Two outer joins, not one to (balances JOIN locations): SQLite materialised that
            # inner join over every balance of the database before matching the lots.
            .outerjoin(lb, lb.c.batch_id == b.c.id)
            .outerjoin(loc, loc.c.id == lb.c.location_id)
            .where(b.c.org_id == bindparam("org_id"), b.c.product_id == bindparam("product_id"),
                   b.c.deleted_at.is_(None))
            .order_by(b.c.id, loc.c.code))
