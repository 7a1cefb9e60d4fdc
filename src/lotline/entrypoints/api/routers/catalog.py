"""/products, /suppliers, /customers, /warehouses, /locations: create, list, read, change,
delete. Roles are checked by the services (viewer reads, manager writes)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import (
    Cursor,
    Limit,
    Q,
    body_fields,
    created,
    no_content,
    ok,
)
from lotline.entrypoints.api.schemas import catalog as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter()


@router.post("/products", status_code=201, response_model=s.Product, tags=["products"])
def create_product(body: s.ProductIn, svc: ServicesDep) -> Response:
    return created(svc.products.create_product(**body_fields(body)))


@router.get("/products", response_model=Page[s.Product], tags=["products"])
def list_products(svc: ServicesDep, q: Q = None, tracking: str | None = None,
                  limit: Limit = 50, cursor: Cursor = None) -> Response:
    return ok(svc.products.list(q=q, tracking=tracking, limit=limit, cursor=cursor))


@router.get("/products/{product_id}", response_model=s.Product, tags=["products"])
def get_product(product_id: str, svc: ServicesDep) -> Response:
    return ok(svc.products.get(product_id))


@router.patch("/products/{product_id}", response_model=s.Product, tags=["products"])
def update_product(product_id: str, body: s.ProductPatch, svc: ServicesDep) -> Response:
    return ok(svc.products.update(product_id, **body_fields(body)))


@router.delete("/products/{product_id}", status_code=204, tags=["products"])
def delete_product(product_id: str, svc: ServicesDep) -> Response:
    svc.products.delete(product_id)
    return no_content()


@router.post("/suppliers", status_code=201, response_model=s.Supplier, tags=["suppliers"])
def create_supplier(body: s.PartyIn, svc: ServicesDep) -> Response:
    return created(svc.suppliers.create_supplier(**body_fields(body)))


@router.get("/suppliers", response_model=Page[s.Supplier], tags=["suppliers"])
def list_suppliers(svc: ServicesDep, q: Q = None, limit: Limit = 50,
                   cursor: Cursor = None) -> Response:
    return ok(svc.suppliers.list(q=q, limit=limit, cursor=cursor))


@router.get("/suppliers/{supplier_id}", response_model=s.Supplier, tags=["suppliers"])
def get_supplier(supplier_id: str, svc: ServicesDep) -> Response:
    return ok(svc.suppliers.get(supplier_id))


@router.patch("/suppliers/{supplier_id}", response_model=s.Supplier, tags=["suppliers"])
def update_supplier(supplier_id: str, body: s.PartyPatch, svc: ServicesDep) -> Response:
    return ok(svc.suppliers.update(supplier_id, **body_fields(body)))


@router.delete("/suppliers/{supplier_id}", status_code=204, tags=["suppliers"])
def delete_supplier(supplier_id: str, svc: ServicesDep) -> Response:
    svc.suppliers.delete(supplier_id)
    return no_content()


@router.post("/customers", status_code=201, response_model=s.Customer, tags=["customers"])
def create_customer(body: s.CustomerIn, svc: ServicesDep) -> Response:
    return created(svc.customers.create_customer(**body_fields(body)))


@router.get("/customers", response_model=Page[s.Customer], tags=["customers"])
def list_customers(svc: ServicesDep, q: Q = None, limit: Limit = 50,
                   cursor: Cursor = None) -> Response:
    return ok(svc.customers.list(q=q, limit=limit, cursor=cursor))


@router.get("/customers/{customer_id}", response_model=s.Customer, tags=["customers"])
def get_customer(customer_id: str, svc: ServicesDep) -> Response:
    return ok(svc.customers.get(customer_id))


@router.patch("/customers/{customer_id}", response_model=s.Customer, tags=["customers"])
def update_customer(customer_id: str, body: s.CustomerPatch, svc: ServicesDep) -> Response:
    return ok(svc.customers.update(customer_id, **body_fields(body)))


@router.delete("/customers/{customer_id}", status_code=204, tags=["customers"])
def delete_customer(customer_id: str, svc: ServicesDep) -> Response:
    svc.customers.delete(customer_id)
    return no_content()


@router.post("/warehouses", status_code=201, response_model=s.Warehouse, tags=["warehouses"])
def create_warehouse(body: s.WarehouseIn, svc: ServicesDep) -> Response:
    fields = body_fields(body)
    return created(svc.warehouses.create_warehouse(fields.pop("code"), fields.pop("name", None),
                                                   **fields))


@router.get("/warehouses", response_model=Page[s.Warehouse], tags=["warehouses"])
def list_warehouses(svc: ServicesDep, limit: Limit = 50, cursor: Cursor = None) -> Response:
    return ok(svc.warehouses.list(limit=limit, cursor=cursor))


@router.get("/warehouses/{warehouse_id}", response_model=s.Warehouse, tags=["warehouses"])
def get_warehouse(warehouse_id: str, svc: ServicesDep) -> Response:
    return ok(svc.warehouses.get(warehouse_id))


@router.patch("/warehouses/{warehouse_id}", response_model=s.Warehouse, tags=["warehouses"])
def update_warehouse(warehouse_id: str, body: s.WarehousePatch, svc: ServicesDep) -> Response:
    return ok(svc.warehouses.update(warehouse_id, **body_fields(body)))


@router.delete("/warehouses/{warehouse_id}", status_code=204, tags=["warehouses"])
def delete_warehouse(warehouse_id: str, svc: ServicesDep) -> Response:
    svc.warehouses.delete(warehouse_id)
    return no_content()


@router.post("/locations", status_code=201, response_model=s.Location, tags=["locations"])
def create_location(body: s.LocationIn, svc: ServicesDep) -> Response:
    return created(svc.warehouses.create_location(body.warehouse_id, body.code, body.kind))


@router.get("/locations", response_model=Page[s.Location], tags=["locations"])
def list_locations(svc: ServicesDep, warehouse_id: str | None = None, kind: str | None = None,
                   limit: Limit = 50, cursor: Cursor = None) -> Response:
    return ok(svc.warehouses.list_locations(warehouse_id=warehouse_id, kind=kind, limit=limit,
                                            cursor=cursor))


@router.get("/locations/{location_id}", response_model=s.Location, tags=["locations"])
def get_location(location_id: str, svc: ServicesDep) -> Response:
    return ok(svc.warehouses.get_location(location_id))


@router.patch("/locations/{location_id}", response_model=s.Location, tags=["locations"])
def update_location(location_id: str, body: s.LocationPatch, svc: ServicesDep) -> Response:
    return ok(svc.warehouses.update_location(location_id, **body_fields(body)))


@router.delete("/locations/{location_id}", status_code=204, tags=["locations"])
def delete_location(location_id: str, svc: ServicesDep) -> Response:
    svc.warehouses.delete_location(location_id)
    return no_content()
