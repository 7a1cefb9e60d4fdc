"""/orders: create, list and read customer orders (allocation, picking and shipping are
separate flows). Roles are checked by the services (viewer reads, manager writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import Cursor, Limit, body_fields, created, ok
from lotline.entrypoints.api.schemas import orders as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["orders"])

IdQuery = Annotated[str | None, Query(max_length=100)]


@router.post("/orders", status_code=201, response_model=s.Order)
def create_order(body: s.OrderIn, svc: ServicesDep) -> Response:
    fields = body_fields(body)
    return created(svc.orders.create_order(fields["reference"], fields["customer_id"],
                                           fields["lines"]))


@router.get("/orders", response_model=Page[s.Order])
def list_orders(svc: ServicesDep, customer_id: IdQuery = None,
                status: Annotated[str | None, Query(max_length=20)] = None,
                limit: Limit = 50, cursor: Cursor = None) -> Response:
    return ok(svc.orders.list(customer_id=customer_id, status=status, limit=limit,
                              cursor=cursor))


@router.get("/orders/{order_id}", response_model=s.Order)
def get_order(order_id: str, svc: ServicesDep) -> Response:
    return ok(svc.orders.get(order_id))
