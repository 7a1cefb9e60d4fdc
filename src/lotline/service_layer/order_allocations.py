"""One order's allocations, read once per unit of work and kept current by the writes made
through it: allocating, picking and shipping decide from them, then build the order view and
the event from the same list instead of reading it again."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lotline.domain.flows import Allocation
from lotline.domain.values import normalize
from lotline.service_layer.ports import FlowRepository

_FIELDS = frozenset(field.name for field in dataclasses.fields(Allocation))


class OrderAllocations:
    """`allocations`, `add_allocation` and `update_allocation` as FlowRepository has them, for
    the allocations of `order_id`. A write it cannot mirror (an allocation it does not hold)
    makes it read afresh on next use, so it is never staler than the database."""

    def __init__(self, flows: FlowRepository, order_id: str) -> None:
        self.flows = flows
        self.order_id = order_id
        self._items: list[Allocation] | None = None

    def every(self) -> list[Allocation]:
        if self._items is None:
            self._items = self.flows.allocations(self.order_id)
        return list(self._items)

    def allocations(self, order_id: str, statuses: Sequence[str] | None = None
                    ) -> list[Allocation]:
        if order_id != self.order_id:
            return self.flows.allocations(order_id, statuses)
        return [a for a in self.every() if statuses is None or a.status in statuses]

    def allocated_by_line(self) -> dict[str, Decimal]:
        """What each line has allocated, released allocations left out."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for allocation in self.every():
            if allocation.status != "released":
                totals[allocation.order_line_id] += allocation.quantity
        return dict(totals)

    def add_allocation(self, values: dict[str, Any], serial_number: str | None = None) -> None:
        self.flows.add_allocation(values)
        if self._items is None:
            return
        if values["order_id"] != self.order_id:
            self.forget()
            return
        added = Allocation(serial_number=serial_number, shipment_id=values.get("shipment_id"),
                           **_as_read({k: v for k, v in values.items()
                                       if k in _FIELDS and k != "shipment_id"}))
        # The repository returns them in id order (ids are time-ordered): keep that order.
        self._items = sorted([*self._items, added], key=lambda a: a.id)

    def update_allocation(self, allocation_id: str, values: dict[str, Any]) -> None:
        self.flows.update_allocation(allocation_id, values)
        if self._items is None:
            return
        for index, allocation in enumerate(self._items):
            if allocation.id == allocation_id:
                self._items[index] = dataclasses.replace(
                    allocation, **_as_read({k: v for k, v in values.items() if k in _FIELDS}))
                return
        self.forget()

    def open_allocation_for_serial(self, serial_id: str) -> Allocation | None:
        return self.flows.open_allocation_for_serial(serial_id)

    def forget(self) -> None:
        """Something was written past this object: read from the database on next use."""
        self._items = None


def _as_read(values: dict[str, Any]) -> dict[str, Any]:
    """Amounts as the repository hands them back (12.50 is read as 12.5)."""
    return {k: normalize(v) if isinstance(v, Decimal) else v for k, v in values.items()}
