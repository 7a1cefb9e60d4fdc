"""/batches: create (with the seeds' aliases), list, read, change, delete, active/inactive,
hold/release, and seed 004's `GET /batches/product/{product_id}`. Roles are checked by the
services (viewer reads, manager writes).

Routes with a fixed segment where `{batch_id}` could stand are declared first: FastAPI matches
in declaration order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
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
from lotline.entrypoints.api.schemas import batches as s
from lotline.entrypoints.api.schemas.common import HoldIn, IdsIn, Page
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["batches"])

ActiveOnly = Annotated[bool, Query(description="only lots with some quantity remaining")]
LotStatusQuery = Annotated[str | None, Query(max_length=20, description="active or inactive")]
IdQuery = Annotated[str | None, Query(max_length=100)]


@router.get("/batches/product/{product_id}", response_model=list[s.BatchCostRow])
def list_batches_by_product(product_id: str, svc: ServicesDep,
                            active_only: ActiveOnly = True) -> Response:
    """Seed 004: a product's lots in FEFO order (expiry, then receipt time, then creation) as a
    bare array. An unknown product, or another organization's, answers `[]`."""
    return ok(svc.batches.list_by_product(product_id, active_only=active_only))


@router.post("/batches/bulk-delete", status_code=204)
def bulk_delete_batches(body: IdsIn, svc: ServicesDep) -> Response:
    """All or nothing: every lot must be unreferenced (else mark it inactive)."""
    svc.batches.bulk_delete(body.ids)
    return no_content()


@router.post("/batches/active", response_model=s.Batches)
def mark_batches_active(body: IdsIn, svc: ServicesDep) -> Response:
    return ok({"items": svc.batches.mark_active(body.ids)})


@router.post("/batches/inactive", response_model=s.Batches)
def mark_batches_inactive(body: IdsIn, svc: ServicesDep) -> Response:
    return ok({"items": svc.batches.mark_inactive(body.ids)})


@router.post("/batches", status_code=201, response_model=s.Batch)
def create_batch(body: s.BatchIn, svc: ServicesDep) -> Response:
    """Accepts DESIGN §3's names and the seeds' aliases (`item_id`, `manufactured_date`,
    `manufacturer_date`, `expiration_date`, `initial_quantity`, `in_quantity`,
    `batch_custom_fields`). A lot of an untracked or lot-tracked product receives its
    quantity into STOCK; for a serial-tracked product the quantity is the lot's cap."""
    return created(svc.batches.create(**body_fields(body)))


@router.get("/batches", response_model=Page[s.Batch])
def list_batches(svc: ServicesDep, product_id: IdQuery = None, supplier_id: IdQuery = None,
                 status: LotStatusQuery = None, expiring_before: s.DateIn | None = None,
                 has_stock: bool | None = None, q: Q = None, limit: Limit = 50,
                 cursor: Cursor = None) -> Response:
    return ok(svc.batches.list(product_id=product_id, supplier_id=supplier_id, status=status,
                               expiring_before=expiring_before, has_stock=has_stock, q=q,
                               limit=limit, cursor=cursor))


@router.get("/batches/{batch_id}", response_model=s.Batch)
def get_batch(batch_id: str, svc: ServicesDep) -> Response:
    return ok(svc.batches.get(batch_id))


@router.patch("/batches/{batch_id}", response_model=s.Batch)
def update_batch(batch_id: str, body: s.BatchPatch, svc: ServicesDep) -> Response:
    return ok(svc.batches.update(batch_id, **body_fields(body)))


@router.delete("/batches/{batch_id}", status_code=204)
def delete_batch(batch_id: str, svc: ServicesDep) -> Response:
    svc.batches.delete(batch_id)
    return no_content()


@router.post("/batches/{batch_id}/active", response_model=s.Batch)
def mark_batch_active(batch_id: str, svc: ServicesDep) -> Response:
    return ok(svc.batches.mark_active([batch_id])[0])


@router.post("/batches/{batch_id}/inactive", response_model=s.Batch)
def mark_batch_inactive(batch_id: str, svc: ServicesDep) -> Response:
    return ok(svc.batches.mark_inactive([batch_id])[0])


@router.post("/batches/{batch_id}/hold", response_model=s.Batch)
def hold_batch(batch_id: str, body: HoldIn, svc: ServicesDep) -> Response:
    return ok(svc.batches.hold(batch_id, body.reason, body.kind))


@router.post("/batches/{batch_id}/release", response_model=s.Batch)
def release_batch(batch_id: str, svc: ServicesDep,
                  body: s.ReleaseIn | None = None) -> Response:
    return ok(svc.batches.release(batch_id, body.reason if body else None))
