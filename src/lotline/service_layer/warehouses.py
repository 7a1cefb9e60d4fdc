"""Warehouses and locations."""

from __future__ import annotations

from typing import Any

from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.model import Location, Page, Warehouse
from lotline.domain.statuses import LocationKind, Role, parse_enum
from lotline.domain.values import (
    ErrorCollector,
    apply_aliases,
    clean_text,
    required_text,
    search_text,
)
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service, need_location, need_warehouse, snapshot
from lotline.service_layer.organizations import DEFAULT_LOCATIONS, add_warehouse
from lotline.service_layer.parties import WAREHOUSE_FIELDS, parse_party_fields
from lotline.service_layer.unit_of_work import UnitOfWork

DESCRIPTION_FIELDS = tuple(name for name in WAREHOUSE_FIELDS if name != "name")

STANDARD_CODES = frozenset(code for code, _ in DEFAULT_LOCATIONS)


def _code(value: Any, field: str = "code") -> str:
    return required_text(value, field, max_length=100).upper()


def default_location(uow: UnitOfWork, code: str, warehouse_id: str | None = None) -> Location:
    """One of the standard locations (STOCK, RECEIVING, ...) of a warehouse, default: MAIN."""
    warehouse = (uow.warehouses.default() if warehouse_id is None
                 else need_warehouse(uow, warehouse_id))
    if warehouse is None:
        raise NotFound("warehouse", "default", "is_default")
    location = uow.locations.by_code(warehouse.id, code)
    if location is None:
        raise NotFound("location", f"{warehouse.code}/{code}", "code")
    return location


class WarehouseService(Service):
    def create_warehouse(self, code: str, name: str | None = None,
                         **details: Any) -> Warehouse:
        """`details`: phone, gln, address ({street, city, region, postal_code, country}) or
        those address fields flat."""
        self.actor.require(Role.MANAGER, "creating warehouses")
        errors = ErrorCollector()
        clean_code = errors.take(_code, code)
        clean_name = errors.take(clean_text, name, "name")
        described = errors.take(parse_party_fields, details, (), DESCRIPTION_FIELDS)
        errors.raise_if_any()
        assert clean_code is not None
        with self.writing() as uow:
            if uow.warehouses.by_code(clean_code) is not None:
                raise Conflict(f"warehouse {clean_code!r} already exists", code=clean_code)
            warehouse_id = add_warehouse(uow, clean_code, clean_name or clean_code,
                                         is_default=False, details=described)
            warehouse = need_warehouse(uow, warehouse_id)
            uow.audit.record(actor=self.actor.name, entity="warehouse", entity_id=warehouse_id,
                             action="create", before=None, after=snapshot(warehouse),
                             moment=self.actor.now())
        return warehouse

    def get(self, warehouse_id: str) -> Warehouse:
        with self.reading() as uow:
            return need_warehouse(uow, warehouse_id)

    def by_code(self, code: str) -> Warehouse:
        clean = _code(code)
        with self.reading() as uow:
            warehouse = uow.warehouses.by_code(clean)
        if warehouse is None:
            raise NotFound("warehouse", clean, "code")
        return warehouse

    def default(self) -> Warehouse:
        with self.reading() as uow:
            warehouse = uow.warehouses.default()
        if warehouse is None:
            raise NotFound("warehouse", "default", "is_default")
        return warehouse

    def list(self, limit: int = 50, cursor: str | None = None) -> Page[Warehouse]:
        with self.reading(may_lag=True) as uow:
            return uow.warehouses.list_page(limit, cursor)

    def update(self, warehouse_id: str, **changes: Any) -> Warehouse:
        self.actor.require(Role.MANAGER, "changing warehouses")
        values = parse_party_fields(changes, (), WAREHOUSE_FIELDS)
        if "name" in values and values["name"] is None:
            raise ValidationError.single("name", "must not be empty")
        with self.writing() as uow:
            before = need_warehouse(uow, warehouse_id)
            if values:
                uow.warehouses.update(warehouse_id, values)
            after = need_warehouse(uow, warehouse_id)
            record_change(uow, "warehouse", warehouse_id, "update", snapshot(before),
                          snapshot(after))
        return after

    def delete(self, warehouse_id: str) -> None:
        self.actor.require(Role.MANAGER, "deleting warehouses")
        with self.writing() as uow:
            warehouse = need_warehouse(uow, warehouse_id)
            if warehouse.is_default:
                raise Conflict(f"warehouse {warehouse.code!r} is the default warehouse")
            locations = uow.locations.list_page(warehouse_id, None, 500, None).items
            for location in locations:
                _check_location_unused(uow, location, standard_allowed=True)
            for location in locations:
                uow.locations.delete(location.id)
            uow.warehouses.delete(warehouse_id)
            uow.audit.record(actor=self.actor.name, entity="warehouse", entity_id=warehouse_id,
                             action="delete", before=snapshot(warehouse), after=None,
                             moment=self.actor.now())

    # --- locations -------------------------------------------------------------------------

    def create_location(self, warehouse_id: str, code: str,
                        kind: str = "storage") -> Location:
        self.actor.require(Role.MANAGER, "creating locations")
        errors = ErrorCollector()
        clean_code = errors.take(_code, code)
        location_kind = errors.take(parse_enum, LocationKind, kind, "kind")
        errors.raise_if_any()
        assert clean_code is not None and location_kind is not None
        with self.writing() as uow:
            need_warehouse(uow, warehouse_id)
            if uow.locations.by_code(warehouse_id, clean_code) is not None:
                raise Conflict(f"location {clean_code!r} already exists in that warehouse",
                               code=clean_code)
            location_id = new_id()
            uow.locations.insert({"id": location_id, "warehouse_id": warehouse_id,
                                  "code": clean_code, "kind": location_kind.value,
                                  "created_at": self.actor.now()})
            location = need_location(uow, location_id)
            uow.audit.record(actor=self.actor.name, entity="location", entity_id=location_id,
                             action="create", before=None, after=snapshot(location),
                             moment=self.actor.now())
        return location

    def get_location(self, location_id: str) -> Location:
        with self.reading() as uow:
            return need_location(uow, location_id)

    def location_by_code(self, code: str, warehouse_id: str | None = None) -> Location:
        with self.reading() as uow:
            return default_location(uow, code.strip().upper(), warehouse_id)

    def list_locations(self, warehouse_id: str | None = None, kind: str | None = None,
                       limit: int = 50, cursor: str | None = None,
                       q: str | None = None) -> Page[Location]:
        """`q`: a part of the location's code."""
        location_kind = None if kind is None else parse_enum(LocationKind, kind, "kind")
        with self.reading(may_lag=True) as uow:
            return uow.locations.list_page(warehouse_id, location_kind, limit, cursor,
                                           search_text(q))

    def update_location(self, location_id: str, **changes: Any) -> Location:
        self.actor.require(Role.MANAGER, "changing locations")
        fields = apply_aliases(changes, {}, ("code", "kind"))
        errors = ErrorCollector()
        values: dict[str, Any] = {}
        if "code" in fields:
            values["code"] = errors.take(_code, fields["code"])
        if "kind" in fields:
            kind = errors.take(parse_enum, LocationKind, fields["kind"], "kind")
            values["kind"] = None if kind is None else kind.value
        errors.raise_if_any()
        with self.writing() as uow:
            before = need_location(uow, location_id)
            clash = uow.locations.by_code(before.warehouse_id, values.get("code", before.code))
            if clash is not None and clash.id != location_id:
                raise Conflict(f"location {clash.code!r} already exists in that warehouse")
            if values:
                uow.locations.update(location_id, values)
            after = need_location(uow, location_id)
            record_change(uow, "location", location_id, "update", snapshot(before),
                          snapshot(after))
        return after

    def delete_location(self, location_id: str) -> None:
        self.actor.require(Role.MANAGER, "deleting locations")
        with self.writing() as uow:
            location = need_location(uow, location_id)
            _check_location_unused(uow, location)
            uow.locations.delete(location_id)
            uow.audit.record(actor=self.actor.name, entity="location", entity_id=location_id,
                             action="delete", before=snapshot(location), after=None,
                             moment=self.actor.now())


def _check_location_unused(uow: UnitOfWork, location: Location, *,
                           standard_allowed: bool = False) -> None:
    if uow.locations.holds_or_held_stock(location.id):
        raise Conflict(f"location {location.code!r} holds or held stock; it cannot be "
                       f"deleted", location_id=location.id)
    if not standard_allowed and location.code in STANDARD_CODES:
        raise ValidationError.single("location_id", f"{location.code} is a standard location "
                                     "every flow relies on", location.id)
