"""/serials: register one or many, search, counts per status, lookup by number, read, history
and status changes. Roles are checked by the services (viewer reads, manager writes).

Fixed paths (`/serials/lookup/...`, `/serials/bulk`, `/serials/counts`) are declared before
`/serials/{serial_id}`: FastAPI matches in declaration order."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Query
from starlette.responses import Response

from lotline.bootstrap import Services
from lotline.domain.errors import PayloadTooLarge
from lotline.domain.model import Serial
from lotline.entrypoints.api.routers.common import Cursor, Limit, body_fields, created, ok
from lotline.entrypoints.api.schemas import serials as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep
from lotline.entrypoints.serialize import to_jsonable

router = APIRouter(tags=["serials"])

IdQuery = Annotated[str | None, Query(max_length=100)]
StatusQuery = Annotated[str | None, Query(max_length=20, description="a status or alias")]
PartialNumber = Annotated[str | None, Query(max_length=100, description="part of a serial "
                                            "number (exact case)")]


@router.get("/serials/lookup/{serial_number:path}", response_model=s.Serial)
async def lookup_serial(serial_number: str, svc: ServicesDep,
                        product_id: IdQuery = None) -> Response:
    """Exact match. Under the `product` uniqueness scope a number used by several products is
    a 409 listing them unless `product_id` names one."""
    # On the event loop: the lookup is one indexed read with no transaction (every scan
    # comes here), cheaper than the trip through the thread pool a sync route costs. First
    # in the router: no other route matches /serials/lookup/..., and each one tried before
    # costs every lookup a match.
    return ok(shown(svc, svc.serials.lookup(serial_number, product_id)))


@router.post("/serials/bulk", status_code=201, response_model=s.BulkRegistered)
def register_serials(body: s.SerialBulkIn, svc: ServicesDep) -> Response:
    """All or nothing, one ledger movement for the whole set. Answers the count and the first
    serials; more than 100,000 numbers in one request is a 413, and ranges (`SN-0001..SN-0500`)
    holding more than 100,000 in all are a 422 (counted before any is expanded)."""
    if len(body.serial_numbers) > s.MAX_BULK_SERIALS:
        raise PayloadTooLarge(f"at most {s.MAX_BULK_SERIALS} serial numbers per request; this "
                              f"one has {len(body.serial_numbers)}",
                              limit=s.MAX_BULK_SERIALS, count=len(body.serial_numbers))
    options: dict[str, Any] = body_fields(body)
    numbers = options.pop("serial_numbers")
    registered = svc.serials.register_many(numbers, **options)
    first = registered[:s.BULK_ITEMS_SHOWN]
    return created({"count": len(registered), "items": shown_many(svc, first),
                    "truncated": len(registered) > len(first)})


@router.post("/serials", status_code=201, response_model=s.Serial)
def register_serial(body: s.SerialIn, svc: ServicesDep) -> Response:
    """One serial (status IN_STOCK by default; EXPECTED for an ASN)."""
    options: dict[str, Any] = body_fields(body)
    number = options.pop("serial_number")
    return created(shown(svc, svc.serials.register(number, **options)))


@router.get("/serials", response_model=Page[s.Serial])
def search_serials(svc: ServicesDep, q: PartialNumber = None, product_id: IdQuery = None,
                   status: StatusQuery = None, batch_id: IdQuery = None,
                   location_id: IdQuery = None, order_id: IdQuery = None,
                   warehouse_id: IdQuery = None, limit: Limit = 50,
                   cursor: Cursor = None) -> Response:
    page = svc.serials.search(q=q, product_id=product_id, status=status, batch_id=batch_id,
                              location_id=location_id, limit=limit, cursor=cursor,
                              order_id=order_id, warehouse_id=warehouse_id)
    return ok({"items": shown_many(svc, page.items), "next_cursor": page.next_cursor})


@router.get("/serials/counts", response_model=dict[str, int])
def serial_counts(svc: ServicesDep, product_id: IdQuery = None) -> Response:
    """`{"ALL": n, "EXPECTED": n, "IN_STOCK": n, ...}` from the maintained projection."""
    return ok(svc.serials.counts(product_id))


@router.get("/serials/{serial_id}", response_model=s.Serial)
def get_serial(serial_id: str, svc: ServicesDep) -> Response:
    return ok(shown(svc, svc.serials.get(serial_id)))


@router.get("/serials/{serial_id}/history", response_model=Page[s.Movement])
def serial_history(serial_id: str, svc: ServicesDep) -> Response:
    """Every movement of the unit, oldest first (one page)."""
    return ok({"items": svc.serials.history(serial_id), "next_cursor": None})


@router.post("/serials/{serial_id}/status", response_model=s.Serial)
def change_serial_status(serial_id: str, body: s.StatusChangeIn,
                         svc: ServicesDep) -> Response:
    fields = body_fields(body)
    status = fields.pop("status")
    return ok(shown(svc, svc.serials.change_status(serial_id, status, **fields)))


def shown(svc: Services, serial: Serial) -> dict[str, Any]:
    return shown_many(svc, [serial])[0]


def shown_many(svc: Services, serials: list[Serial]) -> list[dict[str, Any]]:
    """Serials as the API shows them: with `reserved_for` {customer_id, name} when the unit is
    set aside for a customer without an order (seed 001), else null."""
    names = svc.serials.reserved_customers(serials)
    return [{**cast(dict[str, Any], to_jsonable(serial)),
             "reserved_for": None if serial.reserved_for is None else {
                 "customer_id": serial.reserved_for, "name": names.get(serial.reserved_for)}}
            for serial in serials]
