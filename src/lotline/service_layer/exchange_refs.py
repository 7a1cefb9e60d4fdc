"""Naming records in import files the way people do, looked up once per distinct name.

A product is its SKU, id or GTIN; a supplier its code, name or id (case-insensitive); a lot
its number (case-insensitive) within the product, narrowed by supplier; a location its code,
optionally `WAREHOUSE/CODE` or with a warehouse column. Each lookup answers the record or an
error reason (a string), so an import reports every bad row instead of stopping at one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lotline.domain.lots import LotRecord
from lotline.domain.model import Location, OrgSettings, Product, Supplier
from lotline.domain.values import fold_number
from lotline.service_layer.context import Actor
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")


class References:
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor) -> None:
        self.uows = uows
        self.actor = actor
        self._cache: dict[tuple[object, ...], object] = {}

    def _read(self) -> UnitOfWork:
        return self.uows(self.actor, write=False)

    def _cached(self, key: tuple[object, ...], load: Callable[[UnitOfWork], T | str]
                ) -> T | str:
        if key not in self._cache:
            with self._read() as uow:
                self._cache[key] = load(uow)
        return self._cache[key]  # type: ignore[return-value]

    def forget(self) -> None:
        self._cache.clear()

    def product(self, ref: str) -> Product | str:
        return self._cached(("product", ref), lambda uow: _product(uow, ref))

    def taken(self, column: str, value: str) -> bool:
        """Whether a product already has this SKU or GTIN."""
        def load(uow: UnitOfWork) -> bool:
            by = uow.products.by_sku if column == "sku" else uow.products.by_gtin
            return by(value) is not None
        return bool(self._cached(("taken", column, value), load))

    def supplier(self, ref: str) -> Supplier | str:
        return self._cached(("supplier", ref.casefold()), lambda uow: _supplier(uow, ref))

    def lots(self, product_id: str | None, number: str) -> list[LotRecord]:
        """The lots with this number (case-insensitive) of a product, or of any product."""
        key = ("lots", product_id, fold_number(number))
        return self._cached(key, lambda uow: [  # type: ignore[return-value]
            lot for lot in uow.batches.by_number(fold_number(number))
            if product_id is None or lot.product_id == product_id])

    def lot_by_id(self, batch_id: str) -> LotRecord | str:
        return self._cached(("lot", batch_id), lambda uow: uow.batches.get(batch_id)
                            or f"no lot with id {batch_id}")

    def location(self, warehouse_ref: str | None, ref: str) -> Location | str:
        if warehouse_ref is None and "/" in ref:
            warehouse_ref, ref = ref.split("/", 1)
        key = ("location", (warehouse_ref or "").upper(), ref.upper())
        return self._cached(key, lambda uow: _location(uow, warehouse_ref, ref))

    def location_by_id(self, location_id: str) -> Location | str:
        return self._cached(("location-id", location_id), lambda uow: uow.locations.get(
            location_id) or f"no location with id {location_id}")

    def settings(self) -> OrgSettings:
        with self._read() as uow:
            return uow.settings()


def _product(uow: UnitOfWork, ref: str) -> Product | str:
    product = uow.products.by_sku(ref)
    if product is None and ref.isdigit() and len(ref) in (8, 12, 13, 14):
        product = uow.products.by_gtin(ref.zfill(14))
    if product is None and len(ref) == 36:
        product = uow.products.get(ref)
    return product or f"no product with SKU, id or GTIN {ref!r}"


def _supplier(uow: UnitOfWork, ref: str) -> Supplier | str:
    rows = uow.suppliers.ids_matching(ref, 3)
    if len(rows) > 1:
        return f"supplier {ref!r} matches several suppliers; use its code or id"
    supplier = uow.suppliers.get(rows[0]) if rows else None
    return supplier or f"no supplier with code, name or id {ref!r}"


def _location(uow: UnitOfWork, warehouse_ref: str | None, ref: str) -> Location | str:
    if warehouse_ref:
        warehouse = uow.warehouses.by_code(warehouse_ref.strip().upper()) or \
            uow.warehouses.get(warehouse_ref.strip())
    else:
        warehouse = uow.warehouses.default()
    if warehouse is None:
        return f"no warehouse {warehouse_ref!r}"
    location = uow.locations.by_code(warehouse.id, ref.strip().upper())
    return location or f"no location {ref!r} in warehouse {warehouse.code}"


def pick_lot(lots: list[LotRecord], supplier: Supplier | None, number: str,
             sku: str) -> LotRecord | str:
    """The one lot of a product with this number (narrowed by supplier), or why not."""
    if supplier is not None:
        lots = [lot for lot in lots if lot.supplier_id == supplier.id]
    if len(lots) == 1:
        return lots[0]
    if not lots:
        return f"product {sku!r} has no lot {number!r}" + \
            (f" from supplier {supplier.name!r}" if supplier else "") + " (import lots first)"
    return f"product {sku!r} has {len(lots)} lots {number!r}; add a supplier column"
