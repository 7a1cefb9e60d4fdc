"""/ledger/checkpoints: sign the chain heads now, list and export the signed checkpoints
(issue 17). Admins only (checked by the service); `POST /ledger/verify` is in `reports`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import Cursor, Limit, created, ok
from lotline.entrypoints.api.schemas import ledger as s
from lotline.entrypoints.api.schemas.common import PROBLEM, Page
from lotline.entrypoints.api.security import ServicesDep
from lotline.service_layer.checkpoints import checkpoint_record

router = APIRouter(tags=["ledger"])

KEY_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {**PROBLEM, "description": "The installation's ledger key file cannot be used"}}


@router.post("/ledger/checkpoints", status_code=201, response_model=s.Checkpoint,
             responses=KEY_UNAVAILABLE)
def create_checkpoint(svc: ServicesDep) -> Response:
    """Sign every stream's head (its seq and hash) now with the installation's Ed25519 key
    (a file outside the database, created on first use) and store the checkpoint."""
    return created(checkpoint_record(svc.checkpoints.create()))


@router.get("/ledger/checkpoints", response_model=Page[s.Checkpoint])
def list_checkpoints(svc: ServicesDep, limit: Limit = 50, cursor: Cursor = None) -> Response:
    """Newest first."""
    found = svc.checkpoints.list(limit=limit + 1, cursor=cursor)
    shown = found[:limit]
    return ok({"items": [checkpoint_record(c) for c in shown],
               "next_cursor": shown[-1].id if len(found) > limit else None})


@router.get("/ledger/checkpoints/export", response_model=s.CheckpointExport,
            responses=KEY_UNAVAILABLE)
def export_checkpoints(svc: ServicesDep) -> Response:
    """Every checkpoint, oldest first, with the public key: keep it away from the database
    and send it back to `POST /ledger/verify` to prove the chains against it."""
    return ok(svc.checkpoints.export())
