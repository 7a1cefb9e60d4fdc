"""Object events of one shape made from a template: what `epcis.object_event` makes, byte for
byte, for a fraction of its cost (a recall drill's 40,000 shipments share a few shapes).

A shape is an object event's action, step, disposition, read point, business location, sources
and the types of its destinations and business transactions; its events list units only and
differ in their time, their units and the ids of their destinations and business transactions
(a customer's, an order's)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from lotline.domain.epcis import Where, event_time, object_event, offset_of
from lotline.domain.epcis_hash import (
    EPCS,
    PAIRED,
    PAIRS_KEPT,
    PROPERTY_ORDER,
    SIMPLE,
    TIMES_KEPT,
    _fixed_parts,
    _generic,
    _member,
    _ordered,
)

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
        self.times: dict[dt.datetime, tuple[str, str]] = {}

    def event(self, moment: dt.datetime, epcs: list[str],
              destinations: Sequence[tuple[str, str]],
              transactions: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """`object_event` of this shape at `moment`, of `epcs`, to `destinations` under
        `transactions`, of the types the shape was made with (others are another shape, the
        caller's to tell apart: this one would hash them as these)."""
        event = self.template.copy()
        times = self.times.get(moment)
        if times is None:
            times = (event_time(moment, self.timezone), offset_of(moment, self.timezone))
            if len(self.times) < TIMES_KEPT:  # a drill's shipments: a few moments
                self.times[moment] = times
        time, offset = times
        event["eventTime"], event["eventTimeZoneOffset"] = time, offset
        event["epcList"] = epcs
        if transactions:
            event["bizTransactionList"] = [{"type": kind, "bizTransaction": ident}
                                           for kind, ident in transactions]
        if destinations:
            event["destinationList"] = [{"type": kind, "destination": ident}
                                        for kind, ident in destinations]
        event["eventID"] = self.hash(time, offset, epcs, (transactions, destinations))
        return event


PAIR_MEMBERS = {"bizTransactionList": "bizTransaction", "sourceList": "source",
                "destinationList": "destination"}


class UnitEventHash:
    """`event_hash` of events like `template` (units, no quantities, no `@context` prefixes)
    that differ from it only in their time, units and the ids of the pairs of `varying`
    lists (each a list of `{type, <member>}` objects, in that order), given as they are
    made: the rest rendered once, the pairs' texts kept by their tuples (a customer's, met
    in each of its orders' shipments)."""

    def __init__(self, template: Mapping[str, Any], varying: tuple[str, ...]) -> None:
        endings, head, ordered, rest, _joined, _texts, _plan = _fixed_parts(template)
        # What PROPERTY_ORDER puts after epcList; the template must have nothing before it
        # but the time, and no quantities.
        after = [name for name, _shape in PROPERTY_ORDER[PROPERTY_ORDER.index(
            ("epcList", EPCS)) + 1:]]
        assert "epcList" in template and "quantityList" not in template
        assert set(ordered) <= set(after), sorted(ordered)
        self.endings, self.head = endings, head
        self.middle = "".join(ordered[name] for name in after if name in ordered)
        self.rest = rest + [_generic(name, template[name], endings)[0] for name in PAIRED
                            if name in template and name not in varying]
        self.varying = varying
        self.times: dict[tuple[str, str], str] = {}
        self.pairs: dict[tuple[Any, ...], str] = {}
        self.types: dict[str, str] = {}

    def __call__(self, time: str, offset: str, epcs: list[str],
                 pairs: Sequence[Sequence[tuple[str, str]]]) -> str:
        """The hash of the event at `time` (`offset`) of `epcs`, with `pairs` of each
        `varying` list (empty: no such list)."""
        endings = self.endings
        moment = self.times.get((time, offset))
        if moment is None:
            moment = _ordered("eventTime", SIMPLE, time, endings) + \
                _ordered("eventTimeZoneOffset", SIMPLE, offset, endings)
            if len(self.times) < TIMES_KEPT:
                self.times[time, offset] = moment
        texts = list(self.rest)
        for name, listed in zip(self.varying, pairs, strict=True):
            if listed:
                texts.append(self._paired(name, listed))
        texts.sort()
        text = self.head + moment + _ordered("epcList", EPCS, epcs, endings) + \
            self.middle + "".join(texts)
        return f"ni:///sha-256;{hashlib.sha256(text.encode('utf-8')).hexdigest()}?ver=CBV2.0"

    def _paired(self, name: str, listed: Sequence[tuple[str, str]]) -> str:
        """`_generic`'s text of the list `name` of `listed` pairs."""
        key = (name, *listed)
        text = self.pairs.get(key)
        if text is None:
            endings, member, types = self.endings, PAIR_MEMBERS[name], self.types
            entries = []
            for kind, ident in listed:
                typed = types.get(kind)  # a few types, met in every event
                if typed is None:
                    typed = types[kind] = _member("type", kind, endings)
                entries.append(typed + _member(member, ident, endings))
            text = name + "".join(sorted(entries) if len(entries) > 1 else entries)
            if len(self.pairs) >= PAIRS_KEPT:
                self.pairs.clear()
            self.pairs[key] = text
        return text
