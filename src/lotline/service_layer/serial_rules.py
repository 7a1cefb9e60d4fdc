"""The checks and effects of one serial's status change, shared by every use case that moves
serials (status changes, order allocation, receiving)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, Serial
from lotline.domain.serial_change import (
    ChangeRequest,
    Decision,
    Facts,
    OrderFacts,
    check_transition,
    decide,
    first_arrival,
    is_conversion,
    location_rule,
    needs_order,
)
from lotline.domain.statuses import KEEP, SERIAL_STATUSES, SerialStatus, Tracking
from lotline.service_layer.base import lock_order, need_location, need_product
from lotline.service_layer.unit_of_work import UnitOfWork
from lotline.service_layer.warehouses import default_location

S = SerialStatus


@dataclass(frozen=True, slots=True)
class Change:
    """What the caller asked for besides the target status."""

    target: SerialStatus
    order_id: str | None = None
    location_id: str | None = None
    reason: str | None = None
    parent_serial_id: str | None = None
    receipt_id: str | None = None
    transformation_id: str | None = None
    customer_id: str | None = None
    # When it happened, when one act moves several units at once (a shipment: one moment
    # for all it carries, so its EPCIS event is one); None = now.
    occurred_at: dt.datetime | None = None


def note_first_arrival(uow: UnitOfWork, batch: LotRecord, movement_id: str,
                       location_id: str) -> None:
    """Until its first unit arrives a serial lot's received_at and purchase_date are its
    creation time (DESIGN §3); the first arrival sets them and its entry movement."""
    values = first_arrival(batch, location_id, uow.actor.now(),
                           uow.actor.today(uow.timezone()))
    if values is not None:
        uow.batches.update(batch.id, {**values, "entry_transaction_ref": movement_id})


def apply_change(uow: UnitOfWork, serial: Serial, change: Change, today: dt.date) -> Serial:
    """Check and apply one transition: state, counts, lot balances and the ledger row."""
    return decide_and_apply(uow, serial, change, today).unit


def decide_and_apply(uow: UnitOfWork, serial: Serial, change: Change,
                     today: dt.date) -> Decision:
    """Load the facts the change needs, let the domain decide it, persist the decision."""
    request = ChangeRequest(change.target, change.order_id, change.location_id, change.reason,
                            change.parent_serial_id, change.customer_id)
    # The transition is checked before anything is loaded, so its error comes first.
    if not is_conversion(serial, request):
        check_transition(serial, change.target)
    facts = load_facts(uow, serial, request, today)
    decision = decide(facts, request)
    _persist(uow, serial, facts.lot, decision, change)
    return decision


def load_facts(uow: UnitOfWork, serial: Serial, request: ChangeRequest,
               today: dt.date) -> Facts:
    target = request.target
    lot = uow.batches.get(serial.batch_id) if serial.batch_id else None
    # A reserved unit taken by its customer's order stays where it is.
    rule = KEEP if is_conversion(serial, request) else location_rule(serial, target)
    here = (need_location(uow, serial.location_id) if serial.location_id and (
        rule == KEEP or SERIAL_STATUSES[target].blocked_by_hold) else None)
    there = _there(uow, serial, request, rule, here)
    order = None
    if needs_order(serial, request):
        # The order's row is locked while its units are counted (base.lock_order).
        found = lock_order(uow, str(request.order_id))
        order = OrderFacts(found, uow.orders.units_assigned(found.id, serial.product_id))
    parents = (_ancestors(uow, request.parent_serial_id)
               if target is S.INSTALLED and request.parent_serial_id else ())
    needs_lot = (there is not None and serial.batch_id is None
                 and need_product(uow, serial.product_id).tracking is Tracking.LOT_SERIAL)
    customer_id = request.customer_id or serial.reserved_for
    customer = uow.customers.get(str(customer_id)) if customer_id else None
    return Facts(unit=serial, lot=lot, here=here, there=there, order=order, parents=parents,
                 needs_lot=needs_lot, today=today, now=uow.actor.now(), customer=customer)


def _there(uow: UnitOfWork, serial: Serial, request: ChangeRequest, rule: str | None,
           here: Location | None) -> Location | None:
    if rule is None:
        return None
    if request.location_id is not None:
        if here is not None and here.id == request.location_id:
            return here
        return need_location(uow, request.location_id)
    if rule == KEEP:
        return here
    return default_location(uow, rule, serial.warehouse_id)


def _ancestors(uow: UnitOfWork, parent_serial_id: str) -> tuple[Serial, ...]:
    """The parent and its ancestors, nearest first (a cycle already stored ends the walk)."""
    chain: list[Serial] = []
    seen: set[str] = set()
    next_id: str | None = str(parent_serial_id)
    while next_id is not None and next_id not in seen:
        ancestor = uow.serials.get(next_id)
        if ancestor is None:
            break
        chain.append(ancestor)
        seen.add(ancestor.id)
        next_id = ancestor.parent_serial_id
    return tuple(chain)


def _persist(uow: UnitOfWork, before: Serial, lot: LotRecord | None, decision: Decision,
             change: Change) -> None:
    after = decision.unit
    uow.serials.set_state(after.id, {
        "status": after.status.value, "location_id": after.location_id,
        "warehouse_id": after.warehouse_id, "order_id": after.order_id,
        "parent_serial_id": after.parent_serial_id, "updated_at": after.updated_at,
        "customer_id": after.customer_id})
    uow.serials.bump_count(before.product_id, before.status, -1, before.batch_id)
    uow.serials.bump_count(before.product_id, after.status, 1, before.batch_id)
    if lot is not None:
        _move_lot_unit(uow, lot, decision)
    movement = uow.ledger.record(
        decision.movement, product_id=before.product_id, batch_id=before.batch_id,
        serial_id=before.id, quantity=Decimal(1), from_location_id=before.location_id,
        to_location_id=after.location_id, from_status=before.status, to_status=after.status,
        order_id=decision.movement_order_id, reason=change.reason or decision.note,
        unit_cost=decision.unit_cost,
        receipt_id=change.receipt_id, transformation_id=change.transformation_id,
        occurred_at=change.occurred_at)
    if lot is not None and decision.lot_arrival is not None:
        uow.batches.update(lot.id, {**decision.lot_arrival,
                                    "entry_transaction_ref": movement.id})


def _move_lot_unit(uow: UnitOfWork, lot: LotRecord, decision: Decision) -> None:
    if decision.leaves_lot_count:
        uow.batches.release_serials_from_cap(lot.id, 1)
    move = decision.balance
    if move is None:
        return
    if move.from_location_id is not None:
        uow.batches.take_balance(lot.id, move.from_location_id, move.quantity, lot.batch_number)
    if move.to_location_id is not None:
        uow.batches.add_balance(lot.id, move.to_location_id, move.quantity,
                                received=move.received)
