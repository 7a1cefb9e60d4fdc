"""Rows of the export files, straight from the database in id order, streamed (a million
serials never sit in memory), with the names people use instead of ids: SKUs, lot numbers,
supplier codes, warehouse and location codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, case, func, select

from lotline.adapters import tables as t
from lotline.domain.values import decimal_text

STREAM_BATCH = 5_000
_SERIAL_PRODUCTS = ("serial", "lot_serial")


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _stream(conn: Connection, statement: Select[Any]) -> Iterator[list[str]]:
    result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(
        statement)
    for row in result:
        yield [text_of(value) for value in row]


def product_rows(conn: Connection, org_id: str) -> Iterator[list[str]]:
    p = t.products.c
    return _stream(conn, select(
        p.sku, p.name, p.tracking, p.gtin, p.uom, p.removal_strategy, p.shelf_life_days,
        p.expiry_alert_days, p.serial_pattern).where(p.org_id == org_id).order_by(p.id))


def party_rows(conn: Connection, org_id: str, table: Any, extra: tuple[str, ...] = ()
               ) -> Iterator[list[str]]:
    """Suppliers or customers in the columns of their import layout."""
    c = table.c
    return _stream(conn, select(
        c.name, c.code, c.email, c.phone, c.gln, c.street, c.city, c.region, c.postal_code,
        c.country, *(c[name] for name in extra)).where(c.org_id == org_id).order_by(c.id))


def warehouse_rows(conn: Connection, org_id: str) -> Iterator[list[str]]:
    w = t.warehouses.c
    return _stream(conn, select(
        w.code, w.name, w.phone, w.gln, w.street, w.city, w.region, w.postal_code, w.country)
        .where(w.org_id == org_id).order_by(w.id))


def _supplier_name() -> Any:
    s = t.suppliers.c
    return func.coalesce(s.code, s.name)


def lot_rows(conn: Connection, org_id: str) -> Iterator[list[str]]:
    b, p, w, loc = t.batches.c, t.products.c, t.warehouses.c, t.locations.c
    serial = p.tracking.in_(_SERIAL_PRODUCTS)
    statement = (
        select(p.sku, b.batch_number, _supplier_name(), b.manufacturer_batch_number,
               b.internal_batch_number, b.external_batch_number, b.manufacturing_date,
               b.expiry_date, b.quantity, b.unit_cost, b.purchase_date, b.status,
               case((serial, None), else_=w.code), case((serial, None), else_=loc.code))
        .select_from(t.batches)
        .join(t.products, p.id == b.product_id)
        .outerjoin(t.suppliers, t.suppliers.c.id == b.supplier_id)
        .outerjoin(t.locations, loc.id == b.location_id)
        .outerjoin(t.warehouses, w.id == loc.warehouse_id)
        .where(b.org_id == org_id, b.deleted_at.is_(None)).order_by(b.id))
    return _stream(conn, statement)


def serial_rows(conn: Connection, org_id: str, product_id: str | None = None,
                batch_id: str | None = None) -> Iterator[list[str]]:
    s, p, b, w, loc = (t.serials.c, t.products.c, t.batches.c, t.warehouses.c,
                       t.locations.c)
    statement = (
        select(s.serial_number, p.sku, b.batch_number, _supplier_name(), s.status, w.code,
               loc.code, s.purchase_date, s.warranty_expiry, s.unit_cost)
        .select_from(t.serials)
        .join(t.products, p.id == s.product_id)
        .outerjoin(t.batches, b.id == s.batch_id)
        .outerjoin(t.suppliers, t.suppliers.c.id == b.supplier_id)
        .outerjoin(t.locations, loc.id == s.location_id)
        .outerjoin(t.warehouses, w.id == s.warehouse_id)
        .where(s.org_id == org_id).order_by(s.id))
    if product_id is not None:
        statement = statement.where(s.product_id == product_id)
    if batch_id is not None:
        statement = statement.where(s.batch_id == batch_id)
    return _stream(conn, statement)


class ExportRows:
    """The rows of the exports, streamed as text cells in the import's columns."""

    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def products(self) -> Iterator[list[str]]:
        return product_rows(self.conn, self.org_id)

    def lots(self) -> Iterator[list[str]]:
        return lot_rows(self.conn, self.org_id)

    def suppliers(self) -> Iterator[list[str]]:
        return party_rows(self.conn, self.org_id, t.suppliers)

    def customers(self) -> Iterator[list[str]]:
        return party_rows(self.conn, self.org_id, t.customers,
                          ("min_remaining_shelf_life_days",))

    def warehouses(self) -> Iterator[list[str]]:
        return warehouse_rows(self.conn, self.org_id)

    def serials(self, product_id: str | None = None,
                batch_id: str | None = None) -> Iterator[list[str]]:
        return serial_rows(self.conn, self.org_id, product_id, batch_id)
