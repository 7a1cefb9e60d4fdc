"""/reports: seed 002's "serial number location" and "lot movement history", filtered, a page
at a time on screen, and downloaded whole as CSV, XLSX or JSON (streamed from the database)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import LotlineError, ValidationError
from lotline.domain.reports import PAGED_REPORTS
from lotline.domain.statuses import CANONICAL_STATUSES, MovementKind
from lotline.entrypoints.file_stream import FileStream
from lotline.entrypoints.report_files import MEDIA_TYPES, write_report
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import WebDep, WebRoute, page
from lotline.service_layer.record_reports import FILTERS

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 50
SHOWN = {"serial-number-location": ("serial_number", "product_sku", "batch_number", "status",
                                    "warehouse", "location"),
         "lot-movement-history": ("occurred_at", "kind", "product_sku", "batch_number",
                                  "serial_number", "quantity", "from_location", "to_location",
                                  "order_reference", "reason")}
LABELS = {"serial_number": "Serial number", "product_sku": "Product", "batch_number": "Lot",
          "status": "Status", "warehouse": "Warehouse", "location": "Location",
          "occurred_at": "When", "kind": "Movement",
          "quantity": "Quantity", "from_location": "From", "to_location": "To",
          "order_reference": "Order", "reason": "Reason"}
TITLES = {"serial-number-location": "Serial number location",
          "lot-movement-history": "Lot movement history"}


@dataclass(frozen=True, slots=True)
class Query:
    report: str = PAGED_REPORTS[0]
    product_id: str = ""
    batch_id: str = ""
    status: str = ""
    warehouse_id: str = ""
    location_id: str = ""
    kind: str = ""
    start: str = ""
    end: str = ""

    def filters(self) -> dict[str, Any]:
        """The filters this report takes, blanks left out."""
        return {name: getattr(self, name) or None for name in FILTERS[self.report]}

    def url(self, path: str = "/reports", **extra: str) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(self)} | extra
        return f"{path}?{urlencode({k: v for k, v in values.items() if v})}"


def _query(params: Any) -> Query:
    given = {f.name: params.get(f.name, "")[:100].strip() for f in fields(Query)}
    if given["report"] not in PAGED_REPORTS:
        given["report"] = PAGED_REPORTS[0]
    return Query(**given)


@router.get("/reports")
def reports_page(web: WebDep) -> Response:
    query = _query(web.request.query_params)
    cursor = web.request.query_params.get("cursor") or None
    problem, report = None, None
    try:
        report = web.svc.reports.page(query.report, limit=PAGE_SIZE, cursor=cursor,
                                      **query.filters())
    except LotlineError as error:
        problem = error.message
    svc = web.svc
    return page(web, "reports.html", {
        "nav": "reports", "query": query, "report": report, "problem": problem,
        "titles": TITLES, "columns": SHOWN[query.report], "labels": LABELS,
        "takes": FILTERS[query.report],
        "products": lookups.products(svc), "lots": lookups.lots_of(svc, query.product_id),
        "warehouses": lookups.warehouses(svc),
        "locations": lookups.locations(svc, query.warehouse_id or None),
        "statuses": CANONICAL_STATUSES, "kinds": list(MovementKind),
        "next_url": query.url(cursor=report.next_cursor)
        if report is not None and report.next_cursor else None})


@router.get("/reports/download")
def download(web: WebDep, format: str = "csv") -> Response:
    query = _query(web.request.query_params)
    if format not in MEDIA_TYPES:
        raise ValidationError.single("format", "must be csv, xlsx or json", format)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileStream
    try:
        with web.svc.reports.streamed(query.report, **query.filters()) as (header, rows):
            write_report(handle, header, rows, format)
    except BaseException:
        handle.close()
        raise
    return FileStream(handle, MEDIA_TYPES[format], f"{query.report}.{format}")
