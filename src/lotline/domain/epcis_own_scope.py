"""Whether a standard query could select any of lotline's own events (domain/epcis builds them
from the ledger), decided from its conditions alone, so that a query that cannot (an eventID
lotline never gives, a unit that is none of ours) skips exporting them (DESIGN §9).

What own events are made of, that this relies on: only ObjectEvents and TransformationEvents;
their eventID is the event hash (`ni:///...`); no parentID or childEPCs; and every EPC they
carry (epcList, inputEPCList, outputEPCList) is a unit of the organization, whose identifier
ends, after its last `/` or `:`, with its serial number percent-encoded (epcis.unit_id), which
canonical forms (epcis_index.identifier) leave as it is."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from lotline.domain.epcis_conditions import Condition, FieldMatch, RefMatch, TypeIn
from lotline.domain.epcis_query import EpcisQuery

OWN_TYPES = frozenset({"ObjectEvent", "TransformationEvent"})
OWN_KEY_PREFIX = "ni:///"
UNIT_ROLES = frozenset({"epcList", "inputEPCList", "outputEPCList"})
NEVER_OWN_ROLES = frozenset({"childEPCs", "parentID"})


@dataclass(frozen=True, slots=True)
class OwnScope:
    """`possible` False: no own event can match. Otherwise, when `serial_numbers` is not None,
    an own event can match only if the organization has a unit numbered one of them."""

    possible: bool
    serial_numbers: frozenset[str] | None = None


def serial_number_of(epc: str) -> str:
    """The serial number an own unit with this (canonical) identifier would have."""
    cut = max(epc.rfind("/"), epc.rfind(":"))
    return unquote(epc[cut + 1:])


def _unit_numbers(condition: RefMatch) -> frozenset[str] | None:
    """The serial numbers a unit must have to satisfy an EPC condition; None: any may."""
    roles = set(condition.roles)
    if not roles <= UNIT_ROLES | NEVER_OWN_ROLES or condition.selection.globs:
        return None
    if not roles & UNIT_ROLES:
        return frozenset()
    return frozenset(map(serial_number_of, condition.selection.exact))


def _excludes_own(condition: Condition) -> bool:
    if isinstance(condition, TypeIn):
        return not condition.types & OWN_TYPES
    if isinstance(condition, FieldMatch) and condition.field == "key":
        return not condition.selection.globs and not any(
            key.startswith(OWN_KEY_PREFIX) for key in condition.selection.exact)
    return False


def own_scope(query: EpcisQuery) -> OwnScope:
    if any(_excludes_own(condition) for condition in query.conditions):
        return OwnScope(False)
    # Each EPC condition may be met by a different unit of the event: each alone is necessary,
    # so the first one is checked (and any that no number meets rules own events out).
    required = [found for condition in query.conditions if isinstance(condition, RefMatch)
                and (found := _unit_numbers(condition)) is not None]
    if any(not numbers for numbers in required):
        return OwnScope(False)
    return OwnScope(True, required[0] if required else None)
