"""The rows EPCIS events are made of: ledger movements with the lot, unit, place (and its
GLN), order and customer, receipt and supplier they name; and the change-feed notices of holds
and recalls (held lots have no movement)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import CursorResult, Select, func, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.trace import event_movements


def movement_select(org_id: str, kinds: Sequence[str], *, by_ids: bool = False) -> Select[Any]:
    """Movements of `kinds` (not reversed) with what their events name."""
    m, p, b, s = t.movements.c, t.products.c, t.batches.c, t.serials.c
    loc, w, o, c = t.locations.c, t.warehouses.c, t.orders.c, t.customers.c
    rec, sup = t.receipts.c, t.suppliers.c
    return (
        select(m.id, m.kind, m.occurred_at, m.recorded_at, m.quantity, m.serial_id,
               m.receipt_id, m.order_id,
               m.transformation_id, p.gtin, p.sku, p.uom, b.batch_number, b.expiry_date,
               s.serial_number, loc.code.label("location"), w.code.label("warehouse"),
               w.gln.label("warehouse_gln"), o.reference.label("order_reference"),
               c.id.label("customer_id"), c.code.label("customer_code"),
               c.gln.label("customer_gln"), rec.reference.label("receipt_reference"),
               sup.id.label("supplier_id"), sup.code.label("supplier_code"),
               sup.gln.label("supplier_gln"))
        .join(t.products, p.id == m.product_id)
        .outerjoin(t.batches, b.id == m.batch_id)
        .outerjoin(t.serials, s.id == m.serial_id)
        .outerjoin(t.locations, loc.id == func.coalesce(m.to_location_id, m.from_location_id))
        .outerjoin(t.warehouses, w.id == loc.warehouse_id)
        .outerjoin(t.orders, o.id == m.order_id)
        .outerjoin(t.customers, c.id == o.customer_id)
        .outerjoin(t.receipts, rec.id == m.receipt_id)
        .outerjoin(t.suppliers, sup.id == rec.supplier_id)
        .where(*event_movements(m, org_id, kinds, by_ids=by_ids))
        .order_by(m.occurred_at, m.id))


def notice_select(org_id: str, types: Sequence[str]) -> Select[Any]:
    """Change-feed events of `types`, oldest first."""
    e = t.events.c
    return (select(e.id, e.type, e.occurred_at, e.data)
            .where(e.org_id == org_id, e.type.in_(list(types)))
            .order_by(e.occurred_at, e.id))


def sites(conn: Any, org_id: str) -> dict[str, Any]:
    """Every location id with its code, its warehouse's code and GLN."""
    loc, w = t.locations.c, t.warehouses.c
    statement = (select(loc.id, loc.code, w.code.label("warehouse"), w.gln)
                 .join(t.warehouses, w.id == loc.warehouse_id).where(loc.org_id == org_id))
    return {row.id: row for row in conn.execute(statement)}


def plain_rows(result: CursorResult[Any]) -> list[Any]:
    """Every row of `result` in one driver call, as named tuples: an attribute of a
    SQLAlchemy Row costs some 0.4 µs, of a named tuple a tenth of that, and an export or a
    recall drill reads a dozen attributes of each of 100,000 movements."""
    shape = _shape(tuple(result.keys()))
    return list(map(shape._make, result.all()))


@lru_cache(maxsize=64)
def _shape(keys: tuple[str, ...]) -> Any:
    return namedtuple("Row", keys)  # the names come from the query (fails on a bad one)
