"""The conditions an EPCIS standard query is made of (epcis_query builds them from parameters):
each says whether an event's index satisfies it, and is plain data the store turns into SQL.
Four kinds cover every parameter lotline answers: the event type, a time bound, a field of the
event (equal, or within a place), and the identifiers it names in a role (MATCH_ patterns,
typed business transactions, sources and destinations, transformation, error declaration)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from lotline.domain.epcis_index import EventIndex
from lotline.domain.epcis_patterns import IdSelection, selects


def merge_selections(selections: Iterable[IdSelection],
                     exact: frozenset[str] = frozenset()) -> IdSelection:
    """Several values of one parameter select what any of them selects."""
    found = list(selections)
    return IdSelection(exact.union(*(s.exact for s in found)),
                       tuple(dict.fromkeys(g for s in found for g in s.globs)))


@dataclass(frozen=True, slots=True)
class TypeIn:
    parameter: str
    types: frozenset[str]

    def holds(self, index: EventIndex) -> bool:
        return index.event_type in self.types


@dataclass(frozen=True, slots=True)
class TimeBound:
    parameter: str
    field: str  # an EventIndex field holding a UTC datetime
    at_or_after: bool  # GE_ (at or after) or LT_ (before)
    moment: dt.datetime

    def holds(self, index: EventIndex) -> bool:
        value: dt.datetime | None = getattr(index, self.field)
        if value is None:
            return False
        return value >= self.moment if self.at_or_after else value < self.moment


@dataclass(frozen=True, slots=True)
class FieldMatch:
    parameter: str
    field: str  # an EventIndex field holding one text value
    selection: IdSelection

    def holds(self, index: EventIndex) -> bool:
        value: str | None = getattr(index, self.field)
        return value is not None and selects(self.selection, {value})


@dataclass(frozen=True, slots=True)
class RefMatch:
    parameter: str
    roles: tuple[str, ...]  # ref roles of EventIndex.refs
    selection: IdSelection

    def holds(self, index: EventIndex) -> bool:
        return selects(self.selection, index.values(*self.roles))


Condition = TypeIn | TimeBound | FieldMatch | RefMatch
