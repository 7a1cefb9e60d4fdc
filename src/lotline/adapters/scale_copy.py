"""Growing the cost-curve organization on PostgreSQL with COPY (issue 18).

`grow_lots(engine, ctx, target_lots)` adds the lots `[done, target_lots)` (their serials,
orders, shipments and ledger rows: see scale_rows) in ONE transaction: a failure leaves the
database as it was. When the load at least doubles the serials table, the secondary indexes of the
tables it fills are dropped first and built again at the end (building an index over sorted
input beats maintaining it row by row; the unique serial-number index is rebuilt too, so
uniqueness is still proved). Foreign keys are not checked row by row when the role may turn
their triggers off (`session_replication_role = replica`, superusers only): every reference
is to a row written by this process or read from the organization. Then VACUUM ANALYZE, so
the planner and index-only scans see the tables as they are."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from lotline.adapters.scale_rows import COLUMNS, SERIALS_PER_LOT, Chunk, ScaleContext, add_lot

LOTS_PER_CHUNK = 1000
COUNTER = "scale_demo_lots"
Progress = Callable[[str, int, int], None]
# Tables in load order (referenced rows before those that reference them).
LOAD_ORDER = ("batches", "orders", "order_lines", "shipments", "serials",
              "order_allocations", "movements", "lot_balances")


def lots_done(engine: Engine, org_id: str) -> int:
    with engine.connect() as conn:
        value = conn.exec_driver_sql(
            "SELECT value FROM counters WHERE org_id = %(org)s AND name = %(name)s",
            {"org": org_id, "name": COUNTER}).scalar()
    return int(value or 0)


def grow_lots(engine: Engine, ctx: ScaleContext, target_lots: int,
              progress: Progress) -> dict[str, float]:
    """Lots up to `target_lots`; the seconds each phase took."""
    start = lots_done(engine, ctx.org_id)
    if target_lots <= start:
        return {}
    timings: dict[str, float] = {}
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        with connection.transaction():
            cursor = connection.cursor()
            _prepare(cursor)
            adding = (target_lots - start) * SERIALS_PER_LOT
            rebuild = _drop_indexes(cursor) if adding >= _serial_rows(cursor) else []
            began = time.perf_counter()
            _load(cursor, ctx, start, target_lots, progress)
            timings["copy"] = time.perf_counter() - began
            began = time.perf_counter()
            for done, definition in enumerate(rebuild, start=1):
                progress("indexes", done, len(rebuild))
                cursor.execute(definition)
            timings["indexes"] = time.perf_counter() - began
            _set_counter(cursor, ctx.org_id, target_lots)
        began = time.perf_counter()
        connection.autocommit = True
        for table in LOAD_ORDER:
            progress("vacuum analyze", LOAD_ORDER.index(table) + 1, len(LOAD_ORDER))
            connection.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum"] = time.perf_counter() - began
    finally:
        raw.close()
    return timings


def _prepare(cursor: Any) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    cursor.execute("SET LOCAL synchronous_commit = off")
    superuser = cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                               ).fetchone()
    if superuser and superuser[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


def _serial_rows(cursor: Any) -> int:
    """The planner's estimate of the serials table's rows (all organizations): no scan."""
    row = cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'serials'::regclass"
                         ).fetchone()
    return max(int(row[0]), 0)


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the indexes of the loaded tables that back no constraint; their definitions."""
    rows = cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = i.indexrelid) ORDER BY 1", ([*LOAD_ORDER],)).fetchall()
    for name, _definition in rows:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def _load(cursor: Any, ctx: ScaleContext, start: int, target: int, progress: Progress) -> None:
    counts: dict[tuple[str, str], int] = {}
    for first in range(start, target, LOTS_PER_CHUNK):
        chunk = Chunk()
        for lot in range(first, min(target, first + LOTS_PER_CHUNK)):
            add_lot(ctx, lot, chunk)
        for table in LOAD_ORDER:
            _copy(cursor, table, chunk.lines[table])
        for key, count in chunk.counts.items():
            counts[key] = counts.get(key, 0) + count
        progress("serials", (min(target, first + LOTS_PER_CHUNK) - start) * SERIALS_PER_LOT,
                 (target - start) * SERIALS_PER_LOT)
    # Loaded counts go whole into slot 0, as migration 0030 put the counts it found: a count is
    # the sum over its slots, whichever slot holds it.
    cursor.executemany(
        "INSERT INTO serial_status_counts (org_id, product_id, status, slot, count) "
        "VALUES (%s, %s, %s, 0, %s) ON CONFLICT (org_id, product_id, status, slot) "
        "DO UPDATE SET count = serial_status_counts.count + EXCLUDED.count",
        [(ctx.org_id, product_id, status, count)
         for (product_id, status), count in sorted(counts.items())])


def _copy(cursor: Any, table: str, lines: list[str]) -> None:
    if not lines:
        return
    with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
        for start in range(0, len(lines), 10_000):
            copy.write("\n".join(lines[start:start + 10_000]) + "\n")


def _set_counter(cursor: Any, org_id: str, lots: int) -> None:
    cursor.execute("INSERT INTO counters (org_id, name, value) VALUES (%s, %s, %s) "
                   "ON CONFLICT (org_id, name) DO UPDATE SET value = EXCLUDED.value",
                   (org_id, COUNTER, lots))
