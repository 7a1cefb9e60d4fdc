"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from lotline.domain.values import MAX_DECIMAL_PLACES, normalize

SCALE = 10**MAX_DECIMAL_PLACES


class Amount(TypeDecorator[Decimal]):
    """An exact quantity or amount with 6 decimal places.

    PostgreSQL stores NUMERIC(20, 6). SQLite has no exact decimal type (NUMERIC affinity turns
    12.5 into a float), so there the value is an integer count of millionths: sums, comparisons,
    CHECK constraints and `balance - :q` updates stay exact in SQL on both databases. Never
    multiply two Amount columns in SQL (the scales would multiply on SQLite)."""

    impl = Numeric(20, MAX_DECIMAL_PLACES)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(20, MAX_DECIMAL_PLACES, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_scaled(value)
        return Decimal(value) if not isinstance(value, Decimal) else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return from_scaled(value)
        return normalize(Decimal(value))


def to_scaled(value: Decimal | int | str) -> int:
    return int(Decimal(value).scaleb(MAX_DECIMAL_PLACES).to_integral_value())


def from_scaled(value: int | float | str) -> Decimal:
    units, fraction = divmod(int(value), SCALE)
    if not fraction:  # whole units, the common case: no Decimal arithmetic needed
        return Decimal(units)
    return normalize(Decimal(int(value)).scaleb(-MAX_DECIMAL_PLACES))


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps in and out. SQLite keeps naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:  # SQLite's naive UTC text; parsed with its offset (replace() costs 7x more)
                return dt.datetime.fromisoformat(value + "+00:00")
            except ValueError:
                value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


def sqlite_timestamp(moment: dt.datetime) -> str:
    """What UTCDateTime stores on SQLite, for Core bulk paths that bypass type processing."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# --- SQLite processors for direct execution (adapters/direct.py) -----------------------------
# SQLAlchemy chains a TypeDecorator's processing with its implementation type's (for a
# timestamp: to naive UTC, then SQLite DATETIME's formatting; back: parse, then attach UTC).
# Each pair below does the same in one call; tests/unit/test_direct_processors.py holds them
# to SQLAlchemy's output.

def _sqlite_amount_in(value: Any) -> int | None:
    return None if value is None else to_scaled(value)


def _sqlite_amount_out(value: Any) -> Decimal | None:
    return None if value is None else from_scaled(value)


def _sqlite_moment_in(value: Any) -> str | None:
    """UTCDateTime's bind on SQLite: naive UTC text with microseconds."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected datetime, got {type(value).__name__}")
    moment: dt.datetime = value
    if moment.tzinfo is not dt.UTC:
        moment = (moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
                  ).astimezone(dt.UTC)
    return moment.isoformat(" ", "microseconds")[:-6]  # less its "+00:00"


def _sqlite_moment_out(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if value.__class__ is str:
        try:  # what _sqlite_moment_in stores (a bare date would come back naive)
            moment = dt.datetime.fromisoformat(value + "+00:00")
            if moment.tzinfo is not None:
                return moment
        except ValueError:
            pass
    return _MOMENT.process_result_value(dt.datetime.fromisoformat(value), _SQLITE)


_SQLITE = sqlite_dialect()
_MOMENT = UTCDateTime()
_SQLITE_PROCESSORS: dict[type, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    Amount: (_sqlite_amount_in, _sqlite_amount_out),
    UTCDateTime: (_sqlite_moment_in, _sqlite_moment_out),
}


def sqlite_processors(type_: TypeEngine[Any]
                      ) -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """The (bind, result) processors of a column type of ours on SQLite, None for others."""
    return _SQLITE_PROCESSORS.get(type(type_))
