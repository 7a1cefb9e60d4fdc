"""The expiry dashboard's figures, computed from the `expiring` and `expired` report rows:
quantity expiring per week, and the expired stock still on hand with its value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

WEEKS = 12


def weekly_totals(rows: Iterable[Mapping[str, Any]], today: dt.date,
                  weeks: int = WEEKS) -> list[tuple[dt.date, Decimal]]:
    """Quantity on hand expiring in each of the next `weeks` weeks (week 1 starts tomorrow:
    a lot expiring today is already expired)."""
    totals = [Decimal(0)] * weeks
    for row in rows:
        expiry = row.get("expiry_date")
        if not isinstance(expiry, dt.date):
            continue
        days_left = (expiry - today).days
        if 1 <= days_left <= weeks * 7:
            totals[(days_left - 1) // 7] += Decimal(row.get("on_hand") or 0)
    return [(today + dt.timedelta(days=7 * i + 1), total) for i, total in enumerate(totals)]


def expired_totals(rows: Iterable[Mapping[str, Any]]) -> tuple[Decimal, Decimal]:
    """Expired quantity still on hand and its value (rows without a value count 0)."""
    quantity, value = Decimal(0), Decimal(0)
    for row in rows:
        quantity += Decimal(row["on_hand"])
        value += Decimal(row["value"] or 0)
    return quantity, value
