"""Serial statuses, the transition table and the other closed vocabularies.

The transition table is data: every door (library, API, CLI, UI) reads it to decide what
is allowed and to show the available actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

from lotline.domain.errors import ValidationError


class _AliasedEnum(str, Enum):
    """A string enum whose members can be looked up by canonical name, alias or value."""

    @classmethod
    def _missing_(cls, value: object) -> _AliasedEnum | None:
        if isinstance(value, str):
            key = value.strip().upper().replace("-", "_").replace(" ", "_")
            member = cls.__members__.get(key)
            if member is not None:
                return member
        return None

    def __str__(self) -> str:
        return str(self.value)


class SerialStatus(_AliasedEnum):
    EXPECTED = "EXPECTED"
    RECEIVED = "RECEIVED"
    IN_STOCK = "IN_STOCK"
    ALLOCATED = "ALLOCATED"
    PICKED = "PICKED"
    SHIPPED = "SHIPPED"
    RETURNED = "RETURNED"
    DEFECTIVE = "DEFECTIVE"
    SCRAPPED = "SCRAPPED"
    CONSUMED = "CONSUMED"
    INSTALLED = "INSTALLED"
    CANCELLED = "CANCELLED"
    # Aliases from the seeds: same members, never shown in output.
    AVAILABLE = "IN_STOCK"
    IN_INVENTORY = "IN_STOCK"
    ASSIGNED = "ALLOCATED"
    RESERVED = "ALLOCATED"
    SOLD = "SHIPPED"


class Tracking(_AliasedEnum):
    NONE = "none"
    LOT = "lot"
    SERIAL = "serial"
    LOT_SERIAL = "lot_serial"

    @property
    def uses_serials(self) -> bool:
        return self in (Tracking.SERIAL, Tracking.LOT_SERIAL)

    @property
    def requires_lot(self) -> bool:
        return self in (Tracking.LOT, Tracking.LOT_SERIAL)


class RemovalStrategy(_AliasedEnum):
    FEFO = "fefo"
    FIFO = "fifo"
    LIFO = "lifo"


class LotStatus(_AliasedEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class HoldKind(_AliasedEnum):
    QUARANTINE = "quarantine"
    RECALL = "recall"
    OTHER = "other"


class LocationKind(_AliasedEnum):
    RECEIVING = "receiving"
    STORAGE = "storage"
    STAGING = "staging"
    SHIPPING = "shipping"
    RETURNS = "returns"
    QUARANTINE = "quarantine"


class SerialScope(_AliasedEnum):
    ORGANIZATION = "organization"
    PRODUCT = "product"


class MovementKind(_AliasedEnum):
    RECEIPT = "receipt"
    PUTAWAY = "putaway"
    TRANSFER = "transfer"
    ALLOCATION = "allocation"
    DEALLOCATION = "deallocation"
    PICK = "pick"
    SHIPMENT = "shipment"
    RETURN = "return"
    ADJUSTMENT = "adjustment"
    SCRAP = "scrap"
    CONSUME = "consume"
    PRODUCE = "produce"
    INSTALL = "install"
    REMOVE = "remove"
    CANCEL = "cancel"
    REVERSAL = "reversal"
    STATUS_CHANGE = "status_change"


S = SerialStatus
_K = MovementKind


class Tone(str, Enum):
    """The colour a status is shown in: the stylesheet has one `.tone-<value>` rule for each
    (a test checks), so a status names its tone and never a colour."""

    OK = "ok"
    INFO = "info"
    DONE = "done"
    WARN = "warn"
    BAD = "bad"
    NEUTRAL = "neutral"


class Tab(str, Enum):
    ALWAYS = "always"  # a tab of the serial list, even when empty
    WHEN_USED = "when_used"  # a tab only while it holds units (or is the current filter)


@dataclass(frozen=True, slots=True, kw_only=True)
class SerialStatusInfo:
    """Everything the doors and the rules need to know about one serial status."""

    label: str  # the words people read
    tone: Tone
    tab: Tab
    asks_reason: bool  # a change to it offers a reason field
    custody: bool  # in the organization's custody, so the unit has a location (DESIGN §2)
    # Where a unit goes on entering it when the caller names no location: the code of a
    # standard location of its warehouse, KEEP (stays where it is) or None (out of custody).
    arrives_at: str | None
    final: bool
    initial: bool  # a unit may be registered in it
    importable: bool  # a CSV import may register a unit in it
    blocked_by_hold: bool  # a held or expired unit, lot or location cannot enter it
    counts_in_lot: bool  # counts against its lot's declared quantity
    reserved: bool  # set aside for an order: leaving it for stock keeps the unit where it is


KEEP = "keep"


def _info(label: str, tone: Tone, *, tab: Tab = Tab.ALWAYS, reason: bool = False,
          arrives_at: str | None = KEEP, final: bool = False, initial: bool = False,
          importable: bool = False, blocked: bool = False, counts: bool = True,
          reserved: bool = False) -> SerialStatusInfo:
    return SerialStatusInfo(
        label=label, tone=tone, tab=tab, asks_reason=reason, custody=arrives_at is not None,
        arrives_at=arrives_at, final=final, initial=initial, importable=importable,
        blocked_by_hold=blocked, counts_in_lot=counts, reserved=reserved)


# Every serial status, declared once, in lifecycle order: the serial list's tabs, the
# dashboard's tiles and every per-status count follow this order.
SERIAL_STATUSES: Mapping[SerialStatus, SerialStatusInfo] = MappingProxyType({
    S.EXPECTED: _info("Expected", Tone.INFO, arrives_at=None, initial=True, importable=True),
    S.RECEIVED: _info("Received", Tone.INFO, arrives_at="RECEIVING", initial=True,
                      importable=True),
    S.IN_STOCK: _info("In stock", Tone.OK, arrives_at="STOCK", initial=True, importable=True),
    S.ALLOCATED: _info("Allocated", Tone.INFO, blocked=True, reserved=True),
    S.PICKED: _info("Picked", Tone.INFO, blocked=True, reserved=True),
    S.SHIPPED: _info("Shipped", Tone.DONE, arrives_at=None, blocked=True, importable=True),
    S.RETURNED: _info("Returned", Tone.WARN, arrives_at="RETURNS", importable=True),
    # A unit reported defective while at the customer has no location to keep.
    S.DEFECTIVE: _info("Defective", Tone.BAD, reason=True, importable=True),
    S.SCRAPPED: _info("Scrapped", Tone.BAD, reason=True, arrives_at=None, final=True,
                      importable=True),
    S.CONSUMED: _info("Consumed", Tone.DONE, tab=Tab.WHEN_USED, arrives_at=None, final=True,
                      importable=True),
    S.INSTALLED: _info("Installed", Tone.DONE, tab=Tab.WHEN_USED, arrives_at=None),
    S.CANCELLED: _info("Cancelled", Tone.BAD, tab=Tab.WHEN_USED, reason=True, arrives_at=None,
                       final=True, counts=False),
})

# from-status -> {to-status: (action label, ledger kind)}. Insertion order is the order
# actions are shown (DESIGN §2).
_TABLE: Mapping[SerialStatus, Mapping[SerialStatus, tuple[str, MovementKind]]] = {
    S.EXPECTED: {S.RECEIVED: ("receive", _K.RECEIPT), S.IN_STOCK: ("receive to stock",
                                                                  _K.RECEIPT),
                 S.CANCELLED: ("not delivered", _K.CANCEL)},
    S.RECEIVED: {S.IN_STOCK: ("put away", _K.PUTAWAY),
                 S.CANCELLED: ("void a mistaken entry", _K.CANCEL)},
    S.IN_STOCK: {S.ALLOCATED: ("reserve", _K.ALLOCATION), S.SHIPPED: ("sell", _K.SHIPMENT),
                 S.DEFECTIVE: ("mark defective", _K.STATUS_CHANGE),
                 S.SCRAPPED: ("scrap", _K.SCRAP), S.CONSUMED: ("consume", _K.CONSUME),
                 S.INSTALLED: ("install into another unit", _K.INSTALL),
                 S.CANCELLED: ("void a mistaken entry", _K.CANCEL)},
    S.ALLOCATED: {S.IN_STOCK: ("return to stock", _K.DEALLOCATION), S.PICKED: ("pick", _K.PICK),
                  S.SHIPPED: ("sell", _K.SHIPMENT)},
    S.PICKED: {S.SHIPPED: ("ship", _K.SHIPMENT), S.IN_STOCK: ("return to stock",
                                                              _K.DEALLOCATION)},
    S.SHIPPED: {S.RETURNED: ("customer return", _K.RETURN),
                S.DEFECTIVE: ("mark defective", _K.STATUS_CHANGE)},
    S.RETURNED: {S.IN_STOCK: ("restock", _K.PUTAWAY),
                 S.DEFECTIVE: ("mark defective", _K.STATUS_CHANGE),
                 S.SCRAPPED: ("scrap", _K.SCRAP)},
    S.DEFECTIVE: {S.IN_STOCK: ("return to stock", _K.PUTAWAY), S.SCRAPPED: ("scrap", _K.SCRAP)},
    S.INSTALLED: {S.IN_STOCK: ("remove from its parent unit", _K.REMOVE),
                  S.SCRAPPED: ("scrap", _K.SCRAP)},
}

# from-status -> {to-status: action label}; final statuses allow nothing.
TRANSITIONS: Mapping[SerialStatus, Mapping[SerialStatus, str]] = MappingProxyType({
    status: {target: label for target, (label, _) in _TABLE.get(status, {}).items()}
    for status in SERIAL_STATUSES})
# The ledger kind written for each allowed transition.
MOVEMENT_KINDS: Mapping[tuple[SerialStatus, SerialStatus], MovementKind] = MappingProxyType({
    (status, target): kind for status, targets in _TABLE.items()
    for target, (_, kind) in targets.items()})

CANONICAL_STATUSES: tuple[SerialStatus, ...] = tuple(SERIAL_STATUSES)
# A stored status's place in the lifecycle, for listing statuses in their declared order.
LIFECYCLE_ORDER: Mapping[str, int] = MappingProxyType(
    {s.value: place for place, s in enumerate(SERIAL_STATUSES)})
CUSTODY_STATUSES = frozenset(s for s, i in SERIAL_STATUSES.items() if i.custody)
BLOCKED_BY_HOLD = frozenset(s for s, i in SERIAL_STATUSES.items() if i.blocked_by_hold)
FINAL_STATUSES = frozenset(s for s, i in SERIAL_STATUSES.items() if i.final)
INITIAL_STATUSES = frozenset(s for s, i in SERIAL_STATUSES.items() if i.initial)
IMPORT_STATUSES = frozenset(s for s, i in SERIAL_STATUSES.items() if i.importable)


def allowed_targets(current: SerialStatus) -> tuple[SerialStatus, ...]:
    return tuple(TRANSITIONS[current])


def is_allowed(current: SerialStatus, target: SerialStatus) -> bool:
    return target in TRANSITIONS[current]


E = TypeVar("E", bound=_AliasedEnum)


def parse_enum(enum_type: type[E], value: object, field: str) -> E:
    """Turn user input (canonical name, alias or value, any case) into an enum member."""
    if isinstance(value, enum_type):
        return value
    try:
        return enum_type(value)
    except ValueError:
        choices = ", ".join(sorted({m.value for m in enum_type}))
        raise ValidationError.single(
            field, f"unknown {field} {value!r}; expected one of {choices}", value
        ) from None


class Role(_AliasedEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    VIEWER = "viewer"
    # Seed 004's role names.
    GESTOR = "manager"
    CONSULTOR = "viewer"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "manager": 1, "admin": 2}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


def destination(current: SerialStatus, target: SerialStatus) -> str | None:
    """Where a unit goes on a transition when the caller names no location: KEEP its location,
    the code of a standard location of its warehouse, or None (out of custody)."""
    arrives_at = SERIAL_STATUSES[target].arrives_at
    if arrives_at is None:
        return None
    # A unit set aside for an order and put back stays where it was picked from.
    return KEEP if SERIAL_STATUSES[current].reserved else arrives_at
