"""The row-per-record reports of seed 002 — "serial number location" (each serial with its
product, lot, status, warehouse and location) and "lot movement history" (movements across
lots) — read in id order: a page at a time by keyset, or the whole report streamed from a
server-side cursor, so a million serials never sit in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from lotline.adapters import tables as t
from lotline.adapters.repositories.common import check_limit, decode_cursor, encode_cursor
from lotline.domain.model import Page

STREAM_BATCH = 1_000  # rows fetched at a time: memory stays flat whatever the size


def serial_location_statement(org_id: str, filters: dict[str, Any]) -> Select[Any]:
    s, p, b, w, loc = t.serials.c, t.products.c, t.batches.c, t.warehouses.c, t.locations.c
    statement = (
        select(s.serial_number, p.sku.label("product_sku"), p.name.label("product_name"),
               b.batch_number, s.status, w.code.label("warehouse"), loc.code.label("location"),
               s.id.label("serial_id"), s.product_id, s.batch_id, s.warehouse_id,
               s.location_id)
        .select_from(t.serials)
        .join(t.products, p.id == s.product_id)
        .outerjoin(t.batches, b.id == s.batch_id)
        .outerjoin(t.locations, loc.id == s.location_id)
        .outerjoin(t.warehouses, w.id == s.warehouse_id)
        .where(s.org_id == org_id))
    for name in ("product_id", "batch_id", "status", "warehouse_id", "location_id"):
        if filters.get(name) is not None:
            statement = statement.where(s[name] == filters[name])
    return statement.order_by(s.id)


def lot_movement_statement(org_id: str, filters: dict[str, Any]) -> Select[Any]:
    m, p, b, s, o = t.movements.c, t.products.c, t.batches.c, t.serials.c, t.orders.c
    origin, goal = t.locations.alias("origin"), t.locations.alias("goal")
    origin_wh, goal_wh = t.warehouses.alias("origin_wh"), t.warehouses.alias("goal_wh")
    statement = (
        select(m.occurred_at, m.recorded_at, m.kind, p.sku.label("product_sku"),
               b.batch_number, s.serial_number, m.quantity,
               (origin_wh.c.code + "/" + origin.c.code).label("from_location"),
               (goal_wh.c.code + "/" + goal.c.code).label("to_location"), m.from_status,
               m.to_status, o.reference.label("order_reference"), m.unit_cost, m.reason,
               m.actor, m.id.label("movement_id"), m.product_id, m.batch_id,
               m.from_location_id, m.to_location_id)
        .select_from(t.movements)
        .join(t.products, p.id == m.product_id)
        .join(t.batches, b.id == m.batch_id)
        .outerjoin(t.serials, s.id == m.serial_id)
        .outerjoin(t.orders, o.id == m.order_id)
        .outerjoin(origin, origin.c.id == m.from_location_id)
        .outerjoin(origin_wh, origin_wh.c.id == origin.c.warehouse_id)
        .outerjoin(goal, goal.c.id == m.to_location_id)
        .outerjoin(goal_wh, goal_wh.c.id == goal.c.warehouse_id)
        .where(m.org_id == org_id))
    for name in ("product_id", "batch_id", "kind"):
        if filters.get(name) is not None:
            statement = statement.where(m[name] == filters[name])
    if filters.get("location_id") is not None:
        place = filters["location_id"]
        statement = statement.where(or_(m.from_location_id == place,
                                        m.to_location_id == place))
    if filters.get("start") is not None:
        statement = statement.where(m.occurred_at >= _midnight(filters["start"]))
    if filters.get("end") is not None:
        statement = statement.where(
            m.occurred_at < _midnight(filters["end"] + dt.timedelta(days=1)))
    return statement.order_by(m.id)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def page_of(conn: Connection, statement: Select[Any], key: Any, limit: int,
            cursor: str | None) -> Page[dict[str, Any]]:
    """One page in `key` order (ids are time-ordered); the cursor holds the last key."""
    limit = check_limit(limit)
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(key > str(after[0]))
    rows = [dict(row._mapping) for row in conn.execute(statement.limit(limit + 1))]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.get("serial_id") or last.get("movement_id")])
    return Page(rows[:limit], next_cursor)


def stream_of(conn: Connection, statement: Select[Any]) -> Iterator[dict[str, Any]]:
    """Every row, fetched STREAM_BATCH at a time (a server-side cursor on PostgreSQL)."""
    result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(
        statement)
    for row in result:
        yield dict(row._mapping)


def key_of(report: str) -> Any:
    return t.serials.c.id if report == "serial-number-location" else t.movements.c.id
