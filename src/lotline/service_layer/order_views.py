"""Reading orders with their allocations, the pick list and shipments."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from lotline.domain.errors import NotFound
from lotline.domain.flows import (
    Allocation,
    LineAllocation,
    OrderLineView,
    OrderView,
    PickItem,
    Shipment,
)
from lotline.domain.model import Order
from lotline.domain.values import normalize
from lotline.service_layer.base import need_order
from lotline.service_layer.unit_of_work import UnitOfWork

LIVE = ("allocated", "picked", "shipped")


def group_allocations(allocations: list[Allocation]) -> list[LineAllocation]:
    """One entry per lot (serials without a lot grouped together), in allocation order."""
    groups: dict[tuple[str | None, Decimal | None], list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        groups[(allocation.batch_id, allocation.unit_cost)].append(allocation)
    return [LineAllocation(batch_id=batch_id, unit_cost=cost,
                           quantity=sum((a.quantity for a in items), Decimal(0)),
                           serial_numbers=[a.serial_number for a in items if a.serial_number])
            for (batch_id, cost), items in groups.items()]


def cost_of(allocations: list[Allocation]) -> Decimal:
    """Cost of goods of what went out and stayed out (returned units are not sold)."""
    return normalize(sum(((a.unit_cost or Decimal(0)) * (a.quantity - a.returned_quantity)
                          for a in allocations), Decimal(0)))


def order_view(uow: UnitOfWork, order_id: str, *, order: Order | None = None,
               allocations: list[Allocation] | None = None,
               shipment_ids: list[str] | None = None) -> OrderView:
    """The order as it stands; a caller that has just written the order or holds all of its
    allocations (or its shipments' ids) passes them in, and they are not read again."""
    order = order if order is not None else need_order(uow, order_id)
    flows = uow.flows
    allocations = (flows.allocations(order.id, LIVE) if allocations is None
                   else [a for a in allocations if a.status in LIVE])
    by_line: dict[str, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        by_line[allocation.order_line_id].append(allocation)
    lines = [_line_view(line_id=line.id, line_no=line.line_no, product_id=line.product_id,
                        quantity=line.quantity, unit_price=line.unit_price,
                        allocations=by_line[line.id]) for line in order.lines]
    shipped = [a for a in allocations if a.status == "shipped"]
    return OrderView(id=order.id, reference=order.reference, customer_id=order.customer_id,
                     status=order.status, lines=lines,
                     cost_of_goods=cost_of(shipped) if shipped else None,
                     shipments=(flows.shipment_ids(order.id) if shipment_ids is None
                                else shipment_ids), created_at=order.created_at,
                     updated_at=order.updated_at)


def _line_view(*, line_id: str, line_no: int, product_id: str, quantity: Decimal,
               unit_price: Decimal | None, allocations: list[Allocation]) -> OrderLineView:
    # One pass, adding in allocation order as the sums over each status did.
    allocated = picked = shipped = returned = Decimal(0)
    for a in allocations:
        status = a.status
        if status in LIVE:
            allocated += a.quantity
        if status == "allocated" or status == "picked":
            # A picked allocation has picked_quantity == quantity; lots can be part-picked.
            picked += a.picked_quantity
        elif status == "shipped":
            shipped += a.quantity
        returned += a.returned_quantity
    return OrderLineView(id=line_id, line_no=line_no, product_id=product_id, quantity=quantity,
                         unit_price=unit_price, allocated_quantity=allocated,
                         picked_quantity=picked, shipped_quantity=shipped,
                         returned_quantity=returned,
                         backordered_quantity=max(quantity - allocated, Decimal(0)),
                         allocations=group_allocations(allocations))


def status_after(order: Order, allocations: list[Allocation]) -> str:
    """open -> allocated -> partially_shipped -> shipped (cancelled is set by cancel)."""
    shipped: dict[str, Decimal] = defaultdict(Decimal)
    allocated: dict[str, Decimal] = defaultdict(Decimal)
    for allocation in allocations:
        if allocation.status in LIVE:
            allocated[allocation.order_line_id] += allocation.quantity
        if allocation.status == "shipped":
            shipped[allocation.order_line_id] += allocation.quantity
    if all(shipped[line.id] >= line.quantity for line in order.lines):
        return "shipped"
    if any(shipped.values()):
        return "partially_shipped"
    if all(allocated[line.id] >= line.quantity for line in order.lines):
        return "allocated"
    return "open"


def pick_list(uow: UnitOfWork, order_id: str) -> list[PickItem]:
    """What is still to pick, ordered by location, with the lot and serials to take."""
    order = need_order(uow, order_id)
    flows = uow.flows
    pending = flows.allocations(order.id, ("allocated",))
    locations = uow.locations.get_many(list({a.location_id for a in pending if a.location_id}))
    lots = uow.batches.get_many(list({a.batch_id for a in pending if a.batch_id}))
    groups: dict[tuple[str | None, str | None, str], list[Allocation]] = defaultdict(list)
    for allocation in pending:
        groups[(allocation.location_id, allocation.batch_id, allocation.product_id)].append(
            allocation)
    items = []
    for (location_id, batch_id, product_id), allocations in groups.items():
        location = locations.get(location_id) if location_id else None
        lot = lots.get(batch_id) if batch_id else None
        items.append(PickItem(
            location_id=location_id, location_code=location.code if location else None,
            product_id=product_id, batch_id=batch_id,
            batch_number=lot.batch_number if lot else None,
            expiry_date=lot.expiry_date if lot else None,
            quantity=sum((a.quantity - a.picked_quantity for a in allocations), Decimal(0)),
            serial_numbers=sorted(a.serial_number for a in allocations if a.serial_number)))
    return sorted(items, key=lambda i: (i.location_code or "", i.batch_number or "",
                                        i.product_id))


def shipment_view(uow: UnitOfWork, shipment_id: str) -> Shipment:
    flows = uow.flows
    row = flows.shipment_row(str(shipment_id))
    if row is None:
        raise NotFound("shipment", shipment_id)
    return Shipment(id=row.id, order_id=row.order_id, shipped_at=row.shipped_at,
                    carrier=row.carrier, tracking_number=row.tracking_number,
                    ship_to=row.ship_to, cost_of_goods=row.cost_of_goods,
                    reversed_at=row.reversed_at,
                    lines=group_allocations(flows.shipment_allocations(row.id)))
