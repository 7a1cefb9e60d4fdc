"""Running cached Core statements on the DBAPI cursor of the unit of work's connection.

SQLAlchemy compiles a cached statement once, but every execution still builds an execution
context, fires events and wraps a result: several times the database's own time for the small
statements of allocating, picking and shipping. Here each (statement, dialect) is compiled once
into a plan — SQL text, parameter order, the same bind and result processors SQLAlchemy would
apply — and then executed on the raw cursor inside the same transaction. Statements with
expanding (IN-list) parameters go through SQLAlchemy as usual."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler

from lotline.adapters.types import sqlite_processors

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]
    expanding: tuple[bool, ...]
    defaults: tuple[Any, ...]
    binds: tuple[Processor, ...]
    row_type: type | None
    any_expanding: bool
    # Generated once per plan (see _bind_function, _rows_function): a call per statement
    # instead of a loop over its parameters and over every value of every row.
    arguments: Callable[[Mapping[str, Any]], tuple[Any, ...]]
    rows: Callable[[list[Any]], list[Any]]


class DirectResult:
    """The little of SQLAlchemy's Result the repositories use."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return list(self._rows)

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [row[0] for row in self._rows]


# Keyed by the statement object itself: `run` is for statements built once (cached_statement),
# and holding them here means an id can never be reused by another statement.
_PLANS: dict[tuple[Executable, str], _Plan | None] = {}


def _plan(statement: Executable, dialect: Dialect) -> _Plan | None:
    key = (statement, dialect.name)
    if key in _PLANS:
        return _PLANS[key]
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler)
    binds = compiled.binds
    plan: _Plan | None = None
    names = tuple(compiled.positiontup or ())
    expanding = tuple(binds[n].expanding for n in names)
    # Post-compile parameters other than expanding IN lists (literal_execute) stay with
    # SQLAlchemy; IN lists are expanded here, one `?` per value.
    tokens = compiled.string.count("POSTCOMPILE")
    if compiled.positional and tokens == sum(expanding):
        defaults = tuple(binds[n].effective_value for n in names)
        bind_procs = tuple(_bind_processor(binds[n].type, dialect) for n in names)
        columns = list(getattr(statement, "selected_columns", ()) or ())
        results = tuple(_result_processor(c.type, dialect) for c in columns)
        keys = [c.key or f"c{i}" for i, c in enumerate(columns)]
        row_type = namedtuple("Row", keys, rename=True) if columns else None
        plan = _Plan(compiled.string, names, expanding, defaults, bind_procs, row_type,
                     any(expanding), _bind_function(names, defaults, bind_procs),
                     _rows_function(row_type, results))
    _PLANS[key] = plan
    return plan


def _bind_processor(type_: Any, dialect: Dialect) -> Processor:
    fused = sqlite_processors(type_) if dialect.name == "sqlite" else None
    if fused is not None:
        return fused[0]
    return type_.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]


def _result_processor(type_: Any, dialect: Dialect) -> Processor:
    fused = sqlite_processors(type_) if dialect.name == "sqlite" else None
    if fused is not None:
        return fused[1]
    return type_.dialect_impl(dialect).result_processor(  # type: ignore[no-any-return]
        dialect, None)


def _generated(source: str, name: str, namespace: dict[str, Any]) -> Any:
    """The function `name` defined by `source` (made from column positions and repr()s of
    parameter names only) with `namespace` as its globals."""
    exec(compile(source, f"<direct {name}>", "exec"), namespace)
    return namespace[name]


def _bind_function(names: tuple[str, ...], defaults: tuple[Any, ...],
                   procs: tuple[Processor, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """params -> the positional arguments: each named value (or its default) through its
    bind processor."""
    namespace: dict[str, Any] = {}
    items = []
    for index, (name, default, proc) in enumerate(zip(names, defaults, procs, strict=True)):
        namespace[f"d{index}"] = default
        value = f"get({name!r}, d{index})"
        if proc is not None:
            namespace[f"p{index}"] = proc
            value = f"p{index}({value})"
        items.append(value)
    source = ("def arguments(params):\n    get = params.get\n"
              f"    return ({''.join(item + ', ' for item in items)})\n")
    return _generated(source, "arguments", namespace)  # type: ignore[no-any-return]


def _rows_function(row_type: type | None, procs: tuple[Processor, ...]
                   ) -> Callable[[list[Any]], list[Any]]:
    """The driver's rows -> named rows, each value through its result processor."""
    if row_type is None:
        return lambda raw: []
    make = row_type._make  # type: ignore[attr-defined]
    if not any(procs):
        return lambda raw: list(map(make, raw))
    namespace: dict[str, Any] = {"new": tuple.__new__, "Row": row_type}
    names, values = [], []
    for index, proc in enumerate(procs):
        names.append(f"v{index}")
        if proc is None:
            values.append(f"v{index}")
        else:
            namespace[f"p{index}"] = proc
            values.append(f"p{index}(v{index})")
    source = (f"def rows(raw):\n    return [new(Row, ({''.join(v + ', ' for v in values)}))\n"
              f"            for ({''.join(n + ', ' for n in names)}) in raw]\n")
    return _generated(source, "rows", namespace)  # type: ignore[no-any-return]


def run(conn: Connection, statement: Executable, params: Mapping[str, Any]) -> Any:
    """Execute a cached statement; DirectResult, or SQLAlchemy's Result for the rest.

    Only on SQLite, where SQLAlchemy's per-execution cost is largest next to the database's
    own; PostgreSQL's network round trip dwarfs it."""
    plan = _plan(statement, conn.dialect) if conn.dialect.name == "sqlite" else None
    if plan is None:
        return conn.execute(statement, dict(params))
    sql, arguments = _bind(plan, params)
    if sql is None:
        return conn.execute(statement, dict(params))  # an empty IN list: SQLAlchemy's form
    driver: Any = conn.connection.dbapi_connection
    try:
        cursor = driver.execute(sql, arguments)  # the driver's own cursor for it
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, arguments, error,
                                  conn.dialect.loaded_dbapi.Error) from error
    try:
        return DirectResult(plan.rows(cursor.fetchall()), cursor.rowcount)
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, arguments, error,
                                  conn.dialect.loaded_dbapi.Error) from error
    finally:
        cursor.close()


def _bind(plan: _Plan, params: Mapping[str, Any]) -> tuple[str | None, tuple[Any, ...]]:
    if not plan.any_expanding:  # the common case, kept lean: it runs for every statement
        return plan.sql, plan.arguments(params)
    get = params.get
    sql = plan.sql
    arguments: list[Any] = []
    for name, many, default, proc in zip(plan.names, plan.expanding, plan.defaults,
                                         plan.binds, strict=True):
        value = get(name, default)
        if many:
            items = list(value)
            if not items:
                return None, ()
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(items)), 1)
            arguments.extend(items if proc is None else [proc(item) for item in items])
        else:
            arguments.append(value if proc is None else proc(value))
    return sql, tuple(arguments)


def run_many(conn: Connection, statement: Executable,
             rows: Sequence[Mapping[str, Any]]) -> None:
    """executemany of a cached INSERT over `rows` (each a dict of its parameters)."""
    plan = _plan(statement, conn.dialect) if conn.dialect.name == "sqlite" else None
    if plan is None or any(plan.expanding):
        conn.execute(statement, [dict(row) for row in rows])
        return
    arguments = [plan.arguments(row) for row in rows]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(plan.sql, arguments)
    except conn.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(plan.sql, arguments[:1], error,
                                  conn.dialect.loaded_dbapi.Error) from error
    finally:
        cursor.close()
