"""Names for ids on a page (product, lot, location, order, ...), read once per request, and
the choice lists the forms offer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lotline.bootstrap import Services
from lotline.domain.errors import NotFound
from lotline.domain.model import (
    Batch,
    Customer,
    Location,
    Order,
    Page,
    Product,
    Supplier,
    Warehouse,
)

T = TypeVar("T")
MAX_CHOICES = 500


class Names:
    """Per-request caches: `names.product(id)` is the Product or None."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._cache: dict[tuple[str, str], Any] = {}

    def _get(self, kind: str, key: str | None, fetch: Callable[[str], T]) -> T | None:
        if not key:
            return None
        slot = (kind, key)
        if slot not in self._cache:
            try:
                self._cache[slot] = fetch(key)
            except NotFound:
                self._cache[slot] = None
        value: T | None = self._cache[slot]
        return value

    def product(self, product_id: str | None) -> Product | None:
        return self._get("product", product_id, self.svc.products.get)

    def batch(self, batch_id: str | None) -> Batch | None:
        return self._get("batch", batch_id, self.svc.batches.get)

    def location(self, location_id: str | None) -> Location | None:
        return self._get("location", location_id, self.svc.warehouses.get_location)

    def warehouse(self, warehouse_id: str | None) -> Warehouse | None:
        return self._get("warehouse", warehouse_id, self.svc.warehouses.get)

    def order(self, order_id: str | None) -> Order | None:
        return self._get("order", order_id, self.svc.orders.get)

    def supplier(self, supplier_id: str | None) -> Supplier | None:
        return self._get("supplier", supplier_id, self.svc.suppliers.get)

    def customer(self, customer_id: str | None) -> Customer | None:
        return self._get("customer", customer_id, self.svc.customers.get)

    def prefetch_customers(self, ids: list[str]) -> None:
        """Read a page's customers in one query instead of one each."""
        wanted = [i for i in dict.fromkeys(ids) if ("customer", i) not in self._cache]
        found = self.svc.customers.get_many(wanted) if wanted else {}
        for customer_id in wanted:
            self._cache[("customer", customer_id)] = found.get(customer_id)

    def lot_number(self, batch_id: str | None) -> str:
        """The lot's number only (see prefetch_lot_numbers), "" for none."""
        if not batch_id:
            return ""
        if ("lot_number", batch_id) not in self._cache:
            self.prefetch_lot_numbers([batch_id])
        number: str = self._cache[("lot_number", batch_id)]
        return number

    def prefetch_lot_numbers(self, ids: list[str | None]) -> None:
        """Read a page's lot numbers in one query, without the lots' balances."""
        wanted = [i for i in dict.fromkeys(ids) if i and ("lot_number", i) not in self._cache]
        found = self.svc.batches.numbers(wanted) if wanted else {}
        for batch_id in wanted:
            self._cache[("lot_number", batch_id)] = found.get(batch_id, "")

    def location_code(self, location_id: str | None) -> str:
        location = self.location(location_id)
        if location is None:
            return ""
        warehouse = self.warehouse(location.warehouse_id)
        return f"{warehouse.code}/{location.code}" if warehouse else location.code


def every(fetch: Callable[[str | None], Page[T]], limit: int = MAX_CHOICES) -> list[T]:
    """Up to `limit` items of a paged listing, following its cursors."""
    items: list[T] = []
    cursor: str | None = None
    while len(items) < limit:
        page = fetch(cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return items[:limit]


def products(svc: Services) -> list[Product]:
    found = every(lambda cursor: svc.products.list(limit=200, cursor=cursor))
    return sorted(found, key=lambda p: p.sku.casefold())


def serial_products(svc: Services) -> list[Product]:
    return [p for p in products(svc) if p.tracking.uses_serials]


def suppliers(svc: Services) -> list[Supplier]:
    found = every(lambda cursor: svc.suppliers.list(limit=200, cursor=cursor))
    return sorted(found, key=lambda s: s.name.casefold())


def customers(svc: Services) -> list[Customer]:
    found = every(lambda cursor: svc.customers.list(limit=200, cursor=cursor))
    return sorted(found, key=lambda c: c.name.casefold())


def warehouses(svc: Services) -> list[Warehouse]:
    return every(lambda cursor: svc.warehouses.list(limit=200, cursor=cursor))


def locations(svc: Services, warehouse_id: str | None) -> list[Location]:
    found = every(lambda cursor: svc.warehouses.list_locations(
        warehouse_id=warehouse_id, limit=200, cursor=cursor))
    return sorted(found, key=lambda loc: loc.code)


def lots_of(svc: Services, product_id: str | None) -> list[Batch]:
    if not product_id:
        return []
    found = every(lambda cursor: svc.batches.list(product_id=product_id, limit=200,
                                                  cursor=cursor))
    return [b for b in found if b.status.value == "active"]


def orders_with(svc: Services, status: str) -> list[Order]:
    return every(lambda cursor: svc.orders.list(status=status, limit=200, cursor=cursor))


def orders(svc: Services, statuses: tuple[str, ...] = ("open", "allocated")) -> list[Order]:
    found = [order for status in statuses for order in orders_with(svc, status)]
    return sorted(found, key=lambda o: o.reference.casefold())
