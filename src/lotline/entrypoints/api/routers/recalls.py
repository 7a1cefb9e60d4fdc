"""/recalls: start one (lots, or a supplier's lots received in a date range; optionally on
hold), read, list, annotate, close and export. Roles are checked by the services (viewer
reads, manager writes)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import Cursor, Limit, body_fields, created, ok
from lotline.entrypoints.api.schemas import trace as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.schemas.recall_drill import RecallDrill, RecallDrillIn
from lotline.entrypoints.api.security import ServicesDep
from lotline.entrypoints.recall_drill_files import drill_zip
from lotline.entrypoints.recall_export import EXPORT_MEDIA, export_recall
from lotline.entrypoints.serialize import dumps

router = APIRouter(tags=["recalls"])

RecallStatus = Annotated[str | None, Query(pattern="^(open|closed)$")]
ExportFormat = Annotated[str, Query(pattern="^(csv|xlsx|json)$", description=(
    "csv or xlsx: one row per delivery (customer, contact, order, lot, quantity, serials), "
    "stock on hand and allocations not shipped; json: the recall as GET answers it"))]
MEDIA = {**EXPORT_MEDIA, "json": "application/json"}


@router.post("/recalls", status_code=201, response_model=s.Recall)
def create_recall(body: s.RecallIn, svc: ServicesDep) -> Response:
    """One call finds every affected lot (those named and every lot made from them), the
    customers and orders that received units (quantities and serial numbers), the stock on
    hand per location and what is allocated but not shipped; `hold: true` puts every
    affected lot on recall hold in the same transaction. An empty lot list, an unknown lot
    (404) or a reversed date range writes nothing."""
    return created(svc.recalls.create(**body_fields(body)))


@router.post("/recalls/drill", response_model=RecallDrill,
             responses={200: {"content": {"application/zip": {}}}})
def recall_drill(body: RecallDrillIn, svc: ServicesDep,
                 format: Annotated[str, Query(pattern="^(json|zip)$", description=(
                     "json: the summary (customers with contacts, counts, elapsed_ms); zip: "
                     "fsma204.xlsx, customers.csv and epcis.json"))] = "json") -> Response:
    """A recall drill: what a recall of the lot would hand over, for its whole forward
    trace, and how long building it took. Changes nothing (no hold, no recall, no event)."""
    result = svc.recalls.drill(body.batch_id)
    if format == "zip":
        return Response(drill_zip(result), media_type="application/zip", headers={
            "Content-Disposition": 'attachment; filename="recall-drill.zip"',
            "X-Elapsed-Ms": f"{result.elapsed_ms:.1f}"})
    return ok(result.summary())


@router.get("/recalls", response_model=Page[s.RecallSummary])
def list_recalls(svc: ServicesDep, status: RecallStatus = None, limit: Limit = 50,
                 cursor: Cursor = None) -> Response:
    """Newest first, without their reports (read one for its report)."""
    recalls = svc.recalls.list(status, limit=limit + 1, cursor=cursor)
    shown = recalls[:limit]
    fields = list(s.RecallSummary.model_fields)
    return ok({"items": [{name: getattr(r, name) for name in fields} for r in shown],
               "next_cursor": shown[-1].id if len(recalls) > limit else None})


@router.get("/recalls/{recall_id}", response_model=s.Recall)
def get_recall(recall_id: str, svc: ServicesDep) -> Response:
    """The recall with its report, recovered quantity and effectiveness (recovered ÷
    shipped), updated as returns of affected lots come back."""
    return ok(svc.recalls.get(recall_id))


@router.post("/recalls/{recall_id}/notes", status_code=201, response_model=s.Recall)
def add_recall_note(recall_id: str, body: s.RecallNoteIn, svc: ServicesDep) -> Response:
    return created(svc.recalls.add_note(recall_id, body.text))


@router.post("/recalls/{recall_id}/close", response_model=s.Recall)
def close_recall(recall_id: str, svc: ServicesDep,
                 body: s.RecallCloseIn | None = None) -> Response:
    """Close an open recall (a closed one is a 409); returns stop counting as recoveries."""
    return ok(svc.recalls.close(recall_id, body.note if body else None))


@router.get("/recalls/{recall_id}/export", response_class=Response,
            responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {},
                                         MEDIA["json"]: {}}}})
def export_recall_file(recall_id: str, svc: ServicesDep, format: ExportFormat = "csv"
                       ) -> Response:
    """The recall as a file to work from: a call list of every delivery with the customer's
    contact details and serials, stock on hand and allocations not shipped."""
    recall = svc.recalls.get(recall_id)
    body = (dumps(recall, indent=2) + "\n").encode("utf-8") if format == "json" \
        else export_recall(recall, format)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", recall.reference) + f".{format}"
    return Response(body, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
