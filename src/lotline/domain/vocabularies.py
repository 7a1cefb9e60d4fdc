"""Every stored status, declared once with the words and tone the doors show for it.

Serial statuses carry their rules in `statuses.SERIAL_STATUSES`; the other records' statuses
(orders, receipts, lots, recalls, order allocations) are plain strings and are declared here.
The database's CHECK constraints on status columns are generated from these declarations, so a
status missing here cannot be stored, and a page cannot show one it has no words for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lotline.domain.statuses import SERIAL_STATUSES, LotStatus, Tone


@dataclass(frozen=True, slots=True)
class Shown:
    label: str
    tone: Tone


def _declare(**statuses: Shown) -> Mapping[str, Shown]:
    return MappingProxyType(dict(statuses))


ORDER_STATUSES = _declare(
    open=Shown("Open", Tone.NEUTRAL), allocated=Shown("Allocated", Tone.INFO),
    partially_shipped=Shown("Partially shipped", Tone.WARN), shipped=Shown("Shipped", Tone.OK),
    cancelled=Shown("Cancelled", Tone.BAD))
RECEIPT_STATUSES = _declare(
    open=Shown("Open", Tone.NEUTRAL), partially_received=Shown("Partially received", Tone.WARN),
    received=Shown("Received", Tone.OK), cancelled=Shown("Cancelled", Tone.BAD))
LOT_STATUSES = _declare(**{LotStatus.ACTIVE.value: Shown("Active", Tone.OK),
                           LotStatus.INACTIVE.value: Shown("Inactive", Tone.NEUTRAL)})
RECALL_STATUSES = _declare(open=Shown("Open", Tone.WARN), closed=Shown("Closed", Tone.NEUTRAL))
ALLOCATION_STATUSES = _declare(
    allocated=Shown("Allocated", Tone.INFO), picked=Shown("Picked", Tone.INFO),
    shipped=Shown("Shipped", Tone.DONE), released=Shown("Released", Tone.NEUTRAL))

# The vocabulary of each status column: what a page shows and what a CHECK constraint allows.
VOCABULARIES: Mapping[str, Mapping[str, Shown]] = MappingProxyType({
    "serial": MappingProxyType({s.value: Shown(i.label, i.tone)
                                for s, i in SERIAL_STATUSES.items()}),
    "order": ORDER_STATUSES, "receipt": RECEIPT_STATUSES, "lot": LOT_STATUSES,
    "recall": RECALL_STATUSES, "allocation": ALLOCATION_STATUSES,
})


def shown(value: object, vocabulary: str = "serial") -> Shown:
    """The words and tone of a status (an enum member or its stored string); an undeclared
    value is shown as it is, in the neutral tone."""
    key = str(getattr(value, "value", value))
    return VOCABULARIES[vocabulary].get(key) or Shown(key, Tone.NEUTRAL)


def allowed_values_sql(column: str, vocabulary: str, *, nullable: bool = False) -> str:
    """The SQL of a CHECK constraint that lets a column hold only the declared statuses."""
    values = ", ".join(f"'{value}'" for value in VOCABULARIES[vocabulary])
    condition = f"{column} IN ({values})"
    return f"{column} IS NULL OR {condition}" if nullable else condition
