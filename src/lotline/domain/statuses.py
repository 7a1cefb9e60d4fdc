"""Serial statuses, the transition table and the other closed vocabularies.

The transition table is data: every door (library, API, CLI, UI) reads it to decide what
is allowed and to show the available actions.
"""

from __future__ import annotations

from collections.abc import Mapping
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

# from-status -> {to-status: action label}. Insertion order is the order actions are shown.
TRANSITIONS: Mapping[SerialStatus, Mapping[SerialStatus, str]] = MappingProxyType(
    {
        S.EXPECTED: {S.RECEIVED: "receive", S.IN_STOCK: "receive to stock",
                     S.CANCELLED: "not delivered"},
        S.RECEIVED: {S.IN_STOCK: "put away", S.CANCELLED: "void a mistaken entry"},
        S.IN_STOCK: {S.ALLOCATED: "reserve", S.SHIPPED: "sell", S.DEFECTIVE: "mark defective",
                     S.SCRAPPED: "scrap", S.CONSUMED: "consume",
                     S.INSTALLED: "install into another unit",
                     S.CANCELLED: "void a mistaken entry"},
        S.ALLOCATED: {S.IN_STOCK: "return to stock", S.PICKED: "pick", S.SHIPPED: "sell"},
        S.PICKED: {S.SHIPPED: "ship", S.IN_STOCK: "return to stock"},
        S.SHIPPED: {S.RETURNED: "customer return", S.DEFECTIVE: "mark defective"},
        S.RETURNED: {S.IN_STOCK: "restock", S.DEFECTIVE: "mark defective", S.SCRAPPED: "scrap"},
        S.DEFECTIVE: {S.IN_STOCK: "return to stock", S.SCRAPPED: "scrap"},
        S.INSTALLED: {S.IN_STOCK: "remove from its parent unit", S.SCRAPPED: "scrap"},
        S.SCRAPPED: {},
        S.CONSUMED: {},
        S.CANCELLED: {},
    }
)

# Statuses in which a unit is in the organization's custody and so has a location (DESIGN §2).
CUSTODY_STATUSES: frozenset[SerialStatus] = frozenset(
    {S.RECEIVED, S.IN_STOCK, S.ALLOCATED, S.PICKED, S.RETURNED, S.DEFECTIVE}
)
# Statuses a held serial, or a serial of a held, expired or inactive lot, cannot enter.
BLOCKED_BY_HOLD: frozenset[SerialStatus] = frozenset({S.ALLOCATED, S.PICKED, S.SHIPPED})
# Serial statuses that count against a lot's declared quantity (cancelled ones do not).
CANONICAL_STATUSES: tuple[SerialStatus, ...] = tuple(TRANSITIONS)


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


_K = MovementKind
# The ledger kind written for each allowed transition (a test checks every pair is covered).
MOVEMENT_KINDS: Mapping[tuple[SerialStatus, SerialStatus], MovementKind] = MappingProxyType({
    (S.EXPECTED, S.RECEIVED): _K.RECEIPT, (S.EXPECTED, S.IN_STOCK): _K.RECEIPT,
    (S.EXPECTED, S.CANCELLED): _K.CANCEL,
    (S.RECEIVED, S.IN_STOCK): _K.PUTAWAY, (S.RECEIVED, S.CANCELLED): _K.CANCEL,
    (S.IN_STOCK, S.ALLOCATED): _K.ALLOCATION, (S.IN_STOCK, S.SHIPPED): _K.SHIPMENT,
    (S.IN_STOCK, S.DEFECTIVE): _K.STATUS_CHANGE, (S.IN_STOCK, S.SCRAPPED): _K.SCRAP,
    (S.IN_STOCK, S.CONSUMED): _K.CONSUME, (S.IN_STOCK, S.INSTALLED): _K.INSTALL,
    (S.IN_STOCK, S.CANCELLED): _K.CANCEL,
    (S.ALLOCATED, S.IN_STOCK): _K.DEALLOCATION, (S.ALLOCATED, S.PICKED): _K.PICK,
    (S.ALLOCATED, S.SHIPPED): _K.SHIPMENT,
    (S.PICKED, S.SHIPPED): _K.SHIPMENT, (S.PICKED, S.IN_STOCK): _K.DEALLOCATION,
    (S.SHIPPED, S.RETURNED): _K.RETURN, (S.SHIPPED, S.DEFECTIVE): _K.STATUS_CHANGE,
    (S.RETURNED, S.IN_STOCK): _K.PUTAWAY, (S.RETURNED, S.DEFECTIVE): _K.STATUS_CHANGE,
    (S.RETURNED, S.SCRAPPED): _K.SCRAP,
    (S.DEFECTIVE, S.IN_STOCK): _K.PUTAWAY, (S.DEFECTIVE, S.SCRAPPED): _K.SCRAP,
    (S.INSTALLED, S.IN_STOCK): _K.REMOVE, (S.INSTALLED, S.SCRAPPED): _K.SCRAP,
})

KEEP = "keep"


def destination(current: SerialStatus, target: SerialStatus) -> str | None:
    """Where a unit goes on a transition when the caller names no location: KEEP its location,
    the code of a standard location of its warehouse, or None (out of custody)."""
    if target not in CUSTODY_STATUSES:
        return None
    if target is S.RECEIVED:
        return "RECEIVING"
    if target is S.RETURNED:
        return "RETURNS"
    if target is S.IN_STOCK and current not in (S.ALLOCATED, S.PICKED):
        return "STOCK"
    # ALLOCATED, PICKED, DEFECTIVE and IN_STOCK after a cancelled allocation stay where they
    # are; a unit reported DEFECTIVE while at the customer has no location to keep.
    return KEEP


# Statuses a serial may be registered in.
INITIAL_STATUSES: frozenset[SerialStatus] = frozenset({S.EXPECTED, S.RECEIVED, S.IN_STOCK})
