"""What the floor pages that post a list of scans share (returns, transfers, counts,
adjustments): each scan read by the one resolver (`svc.scan.parse`) into a unit or a lot, the
JSON answer the page's script keeps in localStorage, the posted list read back (from the
script's JSON, or typed one per line without it), and the answers of a post: a redirect
(`HX-Redirect` for htmx) or the error in words in the page's message area."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from lotline.domain.errors import Ambiguous, LotlineError, ValidationError
from lotline.domain.model import Batch, Product, Serial
from lotline.entrypoints.web.core import Web, error_page, field, page, redirect
from lotline.entrypoints.web.templating import STATUS_WORDS, is_htmx

MAX_UNITS = 5_000


@dataclass(frozen=True, slots=True)
class Scanned:
    """One scan resolved: a serial (with its product), or a lot and a quantity."""

    text: str
    product: Product | None
    serial: Serial | None = None
    batch: Batch | None = None
    quantity: Decimal | None = None

    @property
    def key(self) -> str:
        return f"s:{self.serial.id}" if self.serial else f"l:{self.batch.id if self.batch else ''}"

    @property
    def label(self) -> str:
        sku = self.product.sku if self.product else ""
        if self.serial is not None:
            return f"{self.serial.serial_number} · {sku}"
        return f"lot {self.batch.batch_number if self.batch else '?'} · {sku}"


class ScanRefused(Exception):
    """A scan this page cannot take, with the reason in the user's words."""


def words(error: LotlineError) -> str:
    """A service error without field paths (`serial_numbers: x` -> `x`)."""
    if isinstance(error, ValidationError):
        return "; ".join(item.message for item in error.errors)
    return error.message


def resolve(web: Web, text: str) -> Scanned:
    """The unit or lot a scan names, or ScanRefused saying why not."""
    if not text.strip():
        raise ScanRefused("Scan a label first")
    try:
        result = web.svc.scan.parse(text)
    except (ValidationError, Ambiguous) as error:
        raise ScanRefused(f"{text.strip()}: {words(error)}") from None
    if result.serial_record is not None:
        return Scanned(text.strip(), result.product, serial=result.serial_record)
    if result.batch is not None:
        amount = result.count or result.quantity
        return Scanned(text.strip(), result.product, batch=result.batch,
                       quantity=Decimal(amount) if amount else None)
    raise ScanRefused(f"{text.strip()}: no unit or lot with this number"
                      + (f" (product {result.product.sku})" if result.product else ""))


def judged(web: Web, form: FormData, judge: Callable[[Scanned], Response]) -> Response:
    """The answer to the scan a page's script checks (`data`): refused in words when it names
    no unit or lot, else what the page's `judge` says of it."""
    try:
        scanned = resolve(web, field(form, "data"))
    except ScanRefused as refused:
        return refusal(str(refused))
    return judge(scanned)


def status_of(serial: Serial) -> str:
    return STATUS_WORDS.get(serial.status.value, serial.status.value).lower()


def answer(scanned: Scanned, message: str) -> Response:
    return JSONResponse({"ok": True, "key": scanned.key, "text": scanned.text,
                         "label": scanned.label, "lot": scanned.serial is None,
                         "quantity": float(scanned.quantity) if scanned.quantity else None,
                         "message": message})


def refusal(message: str) -> Response:
    return JSONResponse({"ok": False, "message": message})


@dataclass(frozen=True, slots=True)
class Posted:
    text: str
    quantity: str | None


def posted_units(form: FormData) -> list[Posted]:
    """The posted scans: the script's JSON list, else the typed lines (one scan a line)."""
    raw = field(form, "units_json").strip()
    if raw:
        try:
            items = json.loads(raw)
            units = [Posted(str(item["text"]), None if item.get("quantity") in (None, "")
                            else str(item["quantity"])) for item in items]
        except (ValueError, TypeError, KeyError, AttributeError):
            raise ValidationError.single("units", "the scanned list could not be read; "
                                         "clear it and scan again") from None
    else:
        units = [Posted(line.strip(), None) for line in field(form, "units").splitlines()
                 if line.strip()]
    if len(units) > MAX_UNITS:
        raise ValidationError.single("units", f"more than {MAX_UNITS} scans in one list")
    return units


def quantity_of(posted: Posted, scanned: Scanned) -> Decimal:
    text = posted.quantity if posted.quantity is not None else (
        str(scanned.quantity) if scanned.quantity else "1")
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        raise ValidationError.single("quantity", f"{scanned.label}: the quantity {text!r} is "
                                     "not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError.single("quantity", f"{scanned.label}: the quantity must be "
                                     "greater than 0")
    return amount


def resolved(web: Web, units: list[Posted]) -> list[tuple[Posted, Scanned]]:
    """Each posted scan resolved again (the list may have waited in the browser)."""
    found = []
    for unit in units:
        try:
            found.append((unit, resolve(web, unit.text)))
        except ScanRefused as refused:
            raise ValidationError.single("units", str(refused)) from None
    return found


def done(web: Web, url: str) -> Response:
    """Post/redirect/get: htmx follows HX-Redirect, a plain form the 303."""
    if is_htmx(web.request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return redirect(url)


def failed(web: Web, error: LotlineError | str, status: int = 422) -> Response:
    """The error in words, in the page's message area (nothing was recorded)."""
    message = error if isinstance(error, str) else words(error)
    return error_page(web.request, status if isinstance(error, str) else error.http_status,
                      message)


def pending_context(web: Web, page_name: str, *suffix: str) -> dict[str, Any]:
    """Where the page's script keeps its scans: one list per page, user (and context)."""
    key = ":".join(("lotline", page_name, web.session.username, *suffix))
    return {"store_key": key}


def floor_page(web: Web, name: str, context: dict[str, Any], *store_suffix: str) -> Response:
    """A floor page: its template and nav tab (both `name`), and where its script keeps the
    scans."""
    return page(web, f"{name}.html", {"nav": name, **context,
                                      **pending_context(web, name, *store_suffix)})
