"""Seed 003's routes, each answering its envelope and message word for word. Lot rules,
roles and errors are the services' (viewer reads, manager writes), as on `/api/v1/batches`.

`/batches/active` and `/batches/inactive` are declared before `/batches/{batch_id}`: FastAPI
matches in declaration order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.bootstrap import Services
from lotline.domain.audit import REASONED_BATCH_INPUTS
from lotline.domain.model import Batch
from lotline.entrypoints.api.compat_zoho.shapes import id_list, seed_batch
from lotline.entrypoints.api.routers.common import body_fields, created, ok
from lotline.entrypoints.api.schemas import batches as s
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["seed 003 (Zoho-style batches)"])

BatchIds = Annotated[str, Query(min_length=1, max_length=10_000,
                                description="comma-separated batch ids")]
ItemId = Annotated[str | None, Query(max_length=100, description="the item (product) id")]
_PAGE = 500
SEED_003_REASON = "seed 003 API update"


def _batch(svc: Services, batch: Batch) -> dict[str, Any]:
    return seed_batch(batch, svc.products.get(batch.product_id).uom)


def _said(message: str, **content: Any) -> Response:
    return ok({"code": 0, "message": message, **content})


@router.post("/batches/active")
def mark_batches_active(batch_ids: BatchIds, svc: ServicesDep) -> Response:
    svc.batches.mark_active(id_list(batch_ids))
    return _said("The selected batches have been marked as active.")


@router.post("/batches/inactive")
def mark_batches_inactive(batch_ids: BatchIds, svc: ServicesDep) -> Response:
    svc.batches.mark_inactive(id_list(batch_ids))
    return _said("The selected batches have been marked as inactive.")


@router.post("/batches", status_code=201)
def create_batch(body: s.BatchIn, svc: ServicesDep) -> Response:
    batch = svc.batches.create(**body_fields(body))
    return created({"code": 0, "message": "The batch has been created.",
                    "batch": _batch(svc, batch)})


@router.get("/batches")
def list_batches(svc: ServicesDep, item_id: ItemId = None) -> Response:
    """Every lot (of `item_id` when given), in creation order; seed 003 has no pages."""
    batches: list[Batch] = []
    cursor: str | None = None
    while True:
        page = svc.batches.list(product_id=item_id, limit=_PAGE, cursor=cursor)
        batches.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return _said("success", batches=[_batch(svc, b) for b in batches])


@router.delete("/batches")
def bulk_delete_batches(batch_ids: BatchIds, svc: ServicesDep) -> Response:
    """All or nothing: every lot must be unreferenced (else mark it inactive)."""
    svc.batches.bulk_delete(id_list(batch_ids))
    return _said("The selected batches have been deleted.")


@router.get("/batches/{batch_id}")
def get_batch(batch_id: str, svc: ServicesDep) -> Response:
    return _said("success", batch=_batch(svc, svc.batches.get(batch_id)))


@router.put("/batches/{batch_id}")
def update_batch(batch_id: str, body: s.BatchPatch, svc: ServicesDep) -> Response:
    """Seed 003's request has no reason, while lotline asks one for an expiry date or cost
    change: a client that sends none gets SEED_003_REASON recorded (docs/decisions.md)."""
    fields = body_fields(body)
    if not fields.get("reason") and any(name in fields for name in REASONED_BATCH_INPUTS):
        fields["reason"] = SEED_003_REASON
    batch = svc.batches.update(batch_id, **fields)
    return _said("The batch has been updated.", batch=_batch(svc, batch))


@router.delete("/batches/{batch_id}")
def delete_batch(batch_id: str, svc: ServicesDep) -> Response:
    svc.batches.delete(batch_id)
    return _said("The batch has been deleted.")


@router.post("/batches/{batch_id}/active")
def mark_batch_active(batch_id: str, svc: ServicesDep) -> Response:
    svc.batches.mark_active([batch_id])
    return _said("The batch has been marked as active.")


@router.post("/batches/{batch_id}/inactive")
def mark_batch_inactive(batch_id: str, svc: ServicesDep) -> Response:
    svc.batches.mark_inactive([batch_id])
    return _said("The batch has been marked as inactive.")
