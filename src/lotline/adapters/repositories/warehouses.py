"""Warehouses and their locations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, exists, or_, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.base import ScopedRepository
from lotline.adapters.repositories.catalog import address_of
from lotline.adapters.repositories.common import escape_like, hold_from_row
from lotline.domain.model import Location, Page, Warehouse
from lotline.domain.statuses import LocationKind


class WarehouseRepository(ScopedRepository[Warehouse]):
    table = t.warehouses
    entity_name = "warehouse"

    def to_entity(self, row: Row[Any]) -> Warehouse:
        return Warehouse(id=row.id, code=row.code, name=row.name, is_default=row.is_default,
                         created_at=row.created_at, phone=row.phone, address=address_of(row),
                         gln=row.gln)

    def default(self) -> Warehouse | None:
        row = self.conn.execute(self.select().where(self.table.c.is_default.is_(True))).first()
        return None if row is None else self.to_entity(row)

    def by_code(self, code: str) -> Warehouse | None:
        row = self.conn.execute(self.select().where(self.table.c.code == code)).first()
        return None if row is None else self.to_entity(row)

    def list_page(self, limit: int, cursor: str | None) -> Page[Warehouse]:
        return self.page(self.select(), limit, cursor)


class LocationRepository(ScopedRepository[Location]):
    table = t.locations
    entity_name = "location"

    def to_entity(self, row: Row[Any]) -> Location:
        return Location(id=row.id, warehouse_id=row.warehouse_id, code=row.code,
                        kind=LocationKind(row.kind), hold=hold_from_row(row),
                        created_at=row.created_at)

    def by_code(self, warehouse_id: str, code: str) -> Location | None:
        statement = self.select().where(self.table.c.warehouse_id == warehouse_id,
                                        self.table.c.code == code)
        row = self.conn.execute(statement).first()
        return None if row is None else self.to_entity(row)

    def list_page(self, warehouse_id: str | None, kind: LocationKind | None, limit: int,
                  cursor: str | None, q: str | None = None) -> Page[Location]:
        statement = self.select()
        if q:  # codes are stored upper case
            pattern = f"%{escape_like(q.upper())}%"
            statement = statement.where(self.table.c.code.like(pattern, escape="\\"))
        if warehouse_id is not None:
            statement = statement.where(self.table.c.warehouse_id == warehouse_id)
        if kind is not None:
            statement = statement.where(self.table.c.kind == kind.value)
        return self.page(statement, limit, cursor)

    def holds_or_held_stock(self, location_id: str) -> bool:
        m = t.movements.c
        checks = (
            exists().where(t.lot_balances.c.location_id == location_id),
            exists().where(t.serials.c.location_id == location_id),
            exists().where(or_(m.from_location_id == location_id,
                               m.to_location_id == location_id)),
            exists().where(t.batches.c.location_id == location_id),
        )
        return any(self.conn.execute(select(check)).scalar() for check in checks)

    def kinds(self, ids: list[str]) -> dict[str, LocationKind]:
        if not ids:
            return {}
        statement = select(self.table.c.id, self.table.c.kind).where(
            self.scoped(), self.table.c.id.in_(ids))
        return {row.id: LocationKind(row.kind) for row in self.conn.execute(statement)}
