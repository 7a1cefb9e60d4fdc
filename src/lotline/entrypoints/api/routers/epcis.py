"""The EPCIS 2.0 REST binding (DESIGN §9): `POST /epcis/capture` (202 with the job's Location),
`GET /epcis/capture/{capture_id}` (the job: running, success, errors), and the standard query
`GET /epcis/events` (an EPCISQueryDocument paged by `nextPageToken`, also in the Link header).
Managers capture; every signed-in role queries."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from lotline.domain.epcis_query import FILTERS, MAX_PER_PAGE, ORDER_FIELDS
from lotline.entrypoints.api.responses import LotlineJSONResponse
from lotline.entrypoints.api.schemas.common import PROBLEM
from lotline.entrypoints.api.security import ServicesDep
from lotline.entrypoints.epcis_job import job_body

router = APIRouter(tags=["epcis"])
SPOOL_IN_MEMORY = 1 << 20  # a larger document waits on disk, not in memory
CAPTURE_JOB: dict[str, Any] = {
    "type": "object",
    "required": ["captureID", "running", "success", "captureErrorBehaviour", "errors"],
    "properties": {"captureID": {"type": "string"}, "running": {"type": "boolean"},
                   "success": {"type": "boolean"},
                   "captureErrorBehaviour": {"enum": ["rollback", "proceed"]},
                   "errors": {"type": "array", "items": {"type": "object"}},
                   "createdAt": {"type": "string"}, "finishedAt": {"type": ["string", "null"]},
                   "eventCount": {"type": "integer"}, "capturedCount": {"type": "integer"},
                   "receiptIds": {"type": "array", "items": {"type": "string"}},
                   "expectedLots": {"type": "array", "items": {"type": "object"}}}}
QUERY_DOCUMENT: dict[str, Any] = {
    "type": "object", "required": ["@context", "type", "schemaVersion", "creationDate",
                                   "epcisBody"],
    "description": "an EPCIS 2.0 EPCISQueryDocument (JSON-LD)"}


def _parameter(name: str, description: str, schema: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _filter_help(name: str) -> str:
    if name == "eventType":
        return ("ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, "
                "AssociationEvent (comma-separated: any)")
    if name.startswith(("GE_", "LT_")):
        return "a date-time with its offset; GE: at or after, LT: before"
    if name.startswith("MATCH_"):
        return ("any of these identifiers (EPC URN or Digital Link) or patterns "
                "(urn:epc:idpat:sgtin:CP.ITEM.*, a Digital Link ending in /*), comma-separated")
    if name.startswith("WD_"):
        return "any of these places and every location within them (a site's SGLN holds " \
               "its extensions)"
    if name == "EXISTS_errorDeclaration":
        return "only events that declare an error (the value is ignored)"
    return "any of these values (comma-separated)"


# Declared for the OpenAPI document only: the route reads the query string itself, so that a
# parameter it does not know is a QueryParameterException naming it (not silently ignored).
# The families named by a prefix (EQ_bizTransaction_{type}...) are in the route's description.
QUERY_PARAMETERS = [
    *[_parameter(name, _filter_help(name), {"type": "string", "format": "date-time"}
                 if name.startswith(("GE_", "LT_")) else None) for name in FILTERS],
    _parameter("orderBy", "the field events are ordered by (default eventTime)",
               {"enum": list(ORDER_FIELDS)}),
    _parameter("orderDirection", "ASC (default) or DESC", {"enum": ["ASC", "DESC"]}),
    _parameter("eventCountLimit", "only the first N events (over every page)",
               {"type": "integer", "minimum": 1}),
    _parameter("maxEventCount", "at most N events match, else 413 QueryTooLargeException; "
                                "not with eventCountLimit", {"type": "integer", "minimum": 1}),
    _parameter("perPage", "events per page", {"type": "integer", "minimum": 1,
                                              "maximum": MAX_PER_PAGE}),
    _parameter("nextPageToken", "the token of the previous page (its Link header)")]


class LinkedDataResponse(LotlineJSONResponse):
    media_type = "application/ld+json"


@router.post("/epcis/capture", status_code=202,
             responses={202: {"description": "captured (or not: see `success` and `errors`); "
                                             "the job is at `Location`",
                              "content": {"application/json": {"schema": CAPTURE_JOB}}}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/ld+json": {"schema": {"type": "object"}},
                 "application/json": {"schema": {"type": "object"}}}}})
async def capture(request: Request, svc: ServicesDep,
                  behaviour: Annotated[str | None, Header(
                      alias="GS1-Capture-Error-Behaviour", max_length=20,
                      description="rollback (default: nothing is stored when an event fails) "
                                  "or proceed (the other events are stored)")] = None
                  ) -> Response:
    """Capture an EPCISDocument (up to 50 MB, 100,000 events), checked against GS1's EPCIS
    2.0 JSON schema first: a 422 lists every schema error with its JSON path and stores
    nothing. A supplier's shipping event addressed to one of our GLNs opens a receipt (ASN)
    with its serials and quantities; other events are stored as captured. Events captured
    before (same eventID, or event hash) are skipped."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        job = await run_in_threadpool(svc.epcis_capture.capture, spool, behaviour)
    finally:
        spool.close()
    location = f"{request.scope.get('root_path', '')}/api/v1/epcis/capture/{job.id}"
    return LotlineJSONResponse(job_body(job), status_code=202, headers={"Location": location})


@router.get("/epcis/capture/{capture_id}",
            responses={200: {"content": {"application/json": {"schema": CAPTURE_JOB}}}})
def capture_job(svc: ServicesDep,
                capture_id: Annotated[str, Path(max_length=100)]) -> Response:
    """A capture job as the REST binding gives it: `captureID`, `running`, `success`,
    `captureErrorBehaviour` and `errors` (each with the JSON `path` of what failed)."""
    return LotlineJSONResponse(job_body(svc.epcis_capture.job(capture_id)))


@router.get("/epcis/events", response_class=LinkedDataResponse,
            responses={200: {"content": {"application/ld+json": {"schema": QUERY_DOCUMENT}}},
                       400: {**PROBLEM, "description": "QueryParameterException: a parameter "
                                                       "not supported, or a value not read"},
                       413: {**PROBLEM, "description": "QueryTooLargeException: more events "
                                                       "match than maxEventCount"},
                       422: {**PROBLEM, "description": "Text no door takes (a control "
                                                       "character) in the query string"}},
            openapi_extra={"parameters": QUERY_PARAMETERS})
def query_events(request: Request, svc: ServicesDep) -> Response:
    """The EPCIS standard query (SimpleEventQuery) over lotline's own events and the captured
    ones, oldest first (or as orderBy/orderDirection say): an EPCISQueryDocument. A further
    page is named by `nextPageToken` in the `Link` header (rel="next") and in
    `GS1-Next-Page-Token`. Besides the parameters listed, the families
    `EQ_bizTransaction_{type}`, `EQ_source_{type}` and `EQ_destination_{type}` select by a
    typed entry (`EQ_bizTransaction_po=urn:…`); `HASATTR_`/`EQATTR_` (master data
    attributes) are refused: lotline keeps no EPCIS master data."""
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    page = svc.epcis_query.events(params)
    headers: dict[str, str] = {}
    if page.next_page_token:
        following = {k: v for k, v in params.items() if k != "nextPageToken"}
        following["nextPageToken"] = [page.next_page_token]
        url = f"{request.url.path}?{urlencode(following, doseq=True)}"
        headers = {"Link": f'<{url}>; rel="next"', "GS1-Next-Page-Token": page.next_page_token}
    return LinkedDataResponse(page.document, headers=headers)
