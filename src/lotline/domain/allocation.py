"""The one ordering of lots for picking, allocation, seed 004's endpoint and costing (DESIGN §4),
and the pure allocation plan over it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from lotline.domain.statuses import LotStatus, RemovalStrategy


class Orderable(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def expiry_date(self) -> dt.date | None: ...
    @property
    def received_at(self) -> dt.datetime: ...
    @property
    def created_at(self) -> dt.datetime: ...


class Allocatable(Orderable, Protocol):
    @property
    def status(self) -> LotStatus: ...
    @property
    def hold(self) -> object | None: ...


L = TypeVar("L", bound=Orderable)
A = TypeVar("A", bound=Allocatable)


def _arrival_key(lot: Orderable) -> tuple[dt.datetime, dt.datetime, str]:
    # received_at of a lot entered with an explicit purchase_date is 00:00 UTC that day
    # (set when the lot is created), so it already carries DESIGN §4 rule 2.
    return (lot.received_at, lot.created_at, lot.id)


def fefo_key(lot: Orderable) -> tuple[bool, dt.date, tuple[dt.datetime, dt.datetime, str]]:
    """Expiry first (no expiry after every dated lot), then arrival, then creation order."""
    return (lot.expiry_date is None, lot.expiry_date or dt.date.max, _arrival_key(lot))


def order_lots(lots: Iterable[L], strategy: RemovalStrategy = RemovalStrategy.FEFO) -> list[L]:
    """Lots in the order they are to be picked and depleted under `strategy`."""
    if strategy is RemovalStrategy.FEFO:
        return sorted(lots, key=fefo_key)
    return sorted(lots, key=_arrival_key, reverse=strategy is RemovalStrategy.LIFO)


def is_expired(expiry_date: dt.date | None, today: dt.date) -> bool:
    """A lot is expired on and after its expiry date."""
    return expiry_date is not None and today >= expiry_date


def block_reason(lot: Allocatable, today: dt.date) -> str | None:
    """Why a lot cannot be allocated today, or None when it can."""
    if lot.status is LotStatus.INACTIVE:
        return "inactive"
    if lot.hold is not None:
        return "on hold"
    if is_expired(lot.expiry_date, today):
        return f"expired on {lot.expiry_date}"
    return None


def is_allocatable(lot: Allocatable, today: dt.date,
                   min_remaining_shelf_life_days: int | None = None) -> bool:
    if block_reason(lot, today) is not None:
        return False
    if min_remaining_shelf_life_days and lot.expiry_date is not None:
        return (lot.expiry_date - today).days >= min_remaining_shelf_life_days
    return True


def allocation_candidates(lots: Iterable[A], strategy: RemovalStrategy, today: dt.date,
                          min_remaining_shelf_life_days: int | None = None) -> list[A]:
    """Eligible lots only, in strategy order."""
    eligible = [lot for lot in lots
                if is_allocatable(lot, today, min_remaining_shelf_life_days)]
    return order_lots(eligible, strategy)


@dataclass(frozen=True, slots=True)
class PlannedTake:
    lot_id: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    takes: list[PlannedTake]
    shortfall: Decimal

    @property
    def allocated(self) -> Decimal:
        return sum((take.quantity for take in self.takes), Decimal(0))


def plan_allocation(ordered_available: Sequence[tuple[str, Decimal]],
                    needed: Decimal) -> AllocationPlan:
    """Take `needed` from lots in the given order; `ordered_available` is (lot id, available)."""
    takes: list[PlannedTake] = []
    remaining = needed
    for lot_id, available in ordered_available:
        if remaining <= 0:
            break
        take = min(available, remaining)
        if take > 0:
            takes.append(PlannedTake(lot_id, take))
            remaining -= take
    return AllocationPlan(takes, max(remaining, Decimal(0)))
