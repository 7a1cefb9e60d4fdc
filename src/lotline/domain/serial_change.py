"""One serial's change of status, decided from facts alone (DESIGN §2, §7).

The service layer loads the facts (the unit, its lot, where it is and where it would go, the
order, the parent it would be installed into, today), calls `decide`, and persists the
decision. Nothing here reads a database, so the whole transition table is tested without one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

from lotline.domain.allocation import block_reason
from lotline.domain.errors import Conflict, InvalidTransition, LotBlocked, NotFound, ValidationError
from lotline.domain.lots import LotRecord
from lotline.domain.model import Customer, Location, Order, Serial
from lotline.domain.statuses import (
    KEEP,
    MOVEMENT_KINDS,
    SERIAL_STATUSES,
    MovementKind,
    SerialStatus,
    allowed_targets,
    destination,
    is_allowed,
)

S = SerialStatus
CLOSED_ORDER_STATUSES = ("cancelled", "shipped")


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """What the caller asked for."""

    target: SerialStatus
    order_id: str | None = None
    location_id: str | None = None
    reason: str | None = None
    parent_serial_id: str | None = None
    customer_id: str | None = None  # reserve for (ALLOCATED) or sell to (SHIPPED) a customer


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order: Order
    assigned: int  # units of the serial's product already held for or sent on the order


@dataclass(frozen=True, slots=True)
class Facts:
    unit: Serial
    lot: LotRecord | None
    here: Location | None  # the unit's location, when it has one and the change needs it
    there: Location | None  # the named location, or the standard one the change leads to
    order: OrderFacts | None  # the order named by the request, when the change uses one
    parents: tuple[Serial, ...]  # the parent named by the request, then its ancestors
    needs_lot: bool  # the product is lot and serial tracked
    today: dt.date
    now: dt.datetime
    # The customer named by the request, else the one the unit is reserved for.
    customer: Customer | None = None


class OrderEffect(str, Enum):
    """What the change means for the order's allocation of this unit."""

    NONE = "none"
    ALLOCATE = "allocate"  # the order line gets one more unit
    PICK = "pick"
    SHIP = "ship"  # an allocation is shipped, or (with none) a direct sale to the order
    RELEASE = "release"  # the unit is back in stock: its allocation is released


@dataclass(frozen=True, slots=True)
class BalanceMove:
    batch_id: str
    from_location_id: str | None
    to_location_id: str | None
    quantity: Decimal

    @property
    def received(self) -> bool:
        """The unit enters custody: it counts as received where it arrives."""
        return self.from_location_id is None


@dataclass(frozen=True, slots=True)
class Decision:
    unit: Serial  # the unit after the change
    movement: MovementKind
    movement_order_id: str | None
    unit_cost: Decimal | None
    balance: BalanceMove | None
    leaves_lot_count: bool  # no longer counts against its lot's declared quantity
    order_effect: OrderEffect
    # The first unit of its lot to arrive (DESIGN §3): what changes on the lot, its entry
    # movement aside (the ledger row is not written yet); None for any later unit.
    lot_arrival: dict[str, object] | None
    note: str | None = None  # the ledger's reason when the caller gave none (reservations)


def decide(facts: Facts, request: ChangeRequest) -> Decision:
    """The unit after the change and everything the change moves, or a typed error."""
    unit, target = facts.unit, request.target
    converting = is_conversion(unit, request)
    if not converting:
        check_transition(unit, target)
    check_not_blocked(facts, target)
    order_id, customer_id = _assignment(facts, request)
    parent_id = _parent(facts, request) if target is S.INSTALLED else None
    there = facts.there if destination(unit.status, target) is not None else None
    if there is not None and unit.batch_id is None and facts.needs_lot:
        raise ValidationError.single("batch_id", f"serial {unit.serial_number!r} of a lot "
                                     "and serial tracked product needs its lot before it is "
                                     "received; receive it through its receipt")
    after = replace(unit, status=target, location_id=there.id if there else None,
                    warehouse_id=there.warehouse_id if there else None, order_id=order_id,
                    parent_serial_id=parent_id, updated_at=facts.now, customer_id=customer_id)
    return Decision(
        unit=after, movement=(MovementKind.ALLOCATION if converting
                              else MOVEMENT_KINDS[(unit.status, target)]),
        movement_order_id=order_id or unit.order_id,
        unit_cost=unit.unit_cost if unit.unit_cost is not None else (
            facts.lot.unit_cost if facts.lot else None),
        balance=_balance_move(facts.lot, unit.location_id, after.location_id),
        leaves_lot_count=facts.lot is not None and SERIAL_STATUSES[unit.status].counts_in_lot
        and not SERIAL_STATUSES[target].counts_in_lot,
        order_effect=_order_effect(unit.status, target),
        lot_arrival=(first_arrival(facts.lot, there.id, facts.now, facts.today)
                     if facts.lot is not None and there is not None
                     and unit.location_id is None else None),
        note=_reservation_note(facts, after, converting))


def is_conversion(unit: Serial, request: ChangeRequest) -> bool:
    """A unit reserved for a customer is allocated to an order: it stays ALLOCATED (the same
    unit, now on the order), so this is no change of status."""
    return (unit.reserved_for is not None and request.target is S.ALLOCATED
            and request.order_id is not None)


def _reservation_note(facts: Facts, after: Serial, converting: bool) -> str | None:
    """What the ledger says about a reservation made, taken by an order, or released."""
    customer = facts.customer
    if customer is None:
        return None
    if after.reserved_for is not None:
        return f"reserved for customer {customer.name!r}"
    if converting and facts.order is not None:
        return (f"reservation for customer {customer.name!r} taken by order "
                f"{facts.order.order.reference!r}")
    if facts.unit.reserved_for is not None and after.status is S.IN_STOCK:
        return f"reservation for customer {customer.name!r} released"
    return None


def first_arrival(lot: LotRecord, location_id: str, now: dt.datetime,
                  today: dt.date) -> dict[str, object] | None:
    """Until its first unit arrives a serial lot's received_at and purchase_date are its
    creation time (DESIGN §3); the first arrival sets them, its location and (by the caller)
    its entry movement."""
    if lot.entry_transaction_ref is not None:
        return None
    values: dict[str, object] = {"location_id": location_id, "updated_at": now}
    # A lot created with an explicit purchase_date was received on that day already.
    if lot.received_at == lot.created_at:
        values.update(received_at=now, purchase_date=today)
    return values


def check_transition(unit: Serial, target: SerialStatus) -> None:
    if not is_allowed(unit.status, target):
        raise InvalidTransition(unit.serial_number, unit.status.value, target.value,
                                [s.value for s in allowed_targets(unit.status)])


def check_not_blocked(facts: Facts, target: SerialStatus) -> None:
    """A held unit, a held, expired or inactive lot, or a held location blocks the statuses
    that take a unit towards a customer."""
    if not SERIAL_STATUSES[target].blocked_by_hold:
        return
    unit, lot, here = facts.unit, facts.lot, facts.here
    if unit.hold is not None:
        raise LotBlocked(f"serial {unit.serial_number!r} is on hold ({unit.hold.reason})",
                         serial_number=unit.serial_number)
    reason = block_reason(lot, facts.today) if lot is not None else None
    if lot is not None and reason is not None:
        raise LotBlocked(f"lot {lot.batch_number!r} of serial {unit.serial_number!r} "
                         f"is {reason}; it cannot be {target.value.lower()}",
                         batch_id=lot.id, serial_number=unit.serial_number)
    if here is not None and here.hold is not None:
        raise LotBlocked(f"location {here.code!r} of serial {unit.serial_number!r} "
                         f"is on hold ({here.hold.reason})", location_id=here.id)


def needs_order(unit: Serial, request: ChangeRequest) -> bool:
    """Whether the request names an order the change assigns the unit to."""
    return request.order_id is not None and (
        request.target is S.ALLOCATED or (request.target is S.SHIPPED
                                          and unit.status is S.IN_STOCK))


def _assignment(facts: Facts, request: ChangeRequest) -> tuple[str | None, str | None]:
    """The unit's order and customer after the change. order_id is set on ALLOCATED (or a
    direct sale), kept through PICKED, SHIPPED and RETURNED, and cleared when the unit is back
    IN_STOCK (DESIGN §2); customer_id likewise, and alone it reserves the unit (seed 001)."""
    unit, target = facts.unit, request.target
    if target is S.ALLOCATED and request.order_id is None and request.customer_id is None:
        raise ValidationError.single("order_id", "is required to allocate a unit (or "
                                     "customer_id to reserve it for a customer)")
    if needs_order(unit, request):
        order_id = _check_order(unit, facts.order, str(request.order_id))
        assert facts.order is not None
        return order_id, _order_customer(facts, request, facts.order.order)
    if request.order_id is not None and request.order_id != unit.order_id:
        raise ValidationError.single("order_id", f"an order is set only when a unit is "
                                     f"allocated or sold, not on {target.value}",
                                     request.order_id)
    if request.customer_id is not None:
        return None, _named_customer(facts, request)
    if target is S.IN_STOCK:
        return None, None
    return unit.order_id, unit.customer_id


def _order_customer(facts: Facts, request: ChangeRequest, order: Order) -> str:
    """A unit reserved for a customer goes only to that customer's orders."""
    reserved = facts.unit.reserved_for
    if reserved is not None and reserved != order.customer_id:
        name = facts.customer.name if facts.customer is not None else reserved
        raise Conflict(f"serial {facts.unit.serial_number!r} is reserved for customer "
                       f"{name!r}; order {order.reference!r} is another customer's",
                       order_id=order.id, customer_id=reserved)
    if request.customer_id is not None and request.customer_id != order.customer_id:
        raise ValidationError.single("customer_id", f"is not the customer of order "
                                     f"{order.reference!r}", request.customer_id)
    return order.customer_id


def _named_customer(facts: Facts, request: ChangeRequest) -> str:
    """A customer alone reserves a unit in stock, or names who bought it in a direct sale."""
    unit, target = facts.unit, request.target
    if not (target is S.ALLOCATED or (target is S.SHIPPED and unit.status is S.IN_STOCK)):
        raise ValidationError.single("customer_id", f"a customer is named only when a unit "
                                     f"is reserved or sold, not on {target.value}",
                                     request.customer_id)
    if facts.customer is None or facts.customer.id != request.customer_id:
        raise NotFound("customer", str(request.customer_id), "customer_id")
    return facts.customer.id


def _check_order(unit: Serial, facts: OrderFacts | None, order_id: str) -> str:
    """The order must be open and want this product; a unit never over-fills its line."""
    if facts is None or facts.order.id != order_id:
        raise NotFound("order", order_id, "order_id")
    order = facts.order
    if order.status in CLOSED_ORDER_STATUSES:
        raise Conflict(f"order {order.reference!r} is {order.status}", order_id=order.id)
    ordered = sum((line.quantity for line in order.lines if line.product_id == unit.product_id),
                  Decimal(0))
    if ordered == 0:
        raise ValidationError.single("order_id", f"order {order.reference!r} has no line for "
                                     f"product {unit.product_id}", order_id)
    if facts.assigned + 1 > ordered:
        raise Conflict(f"order {order.reference!r} wants {ordered} of product "
                       f"{unit.product_id}; all are assigned already", order_id=order.id)
    return order.id


def _parent(facts: Facts, request: ChangeRequest) -> str:
    """A unit is installed into another unit, never into itself or its own component."""
    unit = facts.unit
    if request.parent_serial_id is None:
        raise ValidationError.single("parent_serial_id", "is required to install a unit")
    if not facts.parents or facts.parents[0].id != request.parent_serial_id:
        raise NotFound("serial", request.parent_serial_id, "parent_serial_id")
    parent = facts.parents[0]
    if SERIAL_STATUSES[parent.status].final:
        raise Conflict(f"serial {parent.serial_number!r} is {parent.status.value}; nothing can "
                       f"be installed into it", parent_serial_id=parent.id)
    if any(ancestor.id == unit.id for ancestor in facts.parents):
        raise ValidationError.single(
            "parent_serial_id", f"serial {unit.serial_number!r} cannot be installed into "
            f"itself or into one of its own components", request.parent_serial_id)
    return parent.id


def _balance_move(lot: LotRecord | None, here: str | None,
                  there: str | None) -> BalanceMove | None:
    if lot is None or here == there:
        return None
    return BalanceMove(lot.id, here, there, Decimal(1))


def _order_effect(current: SerialStatus, target: SerialStatus) -> OrderEffect:
    if target is S.ALLOCATED:
        return OrderEffect.ALLOCATE
    if target is S.PICKED:
        return OrderEffect.PICK
    if target is S.SHIPPED:
        return OrderEffect.SHIP
    if target is S.IN_STOCK and SERIAL_STATUSES[current].reserved:
        return OrderEffect.RELEASE
    return OrderEffect.NONE


def location_rule(unit: Serial, target: SerialStatus) -> str | None:
    """Which location the service must load for the change: KEEP, a standard code, or None."""
    return destination(unit.status, target) if is_allowed(unit.status, target) else None


__all__ = ["KEEP", "BalanceMove", "ChangeRequest", "Decision", "Facts", "OrderEffect",
           "OrderFacts", "check_transition", "decide", "first_arrival", "is_conversion",
           "location_rule", "needs_order"]
