"""/trace: a serial or lot (typed, scanned, or from a link) -> where it came from (backward)
and where it went (forward)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import Ambiguous, NotFound, ValidationError
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import Web, WebDep, WebRoute, page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _lot_trees(web: Web, batch_id: str) -> dict[str, Any]:
    return {"lot": web.svc.batches.get(batch_id), "backward": web.svc.trace.backward(batch_id),
            "forward": web.svc.trace.forward(batch_id)}


def _unit(web: Web, serial_number: str, product_id: str) -> dict[str, Any]:
    unit = web.svc.trace.serial(serial_number, product_id)
    found: dict[str, Any] = {"unit": unit}
    if unit.lot is not None:
        found["forward"] = web.svc.trace.forward(unit.lot.lot.batch_id)
    return found


def _search(web: Web, q: str) -> dict[str, Any]:
    """A serial number, a lot number, or any barcode naming one of them."""
    try:
        result = web.svc.scan.parse(q)
    except Ambiguous as error:
        return {"problem": error.message}
    except ValidationError:
        return _partial(web, q.strip())
    if result.serial_record is not None:
        record = result.serial_record
        return _unit(web, record.serial_number, record.product_id)
    if result.batch is not None:
        return _lot_trees(web, result.batch.id)
    choices = web.svc.batches.by_number(result.lot) if result.lot else []
    if choices:
        return {"choices": choices}
    return {"problem": "That barcode names no serial or lot registered here."}


PARTIAL_SHOWN = 20


def _partial(web: Web, text: str) -> dict[str, Any]:
    """No exact number: the serials and lots whose numbers contain the text, to choose from."""
    serials = web.svc.serials.search(q=text, limit=PARTIAL_SHOWN).items
    lots = web.svc.batches.list(q=text, limit=PARTIAL_SHOWN).items
    if not serials and not lots:
        return {"problem": f"No serial or lot number contains {text!r}."}
    return {"partial": {"text": text, "serials": serials, "lots": lots}}


@router.get("/trace")
def trace(web: WebDep, q: str = "", batch_id: str = "", product_id: str = "") -> Response:
    found: dict[str, Any] = {}
    if batch_id:
        found = _lot_trees(web, batch_id)
    elif q.strip() and product_id:
        try:
            found = _unit(web, q.strip(), product_id)
        except NotFound:
            found = {"problem": f"No serial numbered {q.strip()!r} for that product."}
    elif q.strip():
        found = _search(web, q)
    context = {"nav": "trace", "q": q, "names": lookups.Names(web.svc), "unit": None,
               "lot": None, "backward": None, "forward": None, "choices": [],
               "problem": None, "partial": None, **found}
    return page(web, "trace.html", context, status=422 if found.get("problem") else 200)
