"""Direct execution on SQLite (adapters/direct.py) converts values in one call per column
where SQLAlchemy chains two; both must give exactly what SQLAlchemy's own processing gives,
so a row written or read either way is the same."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, MetaData, String, Table, bindparam, insert, select
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from lotline.adapters.direct import _plan
from lotline.adapters.types import Amount, UTCDateTime, sqlite_processors

SQLITE = sqlite_dialect()
ROME = ZoneInfo("Europe/Rome")
MOMENTS = [
    dt.datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, 12, 30, 5, tzinfo=dt.UTC),  # no microseconds: still 6 digits
    dt.datetime(2026, 3, 1, 12, 30, 5, 7),  # naive: taken as UTC
    dt.datetime(2026, 7, 1, 1, 0, 0, 500, tzinfo=ROME),  # the day before in UTC
    dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.datetime(5, 1, 2, 3, 4, 5, tzinfo=dt.UTC),  # a year of one digit, zero-padded
]
AMOUNTS = [Decimal("12.5"), Decimal("0"), Decimal("-3.000001"), Decimal("1E+3"), 7, "2.25",
           Decimal("123456789012.123456")]


def sqlalchemy_bind(type_: Any) -> Any:
    return type_.dialect_impl(SQLITE).bind_processor(SQLITE)


def sqlalchemy_result(type_: Any) -> Any:
    return type_.dialect_impl(SQLITE).result_processor(SQLITE, None)


@pytest.mark.parametrize("moment", [*MOMENTS, None])
def test_a_timestamp_is_stored_and_read_as_sqlalchemy_does(moment: dt.datetime | None) -> None:
    fused = sqlite_processors(UTCDateTime())
    assert fused is not None
    stored = sqlalchemy_bind(UTCDateTime())(moment)
    assert fused[0](moment) == stored
    read = sqlalchemy_result(UTCDateTime())(stored)
    assert fused[1](stored) == read
    assert read is None or (read.tzinfo is dt.UTC and fused[1](stored).tzinfo is dt.UTC)


@pytest.mark.parametrize("text", ["2026-03-01 12:30:05", "2026-03-01T12:30:05.5",
                                  "2026-03-01 12:30:05+02:00", "2026-03-01"])
def test_timestamp_text_of_other_forms_reads_as_sqlalchemy_reads_it(text: str) -> None:
    fused = sqlite_processors(UTCDateTime())
    assert fused is not None
    assert fused[1](text) == sqlalchemy_result(UTCDateTime())(text)


def test_a_timestamp_bind_refuses_what_is_not_a_datetime() -> None:
    fused = sqlite_processors(UTCDateTime())
    assert fused is not None
    with pytest.raises(TypeError, match="expected datetime, got date"):
        fused[0](dt.date(2026, 3, 1))


@pytest.mark.parametrize("amount", [*AMOUNTS, None])
def test_an_amount_is_stored_and_read_as_sqlalchemy_does(amount: Any) -> None:
    fused = sqlite_processors(Amount())
    assert fused is not None
    stored = sqlalchemy_bind(Amount())(amount)
    assert fused[0](amount) == stored and type(fused[0](amount)) is type(stored)
    assert str(fused[1](stored)) == str(sqlalchemy_result(Amount())(stored))


def test_other_types_keep_sqlalchemy_processing() -> None:
    assert sqlite_processors(String()) is None


TABLE = Table("direct_rows", MetaData(), Column("id", String, primary_key=True),
              Column("at", UTCDateTime()), Column("amount", Amount()), Column("note", String))


def test_a_plan_binds_and_reads_rows_through_the_processors() -> None:
    """The generated functions of a plan: parameters in statement order with their
    defaults, and rows with every column converted."""
    moment = MOMENTS[3]
    plan = _plan(insert(TABLE).values(id=bindparam("id"), at=bindparam("at"),
                                      amount=bindparam("amount"), note="fixed"), SQLITE)
    assert plan is not None
    assert plan.arguments({"id": "a", "at": moment, "amount": Decimal("1.5")}) == (
        "a", sqlalchemy_bind(UTCDateTime())(moment), 1_500_000, "fixed")
    read = _plan(select(TABLE.c.id, TABLE.c.at, TABLE.c.amount, TABLE.c.note), SQLITE)
    assert read is not None
    rows = read.rows([("a", "2026-06-30 23:00:00.000500", 1_500_000, None),
                      ("b", None, None, "x")])
    assert [tuple(row) for row in rows] == [
        ("a", moment.astimezone(dt.UTC), Decimal("1.5"), None), ("b", None, None, "x")]
    assert rows[0].at.tzinfo is dt.UTC and rows[0].amount == Decimal("1.5")
