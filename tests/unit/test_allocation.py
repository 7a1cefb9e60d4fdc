"""The one lot order of DESIGN §4 (FEFO, FIFO, LIFO), eligibility, and the allocation plan:
fixed examples plus property tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from lotline.domain.allocation import (
    allocation_candidates,
    block_reason,
    fefo_key,
    is_allocatable,
    order_lots,
    plan_allocation,
)
from lotline.domain.statuses import LotStatus, RemovalStrategy

FEFO, FIFO, LIFO = RemovalStrategy.FEFO, RemovalStrategy.FIFO, RemovalStrategy.LIFO
UTC = dt.UTC
PROPERTY = settings(max_examples=200, deadline=None)


@dataclass(frozen=True)
class Lot:
    id: str
    expiry_date: dt.date | None
    received_at: dt.datetime
    created_at: dt.datetime
    status: LotStatus = LotStatus.ACTIVE
    hold: object | None = None


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, tzinfo=UTC)


# --- fixed examples ----------------------------------------------------------------------------

def test_fefo_seed_004_example() -> None:
    # Seed 004's three batches: expiry first, no expiry last.
    b1 = Lot("batch-001", dt.date(2026, 6, 15), at(15, 8), at(15, 8))
    b2 = Lot("batch-002", dt.date(2026, 8, 20), at(20, 10), at(20, 10))
    b3 = Lot("batch-003", None, dt.datetime(2026, 3, 1, 14, tzinfo=UTC), at(1))
    assert [lot.id for lot in order_lots([b3, b2, b1])] == ["batch-001", "batch-002",
                                                            "batch-003"]


def test_fefo_tie_breaks_received_then_created_then_id() -> None:
    expiry = dt.date(2026, 6, 1)
    a = Lot("a", expiry, at(3), at(1))
    b = Lot("b", expiry, at(2), at(5))          # received earlier than a
    c = Lot("c", expiry, at(2), at(4))          # same arrival as b, created earlier
    d = Lot("0", expiry, at(2), at(4))          # same as c but a smaller id
    assert [lot.id for lot in order_lots([a, b, c, d])] == ["0", "c", "b", "a"]


def test_fifo_and_lifo_ignore_expiry() -> None:
    early_expiry_late_arrival = Lot("x", dt.date(2026, 2, 1), at(9), at(9))
    late_expiry_early_arrival = Lot("y", dt.date(2027, 1, 1), at(1), at(1))
    no_expiry_middle = Lot("z", None, at(5), at(5))
    lots = [early_expiry_late_arrival, late_expiry_early_arrival, no_expiry_middle]
    assert [lot.id for lot in order_lots(lots, FEFO)] == ["x", "y", "z"]
    assert [lot.id for lot in order_lots(lots, FIFO)] == ["y", "z", "x"]
    assert [lot.id for lot in order_lots(lots, LIFO)] == ["x", "z", "y"]


def test_block_reasons() -> None:
    today = dt.date(2026, 5, 1)
    ok = Lot("ok", dt.date(2026, 5, 2), at(1), at(1))
    assert block_reason(ok, today) is None
    assert block_reason(Lot("e", dt.date(2026, 5, 1), at(1), at(1)), today) == \
        "expired on 2026-05-01"  # expired on its expiry date
    assert block_reason(Lot("h", None, at(1), at(1), hold=object()), today) == "on hold"
    assert block_reason(Lot("i", None, at(1), at(1), status=LotStatus.INACTIVE), today) == \
        "inactive"


def test_min_remaining_shelf_life_skips_lots_expiring_too_soon() -> None:
    today = dt.date(2026, 5, 1)
    lot = Lot("a", dt.date(2026, 5, 31), at(1), at(1))  # 30 days left
    assert is_allocatable(lot, today, 30)
    assert not is_allocatable(lot, today, 31)
    assert is_allocatable(Lot("n", None, at(1), at(1)), today, 365)


def test_plan_allocation_example() -> None:
    plan = plan_allocation([("a", Decimal("2.5")), ("b", Decimal(0)), ("c", Decimal(10))],
                           Decimal(4))
    assert [(t.lot_id, t.quantity) for t in plan.takes] == [("a", Decimal("2.5")),
                                                            ("c", Decimal("1.5"))]
    assert plan.shortfall == 0
    assert plan.allocated == 4
    short = plan_allocation([("a", Decimal(3))], Decimal(5))
    assert short.shortfall == 2
    assert short.allocated == 3
    assert plan_allocation([], Decimal(1)).shortfall == 1


# --- properties --------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=20)
START = dt.datetime(2026, 1, 1, tzinfo=UTC)


def build_lots(rows: list[tuple[int, int, int, int, int, int]]) -> list[Lot]:
    """Small integers to lots, so that ties in expiry, arrival and creation are frequent."""
    return [Lot(id=f"{key:x}",
                expiry_date=None if expiry < 0 else dt.date(2026, 1, 1) + dt.timedelta(expiry),
                received_at=START + dt.timedelta(days=received, hours=6 * hour),
                created_at=START + dt.timedelta(days=received if created < 0 else created,
                                                hours=6 * hour),
                status=LotStatus.INACTIVE if flags & 1 else LotStatus.ACTIVE,
                hold="quarantine" if flags & 2 else None)
            for key, expiry, received, hour, created, flags in rows]


def lot_lists(max_size: int = 12) -> st.SearchStrategy[list[Lot]]:
    row = st.tuples(st.integers(0, 0xFFFF), st.integers(-1, 20), st.integers(0, 10),
                    st.integers(0, 2), st.integers(-1, 10), st.sampled_from([0, 0, 0, 1, 2, 3]))
    return st.lists(row, max_size=max_size, unique_by=lambda r: r[0]).map(build_lots)


def spec_key(lot: Lot) -> tuple[int, dt.date, dt.datetime, dt.datetime, str]:
    """DESIGN §4 written independently: dated lots by expiry, then arrival, creation, id."""
    return (0 if lot.expiry_date else 1, lot.expiry_date or dt.date(9999, 12, 31),
            lot.received_at, lot.created_at, lot.id)


@PROPERTY
@given(lot_lists(), st.randoms(use_true_random=False), st.sampled_from([FEFO, FIFO, LIFO]))
def test_order_is_total_any_permutation_gives_the_same_output(
        lots: list[Lot], rnd: object, strategy: RemovalStrategy) -> None:
    shuffled = list(lots)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert order_lots(shuffled, strategy) == order_lots(lots, strategy)
    assert order_lots(reversed(lots), strategy) == order_lots(lots, strategy)


@PROPERTY
@given(lot_lists(), st.sampled_from([FEFO, FIFO, LIFO]))
def test_order_is_stable_and_a_permutation(lots: list[Lot], strategy: RemovalStrategy) -> None:
    ordered = order_lots(lots, strategy)
    assert sorted(ordered, key=lambda lot: lot.id) == sorted(lots, key=lambda lot: lot.id)
    assert order_lots(ordered, strategy) == ordered  # ordering an ordered list changes nothing


@PROPERTY
@given(lot_lists())
def test_fefo_matches_the_written_rule(lots: list[Lot]) -> None:
    ordered = order_lots(lots, FEFO)
    assert ordered == sorted(lots, key=spec_key)
    keys = [fefo_key(lot) for lot in ordered]
    assert keys == sorted(keys)


@PROPERTY
@given(lot_lists())
def test_lots_without_expiry_come_after_every_dated_lot(lots: list[Lot]) -> None:
    flags = [lot.expiry_date is None for lot in order_lots(lots, FEFO)]
    assert flags == sorted(flags)  # all False (dated) then all True (undated)
    dated = [lot.expiry_date for lot in order_lots(lots, FEFO) if lot.expiry_date]
    assert dated == sorted(dated)


@PROPERTY
@given(lot_lists())
def test_fifo_and_lifo_are_exact_reverses(lots: list[Lot]) -> None:
    fifo = order_lots(lots, FIFO)
    assert order_lots(lots, LIFO) == list(reversed(fifo))
    arrivals = [(lot.received_at, lot.created_at) for lot in fifo]
    assert arrivals == sorted(arrivals)


@PROPERTY
@given(lot_lists(), st.sampled_from([FEFO, FIFO, LIFO]),
       st.builds(lambda d: dt.date(2026, 1, 1) + dt.timedelta(days=d), days))
def test_allocation_candidates_never_include_blocked_lots(
        lots: list[Lot], strategy: RemovalStrategy, today: dt.date) -> None:
    candidates = allocation_candidates(lots, strategy, today)
    for lot in candidates:
        assert lot.status is LotStatus.ACTIVE
        assert lot.hold is None
        assert lot.expiry_date is None or lot.expiry_date > today
    eligible = [lot for lot in lots if lot.status is LotStatus.ACTIVE and lot.hold is None
                and (lot.expiry_date is None or lot.expiry_date > today)]
    assert candidates == order_lots(eligible, strategy)


@PROPERTY
@given(st.lists(st.decimals(min_value=0, max_value=1000, places=2), max_size=10),
       st.decimals(min_value=0, max_value=3000, places=2))
def test_plan_allocation_properties(available: list[Decimal], needed: Decimal) -> None:
    ordered = [(f"lot-{i}", qty) for i, qty in enumerate(available)]
    plan = plan_allocation(ordered, needed)
    total = sum(available, Decimal(0))
    assert plan.allocated == sum((t.quantity for t in plan.takes), Decimal(0))
    assert plan.allocated == min(needed, total)
    assert plan.shortfall == max(needed - total, Decimal(0))
    assert plan.allocated + plan.shortfall == needed
    by_lot = dict(ordered)
    for take in plan.takes:
        assert 0 < take.quantity <= by_lot[take.lot_id]
    # Lots are taken in the given order, each fully before the next is touched.
    positions = [int(t.lot_id.split("-")[1]) for t in plan.takes]
    assert positions == sorted(positions)
    for take in plan.takes[:-1]:
        assert take.quantity == by_lot[take.lot_id]
    if plan.takes:
        last = positions[-1]
        skipped_before_last = [by_lot[f"lot-{i}"] for i in range(last)
                               if i not in positions]
        assert all(qty == 0 for qty in skipped_before_last)
