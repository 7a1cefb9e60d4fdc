"""Serial reads and writes beyond the entity basics, mixed into `SerialRepository`: the
registration's savepoint insert, allocation candidates, receipts' units, rescoping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from lotline.adapters import tables as t
from lotline.adapters.repositories.assemblies import components_within
from lotline.domain.errors import DuplicateSerial
from lotline.domain.statuses import LocationKind, SerialStatus
from lotline.service_layer.ports import NewSerials


def _is_unique_violation(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return getattr(error, "sqlstate", None) == "23505"



class SerialQueries:
    conn: Connection
    org_id: str
    table: Table

    if TYPE_CHECKING:  # provided by SerialRepository and its ScopedRepository base
        def count(self, *conditions: Any) -> int: ...
        def select(self) -> Any: ...
        def insert_new(self, new: NewSerials) -> None: ...
        def existing_numbers(self, scope_key: str, numbers: Any) -> list[str]: ...

    def count_in_batch(self, batch_id: str) -> int:
        return self.count(self.table.c.batch_id == batch_id)

    def entry_movement_id(self, serial_id: str) -> str | None:
        """The bulk registration a unit came in with (its own movements name it)."""
        entry: str | None = self.conn.execute(
            self.select().with_only_columns(self.table.c.entry_movement_id)
            .where(self.table.c.id == serial_id)).scalar()
        return entry

    def add_new(self, new: NewSerials) -> None:
        """`insert_new` under a savepoint; on a uniqueness violation, DuplicateSerial naming
        every number already taken."""
        savepoint = self.conn.begin_nested()
        try:
            self.insert_new(new)
        except Exception as error:
            savepoint.rollback()
            if not _is_unique_violation(error):
                raise
            taken = self.existing_numbers(new.scope_key, new.numbers)
            if not taken:
                raise
            raise DuplicateSerial(taken) from None
        savepoint.commit()

    def numbers_at(self, location_id: str) -> set[str]:
        s = t.serials.c
        return set(self.conn.execute(select(s.serial_number).where(
            s.org_id == self.org_id, s.location_id == location_id)).scalars())

    def in_stock_for_allocation(self, product_id: str, batch_id: str | None, wanted: int,
                                lifo: bool) -> list[str]:
        """Ids of units free to allocate (in stock, in storage, not held), oldest first
        (newest with `lifo`), a few more than wanted."""
        s, loc = t.serials.c, t.locations.c
        statement = (select(s.id).join(t.locations, loc.id == s.location_id)
                     .where(s.org_id == self.org_id, s.product_id == product_id,
                            s.status == SerialStatus.IN_STOCK.value, s.hold_kind.is_(None),
                            loc.kind == LocationKind.STORAGE.value, loc.hold_kind.is_(None),
                            s.batch_id == batch_id if batch_id else s.batch_id.is_(None))
                     .order_by(s.id.desc() if lifo else s.id).limit(max(wanted, 0) * 2 + 10))
        return list(self.conn.execute(statement).scalars())

    def reserved_for_customer(self, customer_id: str, product_id: str,
                              batch_id: str | None = None) -> list[str]:
        """Ids of the product's units reserved for the customer with no order yet (of one lot
        when batch_id is given), oldest first."""
        s = t.serials.c
        statement = (select(s.id).where(
            s.org_id == self.org_id, s.customer_id == customer_id, s.product_id == product_id,
            s.status == SerialStatus.ALLOCATED.value, s.order_id.is_(None))
            .order_by(s.id))
        if batch_id is not None:
            statement = statement.where(s.batch_id == batch_id)
        return list(self.conn.execute(statement).scalars())

    def components_within(self, serial_id: str) -> list[tuple[str, str | None]]:
        """(id, batch_id) of every unit installed in this one, at any depth."""
        return components_within(self.conn, self.org_id, serial_id)

    def ids_by_entry_movement(self, movement_id: str) -> list[str]:
        return list(self.conn.execute(select(t.serials.c.id).where(
            t.serials.c.entry_movement_id == movement_id)).scalars())

    def received_by_receipt(self, receipt_id: str) -> list[str]:
        m, s = t.movements.c, t.serials.c
        receipt_moves = select(m.id).where(m.org_id == self.org_id, m.receipt_id == receipt_id)
        direct = select(m.serial_id).where(m.org_id == self.org_id,
                                           m.receipt_id == receipt_id, m.serial_id.isnot(None))
        statement = (select(s.id).where(s.org_id == self.org_id,
                                        s.status == SerialStatus.RECEIVED.value,
                                        or_(s.id.in_(direct),
                                            and_(s.entry_movement_id.in_(receipt_moves))))
                     .order_by(s.id))
        return list(self.conn.execute(statement).scalars())

    def forget_counts(self, product_id: str) -> None:
        self.conn.execute(t.serial_status_counts.delete().where(
            t.serial_status_counts.c.org_id == self.org_id,
            t.serial_status_counts.c.product_id == product_id))

    def numbers_of_several_products(self, limit: int) -> list[str]:
        s = t.serials.c
        return list(self.conn.execute(
            select(s.serial_number).where(s.org_id == self.org_id).group_by(s.serial_number)
            .having(func.count() > 1).limit(limit)).scalars())

    def rescope(self, *, per_organization: bool) -> None:
        s = t.serials.c
        statement = update(t.serials).where(s.org_id == self.org_id)
        self.conn.execute(statement.values(scope_key="" if per_organization
                                           else s.product_id))
