"""Keeping an order's allocations in step when a serial's status is changed directly
(`change_status`, the commercio facade's assign_to_order, a direct sale), so the order flows
(pick list, ship, returns, cost of goods) see the same units as the serial does."""

from __future__ import annotations

from decimal import Decimal

from lotline.adapters.repositories.flows import FlowRepository
from lotline.domain.model import Serial
from lotline.domain.serial_change import Decision, OrderEffect
from lotline.service_layer.allocating import record_allocation
from lotline.service_layer.order_views import status_after
from lotline.service_layer.unit_of_work import UnitOfWork


def sync_allocation(uow: UnitOfWork, before: Serial, decision: Decision) -> None:
    """Apply the decision's effect on the order to the unit's allocation."""
    after, effect = decision.unit, decision.order_effect
    if effect is OrderEffect.NONE:
        return
    flows = FlowRepository(uow.conn, uow.actor.org_id)
    current = flows.open_allocation_for_serial(before.id)
    now = uow.actor.now()
    if effect is OrderEffect.ALLOCATE and current is None and after.order_id:
        _record(uow, after, "allocated")
    elif effect is OrderEffect.PICK and current is not None:
        flows.update_allocation(current.id, {"status": "picked",
                                             "picked_quantity": current.quantity,
                                             "updated_at": now})
    elif effect is OrderEffect.SHIP and current is not None:
        flows.update_allocation(current.id, {"status": "shipped", "updated_at": now,
                                             "picked_quantity": current.quantity})
    elif effect is OrderEffect.SHIP and after.order_id:
        _record(uow, after, "shipped")  # a direct sale to an order
    elif effect is OrderEffect.RELEASE and current is not None:
        flows.update_allocation(current.id, {"status": "released", "updated_at": now})
    order_id = after.order_id or before.order_id
    if order_id:
        order = uow.orders.get(order_id)
        if order is not None and order.status != "cancelled":
            uow.orders.update(order.id, {"status": status_after(order,
                                                                flows.allocations(order.id)),
                                         "updated_at": now})


def _record(uow: UnitOfWork, serial: Serial, status: str) -> None:
    order = uow.orders.get(str(serial.order_id))
    assert order is not None
    line = next(line for line in order.lines if line.product_id == serial.product_id)
    lot = uow.batches.get(serial.batch_id) if serial.batch_id else None
    record_allocation(uow, order, line, quantity=Decimal(1), batch=lot, serial=serial,
                      location_id=serial.location_id)
    if status != "allocated":
        flows = FlowRepository(uow.conn, uow.actor.org_id)
        created = flows.open_allocation_for_serial(serial.id)
        assert created is not None
        flows.update_allocation(created.id, {"status": status,
                                             "picked_quantity": Decimal(1)})
