"""/admin/audit (admin role, DESIGN §9; `/audit` leads there): the audit log newest first,
filtered by record kind, record, person, action and days, each entry's fields before and
after; the same selection exported as CSV, XLSX or JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.audit import AUDIT_ENTITIES, field_changes
from lotline.domain.errors import ValidationError
from lotline.domain.model import AuditEntry
from lotline.domain.statuses import Role
from lotline.entrypoints.report_files import MEDIA_TYPES, report_bytes
from lotline.entrypoints.web.core import WebDep, WebRoute, page, redirect

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 50
BASE = "/admin/audit"
ACTION_WORDS = {"create": "created", "update": "changed", "delete": "deleted",
                "hold": "put on hold", "release": "released from hold",
                "status": "status changed", "import": "imported", "revoke": "revoked"}
ENTITY_WORDS = {"api_key": "API key", "batch": "Lot", "settings": "Settings"}
DETAIL_PAGES = {"batch": "/lots/{}", "serial": "/serials/{}"}


@dataclass(frozen=True, slots=True)
class AuditFilters:
    entity: str = ""
    entity_id: str = ""
    actor: str = ""
    action: str = ""
    since: str = ""  # a day, inclusive
    until: str = ""  # a day, inclusive
    cursor: str = ""

    def query(self, **changes: str) -> str:
        values = replace(self, **changes)
        query = {f.name: getattr(values, f.name) for f in fields(values)
                 if getattr(values, f.name)}
        return urlencode(query)

    def url(self, **changes: str) -> str:
        query = self.query(**changes)
        return BASE + (f"?{query}" if query else "")

    def service_filters(self) -> dict[str, Any]:
        """The days as the service's moments: `until` includes its whole day."""
        return {"entity": self.entity or None, "entity_id": self.entity_id or None,
                "actor": self.actor or None, "action": self.action or None,
                "since": self.since or None, "until": _day_after(self.until)}


def _day_after(day: str) -> str | None:
    if not day:
        return None
    try:
        return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    except ValueError:
        raise ValidationError.single("until", "must be a date YYYY-MM-DD", day) from None


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    link = DETAIL_PAGES.get(entry.entity)
    return {"entry": entry, "changes": field_changes(entry.before, entry.after),
            "whole": entry.before is None or entry.after is None,
            "action": ACTION_WORDS.get(entry.action, entry.action.replace("_", " ")),
            "entity": ENTITY_WORDS.get(entry.entity, entry.entity.replace("_", " ").title()),
            "link": link.format(entry.entity_id) if link and entry.action != "delete"
            else None}


def _filters(entity: str, entity_id: str, actor: str, action: str, since: str, until: str,
             cursor: str) -> AuditFilters:
    return AuditFilters(entity if entity in AUDIT_ENTITIES else "", entity_id.strip(),
                        actor.strip(), action.strip(), since.strip(), until.strip(), cursor)


@router.get("/audit")
def audit_short(web: WebDep) -> Response:
    web.require(Role.ADMIN, "reading the audit log")
    query = web.request.url.query
    return redirect(BASE + (f"?{query}" if query else ""))


@router.get(BASE)
def audit_list(web: WebDep, entity: str = "", entity_id: str = "", actor: str = "",
               action: str = "", since: str = "", until: str = "",
               cursor: str = "") -> Response:
    web.require(Role.ADMIN, "reading the audit log")
    filters = _filters(entity, entity_id, actor, action, since, until, cursor)
    problem = None
    items: list[AuditEntry] = []
    next_cursor = None
    try:
        result = web.svc.audit.list(**filters.service_filters(), limit=PAGE_SIZE,
                                    cursor=cursor or None)
        items, next_cursor = result.items, result.next_cursor
    except ValidationError as error:
        problem = "; ".join(f"{_label(e.field)}: {e.message}" for e in error.errors)
    return page(web, "audit.html", {
        "nav": "admin", "filters": filters, "rows": [entry_view(e) for e in items],
        "entities": [(e, ENTITY_WORDS.get(e, e.replace("_", " ").title()))
                     for e in AUDIT_ENTITIES],
        "problem": problem, "export_query": filters.query(cursor=""),
        "next_url": filters.url(cursor=next_cursor) if next_cursor else None,
        "first_url": filters.url(cursor="") if cursor else None},
        status=422 if problem else 200)


def _label(field: str) -> str:
    return {"since": "From", "until": "To", "entity_id": "Record id", "cursor": "Page"}.get(
        field, field.replace("_", " ").capitalize())


@router.get(BASE + "/export.{file_format}")
def audit_export(web: WebDep, file_format: str, entity: str = "", entity_id: str = "",
                 actor: str = "", action: str = "", since: str = "",
                 until: str = "") -> Response:
    web.require(Role.ADMIN, "exporting the audit log")
    if file_format not in MEDIA_TYPES:
        return page(web, "error.html", {"status": 404, "title": "Not found", "request_id": "",
                                        "message": "Exports are .csv, .xlsx or .json."},
                    status=404)
    filters = _filters(entity, entity_id, actor, action, since, until, "")
    report = web.svc.audit.export(**filters.service_filters())
    return Response(report_bytes(report, file_format), media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition":
                             f'attachment; filename="audit.{file_format}"'})
