"""Object events of one shape made from a template: what `epcis.object_event` makes, byte for
byte, for a fraction of its cost (a recall drill's 40,000 shipments share a few shapes).

A shape is an object event's action, step, disposition, read point, business location, sources
and the types of its destinations and business transactions; its events list units only and
differ in their time, their units and the ids of their destinations and business transactions
(a customer's, an order's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from lotline.domain.epcis import Where, event_time, object_event, offset_of
from lotline.domain.epcis_hash import UnitEventHash

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class ObjectEventShape:
    """Events of units (`epcList`, no `quantityList`) alike but for their time, units,
    destinations' and transactions' ids: the first made by `object_event`, kept as the
    template whose copy each event is (its properties stay in `object_event`'s order)."""

    def __init__(self, *, action: str, biz_step: str, disposition: str, where: Where,
                 timezone: str) -> None:
        self.template = object_event(moment=EPOCH, action=action, biz_step=biz_step,
                                     disposition=disposition, epcs=[], quantities=[],
                                     where=where, timezone=timezone)
        self.hash = UnitEventHash(self.template, ("bizTransactionList", "destinationList"))
        self.timezone = timezone

    def event(self, moment: dt.datetime, epcs: list[str],
              destinations: Sequence[tuple[str, str]],
              transactions: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """`object_event` of this shape at `moment`, of `epcs`, to `destinations` under
        `transactions`, of the types the shape was made with (others are another shape, the
        caller's to tell apart: this one would hash them as these)."""
        event = self.template.copy()
        timezone = self.timezone
        time = event["eventTime"] = event_time(moment, timezone)
        offset = event["eventTimeZoneOffset"] = offset_of(moment, timezone)
        event["epcList"] = epcs
        if transactions:
            event["bizTransactionList"] = [{"type": kind, "bizTransaction": ident}
                                           for kind, ident in transactions]
        if destinations:
            event["destinationList"] = [{"type": kind, "destination": ident}
                                        for kind, ident in destinations]
        event["eventID"] = self.hash(time, offset, epcs, (transactions, destinations))
        return event
