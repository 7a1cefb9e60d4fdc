"""/orders: create, list and read customer orders, and their fulfilment — allocate (FEFO by
default), pick list, scan-verified picking, ship, cancel, customer returns; /shipments: read
one, reverse one entered by mistake. Roles are checked by the services (viewer reads, manager
writes).

Every fulfilment step answers the order with its lines' allocations
(`lines[].allocations: [{batch_id, quantity, unit_cost, serial_numbers}]`) and, once something
shipped, `cost_of_goods`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import Cursor, Limit, body_fields, created, ok
from lotline.entrypoints.api.schemas import orders as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["orders"])

IdQuery = Annotated[str | None, Query(max_length=100)]


@router.post("/orders", status_code=201, response_model=s.OrderView)
def create_order(body: s.OrderIn, svc: ServicesDep) -> Response:
    fields = body_fields(body)
    order = svc.orders.create_order(fields["reference"], fields["customer_id"], fields["lines"])
    return created(svc.orders.view(order.id))


@router.get("/orders", response_model=Page[s.Order])
def list_orders(svc: ServicesDep, customer_id: IdQuery = None,
                status: Annotated[str | None, Query(max_length=20)] = None,
                limit: Limit = 50, cursor: Cursor = None) -> Response:
    return ok(svc.orders.list(customer_id=customer_id, status=status, limit=limit,
                              cursor=cursor))


@router.get("/orders/{order_id}", response_model=s.OrderView)
def get_order(order_id: str, svc: ServicesDep) -> Response:
    """The order with its lines' allocations, shipments and cost of goods."""
    return ok(svc.orders.view(order_id))


@router.post("/orders/{order_id}/allocate", response_model=s.OrderView)
def allocate(order_id: str, svc: ServicesDep, body: s.AllocateIn | None = None) -> Response:
    """`{}` allocates every open line by its product's strategy (FEFO by default); a shortfall
    is a 409 `insufficient_stock` naming the product and what is missing, and nothing is
    allocated, unless `{"partial": true}`. `{"lines": [...]}` names lots or serials."""
    body = body or s.AllocateIn()
    lines = None if body.lines is None else [body_fields(line) for line in body.lines]
    return ok(svc.orders.allocate(order_id, partial=body.partial, lines=lines))


@router.get("/orders/{order_id}/pick-list", response_model=Page[s.PickItem])
def pick_list(order_id: str, svc: ServicesDep) -> Response:
    """What is still to pick, by location, with the lot and the serials to take (one page)."""
    return ok({"items": svc.orders.pick_list(order_id), "next_cursor": None})


@router.post("/orders/{order_id}/pick", response_model=s.OrderView)
def pick(order_id: str, body: s.PickIn, svc: ServicesDep) -> Response:
    """Each scan must be an allocated unit of the order, or an IN_STOCK unit of the same
    product from an eligible lot (it takes the place of an unpicked one). Any other scan is a
    409 listing every rejected scan with its reason (`rejected`), and nothing is written."""
    scans: list[Any] = [scan if isinstance(scan, str) else body_fields(scan)
                        for scan in body.scans]
    return ok(svc.orders.pick(order_id, scans))


@router.post("/orders/{order_id}/ship", response_model=s.OrderView)
def ship(order_id: str, svc: ServicesDep, body: s.ShipIn | None = None) -> Response:
    """Ships everything allocated, picked or not, as one shipment; expiry and holds are
    checked again (409 `lot_blocked`)."""
    body = body or s.ShipIn()
    ship_to = body_fields(body.ship_to) if body.ship_to is not None else None
    return ok(svc.orders.ship(order_id, carrier=body.carrier,
                              tracking_number=body.tracking_number, ship_to=ship_to))


@router.post("/orders/{order_id}/cancel", response_model=s.OrderView)
def cancel(order_id: str, svc: ServicesDep, body: s.CancelIn | None = None) -> Response:
    """Releases every allocation; an order with shipped units cannot be cancelled."""
    return ok(svc.orders.cancel(order_id, body.reason if body else None))


@router.post("/orders/{order_id}/returns", response_model=s.OrderView)
def returns(order_id: str, body: s.ReturnsIn, svc: ServicesDep) -> Response:
    """A customer return: serials SHIPPED -> RETURNED, lot quantities back into their own lot,
    all into the warehouse's RETURNS location."""
    lines = [body_fields(line) for line in body.lines]
    return ok(svc.orders.returns(order_id, lines, body.reason, warehouse_id=body.warehouse_id))


@router.get("/shipments/{shipment_id}", response_model=s.Shipment, tags=["shipments"])
def get_shipment(shipment_id: str, svc: ServicesDep) -> Response:
    return ok(svc.orders.shipment(shipment_id))


@router.post("/shipments/{shipment_id}/reverse", response_model=s.OrderView,
             tags=["shipments"])
def reverse_shipment(shipment_id: str, body: s.ReverseIn, svc: ServicesDep) -> Response:
    """Undo a shipment entered by mistake: its units are allocated to the order again. Answers
    the order."""
    return ok(svc.orders.reverse_shipment(shipment_id, body.reason))
