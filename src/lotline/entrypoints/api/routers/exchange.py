"""Imports (CSV or XLSX uploads), exports and printable labels.

`POST /imports/{serials|batches|stock|products}` takes the file as a multipart upload (field
`file`) or as the raw request body (up to 512 MB, streamed to a temporary file first).
`?dry_run=true` checks every row and writes nothing: 200 with the report. A real run writes
every row (201 with the report) or none: a 422 problem listing the bad rows."""

from __future__ import annotations

import tempfile
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from lotline.domain.errors import ValidationError
from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.schemas import exchange as s
from lotline.entrypoints.api.security import ServicesDep
from lotline.entrypoints.file_stream import FileStream

router = APIRouter(tags=["imports and exports"])

SPOOL_IN_MEMORY = 8 * 1024 * 1024
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ENTITIES = {"serials": "serials", "batches": "batches", "lots": "batches", "stock": "stock",
            "products": "products", "suppliers": "suppliers", "customers": "customers",
            "warehouses": "warehouses"}
PLACES = ("suppliers", "customers", "warehouses")
IdQuery = Annotated[str | None, Query(max_length=100)]
FormatQuery = Annotated[str | None, Query(pattern="^(csv|xlsx)$", description="default: "
                                          "from the file's content")]
DryRun = Annotated[bool, Query(description="check every row, write nothing")]
Sheet = Annotated[str | None, Query(max_length=100, description="XLSX sheet; default the "
                                                               "first")]
Delimiter = Annotated[str | None, Query(pattern="^(,|;|\\||\\t)$", description="CSV "
                                        "delimiter; default: guessed from the header")]


async def _upload(request: Request) -> tuple[IO[bytes], str]:
    """The uploaded file, seekable, and its name."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationError.single("file", "send the file as the multipart field 'file'")
        upload.file.seek(0)
        return upload.file, upload.filename or "upload"
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    async for chunk in request.stream():
        spool.write(chunk)
    spool.seek(0)
    return spool, "upload"


async def _import(request: Request, run: Any, dry_run: bool, named: bool = False,
                  **options: Any) -> Response:
    stream, name = await _upload(request)
    if named:
        options["name"] = name
    try:
        report = await run_in_threadpool(run, stream, dry_run=dry_run, **options)
    finally:
        stream.close()
    return ok(report, 200 if dry_run else 201)


DRY_RUN: dict[int | str, dict[str, Any]] = {200: {
    "model": s.ImportReport, "description": "dry run (`?dry_run=true`): the report; nothing "
                                            "written"}}


@router.post("/imports/serials", response_model=s.ImportReport, status_code=201,
             responses=DRY_RUN)
async def import_serials(request: Request, svc: ServicesDep, dry_run: DryRun = False,
                         batch_id: IdQuery = None, product_id: IdQuery = None,
                         status: Annotated[str | None, Query(max_length=20)] = None,
                         location_id: IdQuery = None, format: FormatQuery = None,
                         sheet: Sheet = None, delimiter: Delimiter = None) -> Response:
    """Serial numbers, one a row: `serial_number` and, as needed, `product` (SKU),
    `batch_number`, `supplier`, `status`, `warehouse`, `location`, `purchase_date`,
    `warranty_expiry`, `unit_cost`. The query's `batch_id`, `product_id`, `status` and
    `location_id` apply to rows that leave those out."""
    return await _import(request, svc.imports.serials, dry_run, True, batch_id=batch_id,
                         product_id=product_id, status=status, location_id=location_id,
                         file_format=format, sheet=sheet, delimiter=delimiter)


@router.post("/imports/{entity}", response_model=s.ImportReport, status_code=201,
             responses=DRY_RUN)
async def import_records(entity: str, request: Request, svc: ServicesDep,
                         dry_run: DryRun = False, format: FormatQuery = None,
                         sheet: Sheet = None, delimiter: Delimiter = None) -> Response:
    """`batches` (also `lots`): lots with their dates, quantities and costs; a lot of a
    product without serials receives its quantity into `location` (default STOCK). `stock`:
    opening stock, a quantity per row. `products`: the catalogue. `suppliers`, `customers`,
    `warehouses`: with their address, phone and GLN (a code already in use is a row error)."""
    if entity not in ENTITIES or entity == "serials":
        raise ValidationError.single("entity", "must be serials, batches, lots, stock, "
                                               "products, suppliers, customers or warehouses",
                                     entity)
    run = getattr(svc.imports, ENTITIES[entity])
    return await _import(request, run, dry_run, file_format=format, sheet=sheet,
                         delimiter=delimiter)


@router.get("/exports/{entity}", response_class=Response,
            responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}}}})
def export(entity: str, svc: ServicesDep,
           format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
           product_id: IdQuery = None, batch_id: IdQuery = None) -> Response:
    """`serials`, `batches` (also `lots`), `products`, `suppliers`, `customers` or
    `warehouses`, in the columns the imports read."""
    if entity not in ("serials", "batches", "lots", "products", *PLACES):
        raise ValidationError.single("entity", "must be serials, batches, lots, products, "
                                               "suppliers, customers or warehouses", entity)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileStream
    options = {"product_id": product_id, "batch_id": batch_id} if entity == "serials" else {}
    try:
        getattr(svc.exports, ENTITIES[entity])(handle, format, **options)
    except BaseException:
        handle.close()
        raise
    return FileStream(handle, MEDIA[format], f"{entity}.{format}")


@router.get("/labels", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def labels(svc: ServicesDep,
           batch_id: Annotated[list[str] | None, Query(max_length=10_000)] = None,
           serial_id: Annotated[list[str] | None, Query(max_length=10_000)] = None,
           what: Annotated[str | None, Query(pattern="^(lots|serials)$")] = None,
           layout: Annotated[str, Query(max_length=20)] = "a4-3x8",
           copies: Annotated[int, Query(ge=1, le=100)] = 1) -> Response:
    """A PDF of labels, each with a QR code carrying the GS1 Digital Link and the product,
    lot, serial and expiry in words. `serial_id=...` (repeated): those serials;
    `batch_id=...&what=serials`: every serial of the lot; `batch_id=...` (repeated): lot
    labels. Layouts: single, a4-2x4, a4-3x7, a4-3x8."""
    kind = what or ("serials" if serial_id else "lots")
    if kind == "serials":
        if serial_id:
            found = svc.labels.for_serials(serial_id)
        elif batch_id and len(batch_id) == 1:
            found = svc.labels.for_serials(batch_id=batch_id[0])
        else:
            raise ValidationError.single("serial_id", "name serials, or one lot")
    else:
        found = svc.labels.for_lots(batch_id or [])
    pdf = svc.labels.pdf(found, layout, copies)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="labels.pdf"'})


@router.get("/digital-link")
def digital_link(svc: ServicesDep, batch_id: IdQuery = None,
                 serial_id: IdQuery = None) -> Response:
    """`{"digital_link": "https://id.gs1.org/01/.../10/.../21/...?17=YYMMDD"}` of a serial or
    a lot, under the organization's `digital_link_domain`."""
    return ok({"digital_link": svc.labels.digital_link(batch_id=batch_id,
                                                      serial_id=serial_id)})
