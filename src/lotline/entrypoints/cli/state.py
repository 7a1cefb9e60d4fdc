"""What every command shares: the global options, the services they open, and naming records
the way people do (a product by SKU, a lot by its number, a supplier by code)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

import typer

import lotline
from lotline.bootstrap import Services
from lotline.domain.errors import Ambiguous, NotFound
from lotline.domain.model import Batch, Product, Supplier

ProductOption = Annotated[str | None, typer.Option(
    "--product", help="The product's SKU or id.")]
SupplierOption = Annotated[str | None, typer.Option(
    "--supplier", help="The supplier (code, name or id) of a lot named by number, when "
    "suppliers share the number.")]
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass
class CliState:
    """The root options. `url_given`: --database-url was typed on the command line (not only
    taken from LOTLINE_DATABASE_URL)."""

    database_url: str | None
    organization: str
    url_given: bool = False
    _services: Services | None = field(default=None, repr=False)

    def services(self) -> Services:
        if self._services is None:
            self._services = lotline.create_services(self.database_url, self.organization)
        return self._services

    def close(self) -> None:
        if self._services is not None:
            self._services.engine.dispose()
            if self._services.read_engine is not None:
                self._services.read_engine.dispose()
            self._services = None


def cli_state(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    if not isinstance(state, CliState):  # a command invoked without the root app
        state = CliState(database_url=None, organization="default")
        ctx.find_root().obj = state
    return state


def services(ctx: typer.Context) -> Services:
    return cli_state(ctx).services()


def looks_like_id(value: str) -> bool:
    return UUID.fullmatch(value) is not None


def resolve_product(svc: Services, ref: str) -> Product:
    """A product by SKU (exact), else by id."""
    ref = ref.strip()
    try:
        return svc.products.by_sku(ref)
    except NotFound:
        if not looks_like_id(ref):
            raise
    return svc.products.get(ref)


def resolve_supplier(svc: Services, ref: str) -> Supplier:
    """A supplier by id, else by code, else by name (both compared case-insensitively)."""
    ref = ref.strip()
    if looks_like_id(ref):
        return svc.suppliers.get(ref)
    candidates = svc.suppliers.list(q=ref, limit=500).items
    folded = ref.casefold()
    for matches in ([s for s in candidates if (s.code or "").casefold() == folded],
                    [s for s in candidates if s.name.casefold() == folded]):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Ambiguous(f"supplier {ref!r}",
                            [{"id": s.id, "code": s.code, "name": s.name} for s in matches])
    raise NotFound("supplier", ref, "code")


def resolve_batch(svc: Services, ref: str, product_id: str | None = None,
                  supplier: str | None = None) -> Batch:
    """A lot by id, else by its number (case-insensitive), narrowed to a product and to a
    supplier (code, name or id) if given: two suppliers may use the same number."""
    ref = ref.strip()
    if looks_like_id(ref):
        try:
            return svc.batches.get(ref)
        except NotFound:
            pass
    supplier_id = resolve_supplier(svc, supplier).id if supplier else None
    return svc.batches.one_by_number(
        ref, product_id, supplier_id=supplier_id,
        hint=" (name the product with --product, the supplier with --supplier, or use the "
             "id)")


class Names:
    """Readable names for the ids in a record (SKU, lot number, location code, order
    reference), looked up once each."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._cache: dict[tuple[str, str], str] = {}

    def _name(self, kind: str, record_id: str | None, lookup: Callable[[str], str]) -> str | None:
        if record_id is None:
            return None
        key = (kind, record_id)
        if key not in self._cache:
            try:
                self._cache[key] = lookup(record_id)
            except NotFound:
                self._cache[key] = record_id
        return self._cache[key]

    def product(self, product_id: str | None) -> str | None:
        return self._name("product", product_id, lambda i: self.svc.products.get(i).sku)

    def supplier(self, supplier_id: str | None) -> str | None:
        return self._name("supplier", supplier_id, lambda i: self.svc.suppliers.get(i).name)

    def batch(self, batch_id: str | None) -> str | None:
        return self._name("batch", batch_id, lambda i: self.svc.batches.get(i).batch_number)

    def customer(self, customer_id: str | None) -> str | None:
        return self._name("customer", customer_id, lambda i: self.svc.customers.get(i).name)

    def order(self, order_id: str | None) -> str | None:
        return self._name("order", order_id, lambda i: self.svc.orders.get(i).reference)

    def location(self, location_id: str | None) -> str | None:
        def lookup(i: str) -> str:
            location = self.svc.warehouses.get_location(i)
            warehouse = self.svc.warehouses.get(location.warehouse_id)
            return f"{warehouse.code}/{location.code}"
        return self._name("location", location_id, lookup)
