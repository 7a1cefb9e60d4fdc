"""What the benchmarks share: temporary databases, timing, and the one-line report.

Every benchmark compares lotline ("ours") with the raw driver ("raw") in the same process, on
the same database, and prints `name: ours X/s, raw Y/s, ratio R` (R = ours / raw), a ratio that
does not depend on the machine."""

from __future__ import annotations

import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import psycopg

import lotline
from lotline.bootstrap import Services

T = TypeVar("T")


@dataclass(frozen=True)
class Result:
    name: str
    ours: float  # operations per second
    raw: float

    @property
    def ratio(self) -> float:
        return self.ours / self.raw

    def line(self) -> str:
        return f"{self.name}: ours {self.ours:.0f}/s, raw {self.raw:.0f}/s, ratio {self.ratio:.2f}"


def report(result: Result) -> Result:
    print(result.line(), flush=True)
    return result


def rate(operations: int, run: Callable[[], object]) -> float:
    """Operations per second of one timed call of `run`."""
    start = time.perf_counter()
    run()
    return operations / (time.perf_counter() - start)


def interleaved(ours: Callable[[Sequence[T]], object], raw: Callable[[Sequence[T]], object],
                items: Sequence[T], *, rounds: int, chunk: int = 1000) -> tuple[float, float]:
    """Items per second of each side, the two run on alternate chunks of `items` (which side
    goes first alternating too), so that a change in machine load hits both alike; the best
    of `rounds` passes over all the items."""
    best_ours = best_raw = 0.0
    for _ in range(rounds):
        spent = {ours: 0.0, raw: 0.0}
        for index, start in enumerate(range(0, len(items), chunk)):
            part = items[start:start + chunk]
            for side in (ours, raw) if index % 2 == 0 else (raw, ours):
                began = time.perf_counter()
                side(part)
                spent[side] += time.perf_counter() - began
        best_ours = max(best_ours, len(items) / spent[ours])
        best_raw = max(best_raw, len(items) / spent[raw])
    return best_ours, best_raw


def serial_numbers(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:08d}" for i in range(count)]


# --- databases -------------------------------------------------------------------------------


@dataclass
class Bench:
    """One organization on one freshly migrated database, plus how to reach it raw."""

    backend: str  # "sqlite" or "postgresql"
    svc: Services
    sqlite_path: Path | None = None
    postgres_dsn: str | None = None  # libpq form, search_path set to the bench schema

    def new_serial_lot(self, batch_number: str, quantity: int) -> str:
        """A lot of a serial-tracked product able to take `quantity` serials: its id."""
        product = self.svc.products.create_product(
            sku=f"BENCH-{batch_number}", name=f"Bench unit {batch_number}", tracking="serial")
        batch = self.svc.batch_tracking.create_batch(
            product_id=product.id, batch_number=batch_number, quantity=quantity)
        return batch.id

    def sqlite_connect(self) -> sqlite3.Connection:
        """A raw connection set up as lotline sets up its own (autocommit, foreign keys,
        WAL, synchronous=NORMAL), so the two sides pay the same durability costs."""
        assert self.sqlite_path is not None
        conn = sqlite3.connect(self.sqlite_path, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def postgres_connect(self) -> psycopg.Connection[Any]:
        assert self.postgres_dsn is not None
        return psycopg.connect(self.postgres_dsn)


@contextmanager
def sqlite_bench() -> Iterator[Bench]:
    with tempfile.TemporaryDirectory(prefix="lotline-bench-") as directory:
        path = Path(directory) / "bench.db"
        svc = lotline.create_services(f"sqlite:///{path}", organization="bench")
        try:
            yield Bench("sqlite", svc, sqlite_path=path)
        finally:
            svc.engine.dispose()


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) in the form psycopg itself takes."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def postgres_bench(base_url: str) -> Iterator[Bench]:
    """A schema of its own (created here, dropped at the end) on the given server."""
    schema = f"lotline_bench_{uuid.uuid4().hex[:12]}"
    admin_dsn = libpq_url(base_url)
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = with_search_path(base_url, schema)
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        svc = lotline.create_services(url, organization="bench")
        try:
            yield Bench("postgresql", svc, postgres_dsn=with_search_path(admin_dsn, schema))
        finally:
            svc.engine.dispose()
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# --- a raw copy of the serials table ---------------------------------------------------------


def copy_serials_table_sqlite(conn: sqlite3.Connection, name: str) -> None:
    """Create `name` as a copy of `serials` as the migrations made it: the same DDL (columns,
    CHECKs, foreign keys), the same indexes, and the FTS5 external-content table with its
    triggers, all renamed. The FTS5 shadow tables come with the virtual table."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('serials', 'serials_fts') "
        "AND sql IS NOT NULL ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 "
        "ELSE 2 END, name").fetchall()
    renames = {"serials": name, "serials_fts": f"{name}_fts"}
    renames.update({object_name: f"{name}__{object_name}" for kind, object_name, _ in rows
                    if kind in ("index", "trigger")})
    pattern = re.compile(r'(?<![\w])(["`\[]?)(' + "|".join(map(re.escape, renames)) +
                         r')(["`\]]?)(?![\w])')
    # Names inside string literals too: the FTS table's content='serials'.
    literal = re.compile(r"content\s*=\s*'serials'")
    conn.execute("BEGIN IMMEDIATE")
    for _kind, _name, sql in rows:
        sql = literal.sub(f"content='{name}'", sql)
        conn.execute(pattern.sub(lambda m: m.group(1) + renames[m.group(2)] + m.group(3), sql))
    conn.execute("COMMIT")


def copy_serials_table_postgres(conn: psycopg.Connection[Any], name: str) -> None:
    """`name` with the columns, defaults, CHECKs and indexes of `serials` (the trigram index
    included), then its foreign keys, the self-reference pointing at the copy."""
    with conn.transaction():
        conn.execute(f"CREATE TABLE {name} (LIKE serials INCLUDING ALL)")
        constraints = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'serials'::regclass AND contype = 'f' ORDER BY conname").fetchall()
        for constraint, definition in constraints:
            definition = re.sub(r"REFERENCES (\w+\.)?serials\(", f"REFERENCES {name}(",
                                definition)
            conn.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}__{constraint} {definition}")
