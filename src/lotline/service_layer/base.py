"""What every service shares: its unit-of-work factory, its actor, and lookups that raise
NotFound."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import Enum
from typing import Any

from lotline.domain.errors import NotFound
from lotline.domain.model import Customer, Location, Order, Product, Supplier, Warehouse
from lotline.service_layer.context import Actor
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory


class Service:
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor) -> None:
        self.uows = uows
        self.actor = actor

    def writing(self) -> UnitOfWork:
        return self.uows(self.actor, write=True)

    def reading(self, *, may_lag: bool = False) -> UnitOfWork:
        """A read-only unit of work; `may_lag=True` for reads that may be served by a replica
        (lists, search, trace, reports, EPCIS queries), never for a read that decides a write."""
        return self.uows(self.actor, write=False, may_lag=may_lag)

    def today(self, uow: UnitOfWork, as_of: dt.date | None = None) -> dt.date:
        return as_of if as_of is not None else self.actor.today(uow.timezone())


def need_product(uow: UnitOfWork, product_id: str, field: str = "product_id") -> Product:
    return uow.products.need(product_id, field)


def need_supplier(uow: UnitOfWork, supplier_id: str, field: str = "supplier_id") -> Supplier:
    return uow.suppliers.need(supplier_id, field)


def need_customer(uow: UnitOfWork, customer_id: str, field: str = "customer_id") -> Customer:
    return uow.customers.need(customer_id, field)


def need_warehouse(uow: UnitOfWork, warehouse_id: str,
                   field: str = "warehouse_id") -> Warehouse:
    return uow.warehouses.need(warehouse_id, field)


def need_location(uow: UnitOfWork, location_id: str, field: str = "location_id") -> Location:
    return uow.locations.need(location_id, field)


def need_order(uow: UnitOfWork, order_id: str, field: str = "order_id") -> Order:
    return uow.orders.need(order_id, field)


def lock_order(uow: UnitOfWork, order_id: str, field: str = "order_id") -> Order:
    """The order, its row locked until the unit of work ends (`SELECT ... FOR UPDATE`; SQLite's
    writers are serialised already). Every step that reads an order's lines or allocations to
    decide what to write takes this lock first, then the lots' balances: two clients
    allocating (picking, shipping...) the same order at once act one after the other, the
    second seeing what the first did."""
    order = uow.orders.get(str(order_id), for_update=True)
    if order is None:
        raise NotFound("order", order_id, field)
    return order


def snapshot(entity: Any) -> dict[str, Any]:
    """A JSON-ready copy of an entity for the audit log."""
    return {key: plain(value) for key, value in dataclasses.asdict(entity).items()}


def plain(value: Any) -> Any:
    """JSON-ready: Decimals and dates as strings, enums as values, dataclasses as dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@contextmanager
def bulk_objects() -> Iterator[None]:
    """Building tens of thousands of small acyclic objects: the cyclic garbage collector is
    paused meanwhile (its full passes over a growing heap cost more than the building;
    reference counting still frees everything)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
