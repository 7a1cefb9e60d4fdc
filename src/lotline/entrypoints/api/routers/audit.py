"""/audit (admins, DESIGN §9): who changed which master data or setting, before and after,
and why — a page of JSON newest first, or the whole selection as CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from lotline.domain.audit import AUDIT_ENTITIES
from lotline.entrypoints.api.routers.common import Cursor, Limit, ok
from lotline.entrypoints.api.security import ServicesDep
from lotline.entrypoints.report_files import MEDIA_TYPES, report_bytes

router = APIRouter(tags=["audit"])

Text = Annotated[str | None, Query(max_length=500)]
Moment = Annotated[str | None, Query(max_length=100, description=(
    "ISO 8601 date-time (UTC when it has no offset) or a date (its 00:00 UTC)"))]
Format = Annotated[str, Query(pattern="^(json|csv|xlsx)$", description=(
    "json (default: one page), csv or xlsx (every entry the filters select, one sheet)"))]


class AuditEntryOut(BaseModel):
    id: str
    occurred_at: str
    actor: str
    entity: str
    entity_id: str
    action: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPageOut(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPES["csv"]: {}, MEDIA_TYPES["xlsx"]: {}}}}


@router.get("/audit", response_model=AuditPageOut, responses=FILES)
def list_audit(svc: ServicesDep,
               entity: Annotated[str | None, Query(max_length=500, description=(
                   "one of " + ", ".join(AUDIT_ENTITIES)))] = None,
               entity_id: Text = None, actor: Text = None, action: Text = None,
               since: Moment = None, until: Moment = None, limit: Limit = 50,
               cursor: Cursor = None, format: Format = "json") -> Response:
    """Audit entries newest first: each names the actor, the record (`entity`,
    `entity_id`), the `action`, the fields it changed `before` and `after` (the whole
    record for a creation or deletion) and the `reason` given. `since` is inclusive,
    `until` exclusive. Admins only. A bad filter is a 422 naming it."""
    filters = {"entity": entity, "entity_id": entity_id, "actor": actor, "action": action,
               "since": since, "until": until}
    if format == "json":
        return ok(svc.audit.list(**filters, limit=limit, cursor=cursor))
    report = svc.audit.export(**filters, cursor=cursor)
    return Response(report_bytes(report, format), media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition":
                             f'attachment; filename="audit.{format}"'})
