"""A recall drill's movements (`ReportQueries.drill_movements`), read lean: the movements
with their unit's serial number and their order (the large tables), and the few products,
lots, places, customers, receipts and transformations they name read once each, by id, and
put together here, instead of ten joins carrying the same texts on each of 100,000 rows.
The times and quantities come back raw and are converted once per distinct value (a
shipment's units share their moment and quantity), not through a type processor per row.
Each row has `epcis_rows.movement_select`'s fields, then what an FSMA 204 row names besides:
the lot, its supplier and manufacturer's lot number, the product's name, the place's warehouse
and the transformation's reference."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, func, select, type_coerce
from sqlalchemy.types import NullType

from lotline.adapters import tables as t
from lotline.adapters.repositories.common import in_chunks
from lotline.adapters.repositories.trace import event_movements
from lotline.adapters.types import Amount, UTCDateTime

# `epcis_rows.movement_select`'s columns, then the FSMA 204 row's.
FIELDS = ("id", "kind", "occurred_at", "recorded_at", "quantity", "serial_id", "receipt_id",
          "order_id", "transformation_id", "gtin", "sku", "uom", "batch_number",
          "expiry_date", "serial_number", "location", "warehouse", "warehouse_gln",
          "order_reference", "customer_id", "customer_code", "customer_gln",
          "receipt_reference", "supplier_id", "supplier_code", "supplier_gln", "batch_id",
          "manufacturer_batch_number", "lot_supplier_id", "product", "warehouse_id",
          "transformation")
NOTHING = (None, None)
DrillRow = namedtuple("Row", FIELDS)  # type: ignore[misc]  # as epcis_rows.plain_rows names it


def lean_select(org_id: str, kinds: Sequence[str], *, by_ids: bool = False) -> Select[Any]:
    """Movements of `kinds` (not reversed), oldest first, with their serial number and
    order; times and quantities untyped (`Converted` reads them)."""
    m, s, o = t.movements.c, t.serials.c, t.orders.c
    return (select(m.id, m.kind, type_coerce(m.occurred_at, NullType()),
                   type_coerce(m.recorded_at, NullType()), type_coerce(m.quantity, NullType()),
                   m.serial_id, m.receipt_id, m.order_id, m.transformation_id, m.product_id,
                   m.batch_id, func.coalesce(m.to_location_id, m.from_location_id),
                   s.serial_number, o.reference, o.customer_id)
            .outerjoin(t.serials, s.id == m.serial_id)
            .outerjoin(t.orders, o.id == m.order_id)
            .where(*event_movements(m, org_id, kinds, by_ids=by_ids))
            .order_by(m.occurred_at, m.id))


def drill_rows(conn: Connection, statement: Select[Any]) -> list[Any]:
    """The rows of `statement` (a `lean_select`, narrowed), with FIELDS."""
    if conn.dialect.name == "sqlite":
        # Sorted here, by the raw moment and id: SQLite's sorter, fed 100,000 wide rows,
        # costs more. SQLite compares texts by their bytes (BINARY), as Python's sort does;
        # a PostgreSQL collation may not, so there the database sorts.
        found = sorted(conn.execute(statement.order_by(None)).all(), key=itemgetter(2, 0))
    else:
        found = list(conn.execute(statement).all())
    names = Names(conn, found)
    moment = converted(UTCDateTime(), conn)
    amount = converted(Amount(), conn)
    products, lots, places = names.products, names.lots, names.places
    customers, receipts, transformations = names.customers, names.receipts, \
        names.transformations
    make = DrillRow._make
    rows = []
    for (ident, kind, occurred, recorded, quantity, serial_id, receipt_id, order_id,
         transformation_id, product_id, batch_id, location_id, serial_number, reference,
         customer_id) in found:
        product = products[product_id]
        lot = lots.get(batch_id, NO_LOT)
        place = places.get(location_id, NO_PLACE)
        receipt = receipts.get(receipt_id, NO_RECEIPT)
        rows.append(make((
            ident, kind, moment(occurred), moment(recorded), amount(quantity), serial_id,
            receipt_id, order_id, transformation_id, *product[:3], *lot[:2], serial_number,
            *place[:3], reference, customer_id, *customers.get(customer_id, NOTHING),
            *receipt, batch_id, *lot[2:], product[3], place[3],
            transformations.get(transformation_id))))
    return rows


NO_LOT = (None, None, None, None)
NO_PLACE = (None, None, None, None)
NO_RECEIPT = (None, None, None, None)


def converted(kind: Any, conn: Connection) -> Callable[[Any], Any]:
    """`kind`'s conversion of a raw value, done once per distinct value."""
    process = kind.process_result_value
    dialect = conn.dialect
    done: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        result = done.get(value, done)
        if result is done:
            result = done[value] = process(value, dialect)
        return result
    return convert


class Names:
    """What the movements of `rows` name, read once by id: products (gtin, sku, uom, name),
    lots (number, expiry, manufacturer's number, supplier), places (location code, warehouse
    code and GLN, warehouse id), customers (code, GLN), receipts (reference, supplier id,
    code and GLN) and transformations (reference)."""

    def __init__(self, conn: Connection, rows: Sequence[Any]) -> None:
        self.conn = conn
        p, b, loc, w = t.products.c, t.batches.c, t.locations.c, t.warehouses.c
        c, rec, sup, tr = t.customers.c, t.receipts.c, t.suppliers.c, t.transformations.c
        self.products = self._read(p.id, {r[9] for r in rows},
                                   select(p.id, p.gtin, p.sku, p.uom, p.name))
        self.lots = self._read(b.id, {r[10] for r in rows}, select(
            b.id, b.batch_number, b.expiry_date, b.manufacturer_batch_number, b.supplier_id))
        self.places = self._read(loc.id, {r[11] for r in rows}, select(
            loc.id, loc.code, w.code, w.gln, loc.warehouse_id).outerjoin(
            t.warehouses, w.id == loc.warehouse_id))
        self.customers = self._read(c.id, {r[14] for r in rows}, select(c.id, c.code, c.gln))
        self.receipts = self._read(rec.id, {r[6] for r in rows}, select(
            rec.id, rec.reference, sup.id, sup.code, sup.gln).outerjoin(
            t.suppliers, sup.id == rec.supplier_id))
        self.transformations = {ident: values[0] for ident, values in self._read(
            tr.id, {r[8] for r in rows}, select(tr.id, tr.reference)).items()}

    def _read(self, key: Any, ids: set[Any], statement: Select[Any]
              ) -> dict[Any, tuple[Any, ...]]:
        wanted = sorted(i for i in ids if i is not None)
        return {row[0]: tuple(row[1:]) for condition in in_chunks(key, wanted)
                for row in self.conn.execute(statement.where(condition))}
