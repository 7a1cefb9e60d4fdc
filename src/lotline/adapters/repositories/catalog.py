"""Products, suppliers and customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select, Table, exists, func, or_, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.base import ScopedRepository
from lotline.adapters.repositories.common import contains
from lotline.domain.model import Address, Customer, CustomField, Page, Product, Supplier
from lotline.domain.statuses import RemovalStrategy, Tracking


def custom_fields_of(row: Row[Any]) -> list[CustomField]:
    """A row's custom fields (NULL: none; a query that did not select them: none shown)."""
    stored = getattr(row, "custom_fields", None)
    return [CustomField(label=item["label"], value=item["value"],
                        custom_field_id=item.get("custom_field_id"))
            for item in stored or ()]


class ProductRepository(ScopedRepository[Product]):
    table = t.products
    entity_name = "product"

    def to_entity(self, row: Row[Any]) -> Product:
        return Product(
            id=row.id, sku=row.sku, name=row.name, gtin=row.gtin, uom=row.uom,
            tracking=Tracking(row.tracking), removal_strategy=RemovalStrategy(row.removal_strategy),
            shelf_life_days=row.shelf_life_days, expiry_alert_days=row.expiry_alert_days,
            serial_pattern=row.serial_pattern, created_at=row.created_at,
            updated_at=row.updated_at, custom_fields=custom_fields_of(row))

    def by_sku(self, sku: str) -> Product | None:
        row = self.conn.execute(self.select().where(self.table.c.sku == sku)).first()
        return None if row is None else self.to_entity(row)

    def used_by(self, product_id: str, kinds: Sequence[str]) -> str | None:
        tables = {"lots": t.batches, "serials": t.serials, "order lines": t.order_lines,
                  "movements": t.movements}
        for kind in kinds:
            if self.conn.execute(select(exists().where(
                    tables[kind].c.product_id == product_id))).scalar():
                return kind
        return None

    def by_gtin(self, gtin: str) -> Product | None:
        row = self.conn.execute(self.select().where(self.table.c.gtin == gtin)).first()
        return None if row is None else self.to_entity(row)

    def search(self, q: str | None, tracking: Tracking | None, limit: int,
               cursor: str | None) -> Page[Product]:
        statement = self.select()
        if q:
            statement = statement.where(or_(contains(self.conn, self.table.c.sku, q),
                                            contains(self.conn, self.table.c.name, q)))
        if tracking is not None:
            statement = statement.where(self.table.c.tracking == tracking.value)
        return self.page(statement, limit, cursor)


def address_of(row: Row[Any]) -> Address:
    return Address(street=row.street, city=row.city, postal_code=row.postal_code,
                   country=row.country, region=row.region)


P = TypeVar("P", Supplier, Customer)


class PartyRepository(ScopedRepository[P]):
    referrers: tuple[tuple[Table, str], ...] = ()

    def used_by(self, party_id: str) -> str | None:
        for table, column in self.referrers:
            if self.conn.execute(select(exists().where(table.c[column] == party_id))).scalar():
                return table.name
        return None

    def search(self, q: str | None, limit: int, cursor: str | None) -> Page[P]:
        statement: Select[Any] = self.select()
        if q:
            statement = statement.where(or_(contains(self.conn, self.table.c.name, q),
                                            contains(self.conn, self.table.c.code, q)))
        return self.page(statement, limit, cursor)


class SupplierRepository(PartyRepository[Supplier]):
    referrers = ((t.batches, "supplier_id"),)

    def ids_matching(self, ref: str, limit: int) -> list[str]:
        s = t.suppliers.c
        folded = ref.casefold()
        return list(self.conn.execute(select(s.id).where(
            s.org_id == self.org_id,
            or_(s.id == ref, func.lower(s.code) == folded, func.lower(s.name) == folded))
            .limit(limit)).scalars().all())

    table = t.suppliers
    entity_name = "supplier"

    def to_entity(self, row: Row[Any]) -> Supplier:
        return Supplier(id=row.id, name=row.name, code=row.code, email=row.email,
                        phone=row.phone, address=address_of(row), created_at=row.created_at,
                        updated_at=row.updated_at, gln=row.gln)


class CustomerRepository(PartyRepository[Customer]):
    referrers = ((t.orders, "customer_id"),)

    table = t.customers
    entity_name = "customer"

    def to_entity(self, row: Row[Any]) -> Customer:
        return Customer(id=row.id, name=row.name, code=row.code, email=row.email,
                        phone=row.phone, address=address_of(row),
                        min_remaining_shelf_life_days=row.min_remaining_shelf_life_days,
                        created_at=row.created_at, updated_at=row.updated_at, gln=row.gln)
