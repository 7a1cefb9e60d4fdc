"""/receiving: open receipts (ASNs); a receipt line is received by scanning lot and serial
labels (running count against what is still expected, errors in red with a beep), then the
receipt is put away."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.responses import Response

from lotline.domain.errors import Ambiguous, LotlineError, ValidationError
from lotline.domain.flows import Receipt, ReceiptLine
from lotline.domain.model import Product
from lotline.domain.statuses import SerialStatus
from lotline.entrypoints.web import lookups
from lotline.entrypoints.web.core import (
    FormDep,
    Web,
    WebDep,
    WebRoute,
    field,
    navigate,
    page,
    redirect,
)
from lotline.entrypoints.web.forms import optional
from lotline.entrypoints.web.receiving_state import Outcome, Pending, add_units, load_pending
from lotline.entrypoints.web.templating import is_htmx
from lotline.entrypoints.web.wording import in_user_words
from lotline.service_layer.expected_lots import received_so_far, unexpected_lot
from lotline.service_layer.receipt_requests import first_open_line, remaining_quantity

router = APIRouter(route_class=WebRoute, include_in_schema=False)
OPEN = ("open", "partially_received", "received")
MAX_LISTED = 500  # announced serials listed on the scan panel


@dataclass
class Panel:
    """The scan panel of one receipt line."""

    line: ReceiptLine
    product: Product
    pending: Pending
    lot: str = ""
    expiry: str = ""
    outcome: Outcome | None = None
    reason: str = ""

    @property
    def remaining(self) -> Decimal:
        return remaining_quantity(self.line)

    @property
    def idempotency_key(self) -> str:
        """The same line and scans give the same key: a double submit records once."""
        digest = hashlib.sha256(f"{self.line.id}\x00{self.pending.dump()}".encode())
        return "web-receive-" + digest.hexdigest()[:40]

    @property
    def storage_key(self) -> str:
        """Where the browser keeps this line's scans until they are received."""
        return f"lotline:receiving:{self.line.id}"


def _receipts(web: Web, status: str) -> list[Receipt]:
    return lookups.every(lambda cursor: web.svc.receipts.list(status=status, limit=200,
                                                              cursor=cursor))


@router.get("/receiving")
def receiving_index(web: WebDep) -> Response:
    receipts = [r for status in OPEN for r in _receipts(web, status)]
    receipts.sort(key=lambda r: r.created_at, reverse=True)
    return page(web, "receiving/index.html", {"nav": "receiving", "receipts": receipts,
                                              "names": lookups.Names(web.svc)})


def _line(receipt: Receipt, line_id: str) -> ReceiptLine:
    for line in receipt.lines:
        if line.id == line_id:
            return line
    first = first_open_line(receipt)
    if not line_id and first is not None:
        return first
    raise ValidationError.single("line_id", "is not a line of this receipt", line_id)


def _lots_received(web: Web, receipt: Receipt) -> dict[str, dict[str, Decimal]]:
    """For each line with expected lots: each lot's number and what is received of it."""
    if not any(line.expected_lots for line in receipt.lines):
        return {}
    received = web.svc.receipts.received_by_lot(receipt.id)
    return {line.id: received_so_far(received, line) for line in receipt.lines
            if line.expected_lots}


def _page(web: Web, receipt: Receipt, panel: Panel | None, status: int = 200,
          **extra: Any) -> Response:
    names = lookups.Names(web.svc)
    announced = _announced(web, panel) if panel is not None else []
    context = {"nav": "receiving", "receipt": receipt, "panel": panel, "names": names,
               "lots_received": _lots_received(web, receipt),
               "announced": announced, "announced_scanned": sum(1 for _, s in announced if s),
               "locations": lookups.locations(web.svc, receipt.warehouse_id)
               if web.session.can_manage else [], "received": "", "putaway": False,
               "posted": "", **extra}
    if panel is not None and is_htmx(web.request):
        return page(web, "receiving/_panel.html", context, status=status)
    return page(web, "receiving/receipt.html", context, status=status)


@router.get("/receiving/{receipt_id}")
def receipt_page(web: WebDep, receipt_id: str, line: str = "") -> Response:
    receipt = web.svc.receipts.get(receipt_id)
    panel = None
    if receipt.lines and web.session.can_manage and receipt.status != "cancelled":
        chosen = _line(receipt, line)
        panel = Panel(chosen, web.svc.products.get(chosen.product_id), Pending())
    query = web.request.query_params
    return _page(web, receipt, panel, received=query.get("received", "")[:12],
                 putaway=query.get("putaway") == "1", posted=query.get("posted", "")[:40])


def _panel_from(web: Web, receipt: Receipt, form: FormData) -> Panel:
    line = _line(receipt, field(form, "line_id"))
    return Panel(line, web.svc.products.get(line.product_id),
                 load_pending(field(form, "pending")), lot=field(form, "lot").strip(),
                 expiry=field(form, "expiry").strip(), reason=field(form, "reason"))


@dataclass
class Read:
    lot: str | None = None
    expiry: str | None = None
    serial: str | None = None
    quantity: int = 1


def _announced(web: Web, panel: Panel) -> list[tuple[str, bool]]:
    """The line's announced serials still to receive, each with whether it is scanned."""
    numbers = panel.line.expected_serials[:MAX_LISTED]
    if numbers and panel.line.received_quantity > 0:
        expected = {s.serial_number for s in web.svc.serials.search(
            product_id=panel.product.id, status="EXPECTED", limit=MAX_LISTED).items}
        numbers = [n for n in numbers if n in expected]
    scanned = panel.pending.serials()
    return [(number, number in scanned) for number in numbers]


def _unannounced(panel: Panel, serial: str | None) -> str | None:
    announced = panel.line.expected_serials
    if serial is None or not announced or serial in announced:
        return None
    return (f"{serial} is not announced on line {panel.line.line_no} ({panel.product.sku}): "
            "scan one of the serials listed below")


def _read_scan(web: Web, product: Product, data: str) -> Read | str:
    """What a scan adds, or why it cannot be received on this line."""
    try:
        result = web.svc.scan.parse(data)
    except (ValidationError, Ambiguous) as error:
        if product.tracking.uses_serials and "unrecognised input" in error.message:
            return Read(serial=data.strip())  # a new serial number, printed plain
        return in_user_words(error)
    if result.product is not None and result.product.id != product.id:
        return f"this label is for {result.product.sku}; the line receives {product.sku}"
    if result.gtin and result.product is None and product.gtin not in (None, result.gtin):
        return f"GTIN {result.gtin} is not {product.sku}'s ({product.gtin})"
    record = result.serial_record
    if record is not None and record.status is not SerialStatus.EXPECTED:
        return (f"{record.serial_number} is already registered "
                f"({record.status.value.replace('_', ' ').lower()})")
    if result.source == "lot_number" and result.batch is not None:
        expiry = result.batch.expiry_date
        return Read(lot=result.batch.batch_number, expiry=expiry.isoformat() if expiry else None)
    return Read(lot=result.lot, serial=record.serial_number if record else result.serial,
                expiry=result.expiry_date.isoformat() if result.expiry_date else None,
                quantity=result.count or result.quantity or 1)


def _valid_day(text: str) -> str | None:
    try:
        return dt.date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


@router.post("/receiving/{receipt_id}/scan")
def scan_label(web: WebDep, receipt_id: str, form: FormDep) -> Response:
    web.require_manager("receiving")
    receipt = web.svc.receipts.get(receipt_id)
    panel = _panel_from(web, receipt, form)
    if field(form, "remove"):
        removed = panel.pending.remove(field(form, "remove"))
        panel.outcome = Outcome(removed is not None, f"{removed} removed" if removed else
                                "that scan is no longer in the list")
        return _page(web, receipt, panel)
    if field(form, "restore") == "1":  # the browser's kept scans, after a reload
        count = panel.pending.count
        units = "1 scanned unit kept on this device is" if count == 1 else \
            f"{count} scanned units kept on this device are"
        panel.outcome = Outcome(True, f"{units} back: go on scanning")
        return _page(web, receipt, panel)
    data = field(form, "data")
    read = _read_scan(web, panel.product, data) if data.strip() else "Scan a label first"
    if not isinstance(read, str):  # the lot scanned now, else the one typed or scanned before
        read = (_unannounced(panel, read.serial)
                or unexpected_lot(panel.line, read.lot or optional(panel.lot), panel.product.sku)
                or read)
    if isinstance(read, str):
        panel.outcome = Outcome(False, read)
        return _page(web, receipt, panel)
    if read.lot:  # a label without an expiry (AI 17) keeps the one typed or scanned before
        panel.lot, panel.expiry = read.lot, read.expiry or panel.expiry
    panel.outcome = add_units(panel.pending, panel.product, panel.remaining,
                              lot=optional(panel.lot), expiry=_valid_day(panel.expiry),
                              serial=read.serial, quantity=read.quantity)
    return _page(web, receipt, panel)


@router.post("/receiving/{receipt_id}/receive")
def receive_line(web: WebDep, receipt_id: str, form: FormDep) -> Response:
    web.require_manager("receiving")
    receipt = web.svc.receipts.get(receipt_id)
    panel = _panel_from(web, receipt, form)
    if not panel.pending.count:
        panel.outcome = Outcome(False, "nothing scanned yet")
        return _page(web, receipt, panel, status=422)
    line: dict[str, Any] = {"line_id": panel.line.id, "lots": panel.pending.entries()}
    if optional(panel.reason):
        line["reason"] = panel.reason.strip()
    try:
        web.svc.receipts.receive(receipt.id, [line])
    except LotlineError as error:
        words = in_user_words(error, [(panel.line.line_no, panel.product.sku)])
        panel.outcome = Outcome(False, words)
        return _page(web, receipt, panel, status=422)
    return navigate(web, f"/receiving/{receipt.id}?received={panel.pending.count}"
                         f"&posted={panel.line.id}")


@router.post("/receiving/{receipt_id}/putaway")
def putaway(web: WebDep, receipt_id: str, form: FormDep) -> Response:
    web.require_manager("putting away")
    web.svc.receipts.putaway(receipt_id, optional(field(form, "location_id")))
    return redirect(f"/receiving/{receipt_id}?putaway=1")
