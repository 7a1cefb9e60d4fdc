"""/recalls: start a recall (lots, reason, hold — confirmed on a second page), the affected
customers, orders and stock, CSV/XLSX exports, and the list of recalls."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from lotline.domain.errors import Ambiguous, LotlineError, NotFound
from lotline.domain.model import Batch
from lotline.entrypoints.recall_export import EXPORT_MEDIA, export_recall
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.confirming import ask, confirm_page, confirmed
from lotline.entrypoints.web.core import FormDep, Web, WebDep, WebRoute, field, page, redirect
from lotline.entrypoints.web.forms import FormState, optional, place_error
from lotline.entrypoints.web.templating import quantity as qty
from lotline.entrypoints.web.wording import in_user_words

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FIELDS = ("lot_numbers", "reason", "hold")
ALIASES = {"batch_ids": "lot_numbers", "reason": "reason"}


def _list_page(web: Web, state: FormState, chosen: list[Batch], status: int = 200) -> Response:
    return page(web, "recalls/list.html", {
        "nav": "recalls", "form": state, "chosen": chosen, "names": lookups.Names(web.svc),
        "recalls": web.svc.recalls.list()}, status=status)


@router.get("/recalls")
def recalls(web: WebDep, batch_id: str = "") -> Response:
    chosen = [web.svc.batches.get(batch_id)] if batch_id else []
    return _list_page(web, FormState(values={"lot_numbers": "", "reason": "", "hold": "on"}),
                      chosen)


def _chosen_lots(web: Web, form: Any, state: FormState) -> list[Batch]:
    """Lots picked by id (from a lot's page) and lots typed by number, one per line or
    comma; a number several lots share is an error listing them."""
    lots = [web.svc.batches.get(str(i)) for i in form.getlist("batch_id") if str(i)]
    for number in filter(None, (n.strip() for n in re.split(r"[\n,]", state.get(
            "lot_numbers")))):
        try:
            lots.append(web.svc.batches.one_by_number(number))
        except NotFound:
            state.add("lot_numbers", f"no lot numbered {number!r}")
        except Ambiguous as error:
            named = "; ".join(f"{c['sku']}" + (f" from {c['supplier']}" if c["supplier"] else "")
                              for c in error.candidates)
            state.add("lot_numbers", f"{number!r} matches {len(error.candidates)} lots "
                      f"({named}): open the lot and use its Recall link")
    unique = {lot.id: lot for lot in lots}
    if not unique and not state.errors.get("lot_numbers"):
        state.add("lot_numbers", "name at least one lot")
    return list(unique.values())


def _read(web: Web, form: Any) -> tuple[FormState, list[Batch]]:
    state = FormState(values={name: field(form, name) for name in FIELDS})
    lots = _chosen_lots(web, form, state)
    if not state.get("reason").strip():
        state.add("reason", "say why the lots are recalled")
    return state, lots


@router.post("/recalls/preview")
def preview(web: WebDep, form: FormDep) -> Response:
    web.require_manager("starting recalls")
    state, lots = _read(web, form)
    if not state.ok:
        return _list_page(web, state, lots, status=422)
    names = lookups.Names(web.svc)
    return page(web, "recalls/confirm.html", {"nav": "recalls", "form": state, "lots": lots,
                                              "names": names})


@router.post("/recalls")
def create_recall(web: WebDep, form: FormDep) -> Response:
    web.require_manager("starting recalls")
    state, lots = _read(web, form)
    if state.ok:
        try:
            recall = web.svc.recalls.create(reason=state.get("reason"),
                                            batch_ids=[lot.id for lot in lots],
                                            hold=state.get("hold") == "on")
        except LotlineError as error:
            place_error(state, error, ALIASES)
        else:
            return redirect(f"/recalls/{recall.id}")
    return _list_page(web, state, lots, status=422)


def _allocated_by_lot(report: dict[str, Any]) -> dict[str, Decimal]:
    """Units of each recalled lot allocated to orders and not shipped (the on-hand rows'
    own `allocated` leaves out units reserved one serial at a time)."""
    totals: dict[str, Decimal] = {}
    for row in report["pending"]:
        totals[row["batch_id"]] = totals.get(row["batch_id"], Decimal(0)) + row["quantity"]
    return totals


@router.get("/recalls/{recall_id}")
def recall_detail(web: WebDep, recall_id: str) -> Response:
    recall = web.svc.recalls.get(recall_id)
    query = web.request.query_params
    return page(web, "recalls/detail.html", {
        "nav": "recalls", "recall": recall, "report": recall.report,
        "allocated": _allocated_by_lot(recall.report), "names": lookups.Names(web.svc),
        "recovered": query.get("recovered", "")[:40], "closed": query.get("closed") == "1",
        "problem": None})


@router.post("/recalls/{recall_id}/recoveries")
def record_recovery(web: WebDep, recall_id: str, form: FormDep) -> Response:
    """A unit (or a lot quantity) of a recalled delivery came back: the customer return
    records it, and the recall counts it as recovered."""
    web.require_manager("recording recall recoveries")
    recall = web.svc.recalls.get(recall_id)
    serial, batch_id = field(form, "serial_number"), field(form, "batch_id")
    line = {"serial_number": serial} if serial else {
        "batch_id": batch_id, "quantity": field(form, "quantity") or "0"}
    try:
        web.svc.orders.returns(field(form, "order_id"), [line],
                               reason=f"recall {recall.reference}: {recall.reason}")
    except LotlineError as error:
        return page(web, "recalls/detail.html", {
            "nav": "recalls", "recall": recall, "report": recall.report,
            "allocated": _allocated_by_lot(recall.report), "names": lookups.Names(web.svc),
            "recovered": "", "closed": False, "problem": in_user_words(error)}, status=409)
    what = serial or f"{field(form, 'quantity')} units"
    return redirect(f"/recalls/{recall_id}?{urlencode({'recovered': what})}")


@router.get("/recalls/{recall_id}/close")
def confirm_close(web: WebDep, recall_id: str, note: str = "") -> Response:
    web.require_manager("closing recalls")
    recall = web.svc.recalls.get(recall_id)
    if recall.status != "open":
        return redirect(f"/recalls/{recall_id}")
    return confirm_page(
        web, nav="recalls", question=f"Close recall {recall.reference}?",
        consequence=f"{qty(recall.recovered_quantity)} of {qty(recall.shipped_quantity)} "
                    "shipped units are recovered; a closed recall takes no more recoveries.",
        action=f"/recalls/{recall_id}/close", fields={"note": note}, yes="Yes, close it",
        back=f"/recalls/{recall_id}")


@router.post("/recalls/{recall_id}/close")
def close_recall(web: WebDep, recall_id: str, form: FormDep) -> Response:
    web.require_manager("closing recalls")
    if not confirmed(form):
        return ask(f"/recalls/{recall_id}/close", {"note": field(form, "note")})
    web.svc.recalls.close(recall_id, optional(field(form, "note")))
    return redirect(f"/recalls/{recall_id}?closed=1")


@router.get("/recalls/{recall_id}/export.{file_format}")
def export(web: WebDep, recall_id: str, file_format: str) -> Response:
    if file_format not in EXPORT_MEDIA:
        return page(web, "error.html", {"status": 404, "title": "Not found", "request_id": "",
                                        "message": "Exports are .csv or .xlsx."}, status=404)
    recall = web.svc.recalls.get(recall_id)
    body = export_recall(recall, file_format)
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", recall.reference) + f".{file_format}"
    return Response(body, media_type=EXPORT_MEDIA[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
