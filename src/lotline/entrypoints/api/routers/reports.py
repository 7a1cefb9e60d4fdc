"""`GET /reports/{name}` (JSON, CSV or XLSX), `GET /epcis/document` and `POST /ledger/verify`.
Every signed-in role reads reports and events; verifying the ledger is for admins."""

from __future__ import annotations

import dataclasses
import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.entrypoints.api.responses import LotlineJSONResponse
from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.routers.ledger import KEY_UNAVAILABLE
from lotline.entrypoints.api.schemas import reports as r
from lotline.entrypoints.api.schemas import trace as s
from lotline.entrypoints.api.schemas.batches import DateIn
from lotline.entrypoints.api.schemas.ledger import LedgerVerifyIn
from lotline.entrypoints.api.security import ServicesDep
from lotline.entrypoints.file_stream import FileStream
from lotline.entrypoints.report_files import (
    MEDIA_TYPES,
    report_bytes,
    report_document,
    write_report,
)
from lotline.service_layer.checkpoint_verify import read_checkpoint_set

router = APIRouter(tags=["reports"])

Format = Annotated[str, Query(pattern="^(json|csv|xlsx)$", description="json (default), csv "
                              "or xlsx (one sheet, typed cells)")]
IdQuery = Annotated[str | None, Query(max_length=100)]
AsOf = Annotated[DateIn | None, Query(description="the day to judge expiry on (default "
                                                   "today in the organization's time zone)")]
FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPES["csv"]: {}, MEDIA_TYPES["xlsx"]: {}}}}


def _report(svc: Any, name: str, file_format: str, **parameters: Any) -> Response:
    report = svc.reports.run(name, **parameters)
    if file_format == "json":
        return ok(report_document(report))
    return Response(report_bytes(report, file_format), media_type=MEDIA_TYPES[file_format],
                    headers={"Content-Disposition":
                             f'attachment; filename="{name}.{file_format}"'})


@router.get("/reports/expiring", response_model=r.ReportOut[r.ExpiringRow], responses=FILES)
def expiring(svc: ServicesDep, format: Format = "json",
             days: Annotated[int | None, Query(ge=0, le=36500, description=(
                 "window in days; default each product's expiry_alert_days"))] = None,
             as_of: AsOf = None) -> Response:
    """Lots on hand expiring within the window (already expired ones excluded)."""
    return _report(svc, "expiring", format, days=days, as_of=as_of)


@router.get("/reports/expired", response_model=r.ReportOut[r.ExpiredRow], responses=FILES)
def expired(svc: ServicesDep, format: Format = "json", as_of: AsOf = None) -> Response:
    """Lots past their expiry date that are still on hand, with their value."""
    return _report(svc, "expired", format, as_of=as_of)


@router.get("/reports/lot-inventory", response_model=r.ReportOut[r.LotInventoryRow],
            responses=FILES)
def lot_inventory(svc: ServicesDep, format: Format = "json") -> Response:
    """Every lot on hand per location, earliest expiry first."""
    return _report(svc, "lot-inventory", format)


@router.get("/reports/serial-inventory", response_model=r.ReportOut[r.SerialInventoryRow],
            responses=FILES)
def serial_inventory(svc: ServicesDep, format: Format = "json") -> Response:
    """Serial counts per product, status and location."""
    return _report(svc, "serial-inventory", format)


@router.get("/reports/serial-history", response_model=r.ReportOut[r.MovementRow],
            responses=FILES)
def serial_history(svc: ServicesDep,
                   serial_number: Annotated[str, Query(min_length=1, max_length=200)],
                   format: Format = "json", product_id: IdQuery = None) -> Response:
    """Every movement of one unit, oldest first."""
    return _report(svc, "serial-history", format, serial_number=serial_number,
                   product_id=product_id)


@router.get("/reports/lot-history", response_model=r.ReportOut[r.MovementRow],
            responses=FILES)
def lot_history(svc: ServicesDep, batch_id: Annotated[str, Query(max_length=100)],
                format: Format = "json") -> Response:
    """Every movement of one lot, oldest first."""
    return _report(svc, "lot-history", format, batch_id=batch_id)


@router.get("/reports/supplier-performance", response_model=r.ReportOut[r.SupplierRow],
            responses=FILES)
def supplier_performance(svc: ServicesDep, format: Format = "json") -> Response:
    """Per supplier: lots, received, remaining, turnover, returns and defect rate."""
    return _report(svc, "supplier-performance", format)


@router.get("/reports/valuation", response_model=r.ReportOut[r.ValuationRow], responses=FILES)
def valuation(svc: ServicesDep, format: Format = "json") -> Response:
    """Per product: on hand, value (lot or unit cost) and average cost."""
    return _report(svc, "valuation", format)


@router.get("/reports/fsma204", response_model=r.ReportOut[r.Fsma204Row], responses=FILES)
def fsma204(svc: ServicesDep, format: Format = "json", batch_id: IdQuery = None,
            start: DateIn | None = None, end: DateIn | None = None) -> Response:
    """The FDA FSMA 204 sortable spreadsheet: one row per critical tracking event (receiving,
    returns, shipping, transformation) with its key data elements (21 CFR 1.1340, 1.1345,
    1.1350), for one lot or the whole organization, over a period or all time."""
    return _report(svc, "fsma204", format, batch_id=batch_id, start=start, end=end)


PageLimit = Annotated[int, Query(ge=1, le=500, description="rows per page (json)")]
PageCursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the "
                                                                     "previous page")]
PAGED_NOTE = ("JSON answers one page (`limit`, `cursor`, `next_cursor`); CSV and XLSX stream "
              "the whole report, every page.")


def _paged(svc: Any, name: str, file_format: str, limit: int, cursor: str | None,
           **filters: Any) -> Response:
    if file_format == "json":
        return ok(report_document(svc.reports.page(name, limit=limit, cursor=cursor,
                                                   **filters)))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileStream
    try:
        with svc.reports.streamed(name, **filters) as (header, rows):
            write_report(handle, header, rows, file_format)
    except BaseException:
        handle.close()
        raise
    return FileStream(handle, MEDIA_TYPES[file_format], f"{name}.{file_format}")


@router.get("/reports/serial-number-location",
            response_model=r.PagedReportOut[r.SerialLocationRow], responses=FILES,
            description="Each serial with its product, lot, status, warehouse and location "
                        "(seed 002), in registration order. " + PAGED_NOTE)
def serial_number_location(svc: ServicesDep, format: Format = "json",
                           product_id: IdQuery = None, batch_id: IdQuery = None,
                           status: Annotated[str | None, Query(max_length=20)] = None,
                           warehouse_id: IdQuery = None, location_id: IdQuery = None,
                           limit: PageLimit = 100, cursor: PageCursor = None) -> Response:
    return _paged(svc, "serial-number-location", format, limit, cursor,
                  product_id=product_id, batch_id=batch_id, status=status,
                  warehouse_id=warehouse_id, location_id=location_id)


@router.get("/reports/lot-movement-history",
            response_model=r.PagedReportOut[r.LotMovementRow], responses=FILES,
            description="Every movement of every lot, in the order recorded (seed 002); "
                        "`start`/`end` are days of `occurred_at` (UTC, inclusive), "
                        "`location_id` matches either end of a move. " + PAGED_NOTE)
def lot_movement_history(svc: ServicesDep, format: Format = "json",
                         product_id: IdQuery = None, batch_id: IdQuery = None,
                         start: DateIn | None = None, end: DateIn | None = None,
                         kind: Annotated[str | None, Query(max_length=20)] = None,
                         location_id: IdQuery = None, limit: PageLimit = 100,
                         cursor: PageCursor = None) -> Response:
    return _paged(svc, "lot-movement-history", format, limit, cursor,
                  product_id=product_id, batch_id=batch_id, start=start, end=end, kind=kind,
                  location_id=location_id)


class EpcisResponse(LotlineJSONResponse):
    media_type = "application/ld+json"


@router.get("/epcis/document", response_class=EpcisResponse, tags=["epcis"],
            responses={200: {"content": {"application/ld+json": {
                "schema": s.EPCIS_DOCUMENT}}}})
def epcis_events(svc: ServicesDep, since: DateIn | None = None, until: DateIn | None = None,
                 batch_id: IdQuery = None,
                 limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000) -> Response:
    """An EPCIS 2.0 EPCISDocument (JSON-LD) of receipts and registrations (ObjectEvent ADD with
    lot master data), shipments (ObjectEvent OBSERVE) and transformations
    (TransformationEvent), oldest first; `since` and `until` are days, inclusive. (The
    standard query with paging is `GET /epcis/events`.)"""
    return EpcisResponse(svc.epcis.events(since=since, until=until, batch_id=batch_id,
                                          limit=limit))


@router.post("/ledger/verify", response_model=s.LedgerReport, tags=["ledger"],
             responses=KEY_UNAVAILABLE)
def verify_ledger(svc: ServicesDep, body: LedgerVerifyIn | None = None) -> Response:
    """Check every hash chain and recompute the projections (serial states, lot balances,
    status counts) from the ledger. Reports every problem with its stream and movement ids;
    never repairs anything. Admins only. With a body (the checkpoint export, kept
    elsewhere), also proves the chains against those signed checkpoints."""
    signed = None if body is None else read_checkpoint_set(body.model_dump(mode="json"))
    report = svc.ledger.verify(signed)
    return ok({**{f.name: getattr(report, f.name) for f in dataclasses.fields(report)},
               "ok": report.ok})
