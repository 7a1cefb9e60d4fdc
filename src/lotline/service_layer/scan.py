"""The one scan resolver (DESIGN §6): raw scanned text in, a resolved scan out. The library
(`svc.scan.parse`), POST /scan, picking by scan (API and web), web receiving, the web scan box
and the CLI all hand the text to `resolve_scan`, so the same text means the same thing at
every door; picking takes the records it resolved instead of looking the text up again.

Resolution order: a GS1 encoding (Digital Link, element string with FNC1 as GS or one of
`gs1.FNC1_SUBSTITUTES`, bracketed HRI, GTIN with a valid check digit); else an exact serial
number; else a lot number. A GS1 reading that failed validation (any check digit, date,
length, leftover text) and matches nothing is a ValidationError naming the problem; text that
matches nothing is a ValidationError "unrecognised input".

One refinement, for text that is GS1 only by accident: a reading with no symbology identifier
and no key (a bare `10ABC`, which is also a plausible serial number) or a bare 8-14 digit GTIN
that names no product of the organization yields to an exact serial or lot number match."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from lotline.domain import gs1
from lotline.domain.errors import Ambiguous, FieldError, ValidationError
from lotline.domain.lots import LotRecord
from lotline.domain.model import Batch, Product, Serial
from lotline.domain.values import fold_number
from lotline.service_layer.base import Service
from lotline.service_layer.batch_views import lot_views
from lotline.service_layer.candidates import lot_candidates, serial_candidates
from lotline.service_layer.unit_of_work import UnitOfWork

MAX_SCAN_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class ScanWarning:
    code: str  # product_unknown, lot_unknown, lot_ambiguous, serial_unknown, serial_ambiguous,
    # expiry_mismatch, lot_expired, lot_on_hold, lot_inactive, serial_on_hold
    message: str
    candidates: tuple[dict[str, Any], ...] = ()  # what an *_ambiguous warning could mean


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The barcode's fields (None when absent) and what they resolve to. `source` says how the
    scan was read: `gs1`, `serial_number` or `lot_number`; `form` which encoding (`element-
    string`, `hri`, `digital-link`, `plain-gtin`, `serial-number`, `lot-number`)."""

    gtin: str | None
    lot: str | None
    serial: str | None
    expiry_date: dt.date | None
    best_before: dt.date | None
    production_date: dt.date | None
    quantity: int | None
    count: int | None
    sscc: str | None
    content_gtin: str | None
    product: Product | None
    batch: Batch | None
    serial_record: Serial | None
    warnings: list[ScanWarning] = field(default_factory=list)
    source: str = "gs1"
    form: str | None = None
    symbology: str | None = None


@dataclass
class _Found:
    product: Product | None = None
    batch: LotRecord | None = None
    serial: Serial | None = None
    warnings: list[ScanWarning] = field(default_factory=list)

    def warn(self, code: str, message: str,
             candidates: tuple[dict[str, Any], ...] = ()) -> None:
        self.warnings.append(ScanWarning(code, message, candidates))


class ScanService(Service):
    def parse(self, data: Any) -> ScanResult:
        with self.reading() as uow:
            return resolve_scan(uow, data, self.today(uow))


def resolve_scan(uow: UnitOfWork, data: Any, today: dt.date, *,
                 products: Collection[str] = ()) -> ScanResult:
    """What the scanned text is in this organization. `products` (e.g. an order's products)
    settles a serial number several products share when exactly one of them is listed."""
    reading = gs1.parse(_scan_text(data))
    found = _Found()
    if reading.data is not None:
        found = _resolve_gs1(uow, reading.data, products)
        if _gs1_wins(reading.data, found) or not reading.body:
            return _result(uow, reading.data, found, "gs1", today)
    by_number = _by_number(uow, reading.body, products, today)
    if by_number is not None:
        return by_number
    if reading.data is not None:
        return _result(uow, reading.data, found, "gs1", today)
    raise _no_match(reading)


def _by_number(uow: UnitOfWork, body: str, products: Collection[str],
               today: dt.date) -> ScanResult | None:
    serial = _serial(uow, body, None, _Found(), products)
    if serial is not None:
        found = _Found(serial=serial, product=uow.products.get(serial.product_id))
        if serial.batch_id is not None:
            found.batch = uow.batches.get(serial.batch_id)
        data = gs1.GS1Data(form="serial-number", serial=serial.serial_number)
        return _result(uow, data, found, "serial_number", today)
    lots = uow.batches.by_number(fold_number(body)) if body else []
    if not lots:
        return None
    found = _Found()
    if len(lots) == 1:
        found.batch = lots[0]
        found.product = uow.products.get(lots[0].product_id)
    else:
        candidates = tuple(lot_candidates(uow, lots))
        found.warn("lot_ambiguous", f"lot number {body!r} is used by {len(lots)} lots "
                                    f"({_named(candidates)}); scan the product's barcode too",
                   candidates)
    data = gs1.GS1Data(form="lot-number", lot=lots[0].batch_number)
    return _result(uow, data, found, "lot_number", today)


def _result(uow: UnitOfWork, data: gs1.GS1Data, found: _Found, source: str,
            today: dt.date) -> ScanResult:
    batch = None
    if found.batch is not None:
        batch = lot_views(uow, [found.batch], today)[0]
        _lot_warnings(data, batch, found)
    if found.serial is not None and found.serial.hold is not None:
        found.warn("serial_on_hold", f"serial {found.serial.serial_number!r} is on "
                                     f"{found.serial.hold.kind.value} hold: "
                                     f"{found.serial.hold.reason}")
    return ScanResult(
        gtin=data.gtin, lot=data.lot, serial=data.serial, expiry_date=data.expiry_date,
        best_before=data.best_before, production_date=data.production_date,
        quantity=data.quantity, count=data.count, sscc=data.sscc,
        content_gtin=data.content_gtin, product=found.product, batch=batch,
        serial_record=found.serial, warnings=found.warnings, source=source,
        form=data.form, symbology=data.symbology)


def _scan_text(data: Any) -> str:
    if not isinstance(data, str):
        raise ValidationError.single("data", "must be the scanned text", data)
    if len(data) > MAX_SCAN_LENGTH:
        raise ValidationError.single("data", f"is longer than {MAX_SCAN_LENGTH} characters")
    if not data.strip():
        raise ValidationError.single("data", "must not be empty", data)
    return data


def _gs1_wins(data: gs1.GS1Data, found: _Found) -> bool:
    if data.symbology is not None or data.form in ("hri", "digital-link"):
        return True
    if data.form == "plain-gtin":
        return found.product is not None
    return data.has_key or found.batch is not None or found.serial is not None


def _no_match(reading: gs1.GS1Parse) -> ValidationError:
    if reading.error in (None, gs1.UNRECOGNISED):
        return ValidationError([FieldError(
            "data", "unrecognised input: not a GS1 barcode, and no serial or lot number of "
                    "this organization", reading.body)])
    return ValidationError([FieldError("data", f"{reading.error}: {reading.detail}",
                                       reading.body)])


def _resolve_gs1(uow: UnitOfWork, data: gs1.GS1Data, products: Collection[str]) -> _Found:
    found = _Found()
    gtin = data.gtin or data.content_gtin
    if gtin is not None:
        found.product = uow.products.by_gtin(gtin)
        if found.product is None:
            found.warn("product_unknown", f"no product has GTIN {gtin}")
    if data.serial is not None:
        found.serial = _serial(uow, data.serial, found.product, found, products)
        if found.serial is None and not any(w.code == "serial_ambiguous"
                                            for w in found.warnings):
            found.warn("serial_unknown", f"serial {data.serial!r} is not registered")
        elif found.serial is not None and found.product is None:
            found.product = uow.products.get(found.serial.product_id)
    if data.lot is not None:
        found.batch = _lot(uow, data.lot, found)
    elif found.serial is not None and found.serial.batch_id is not None:
        found.batch = uow.batches.get(found.serial.batch_id)
    return found


def _serial(uow: UnitOfWork, number: str, product: Product | None, found: _Found,
            products: Collection[str]) -> Serial | None:
    if not number or len(number) > 100:
        return None
    matches = uow.serials.by_number(number, product.id if product else None)
    if len(matches) > 1:
        listed = [s for s in matches if s.product_id in products]
        if len(listed) == 1:
            return listed[0]
        candidates = serial_candidates(uow, matches)
        if product is None and found.product is None and not found.warnings:
            raise Ambiguous(f"serial number {number!r}", candidates)
        found.warn("serial_ambiguous", f"serial {number!r} is used by several products "
                                       f"({_named(candidates)})", tuple(candidates))
        return None
    return matches[0] if matches else None


def _named(candidates: Collection[dict[str, Any]]) -> str:
    return ", ".join(Ambiguous.name_of(c) for c in candidates)


def _lot(uow: UnitOfWork, number: str, found: _Found) -> LotRecord | None:
    lots = uow.batches.by_number(fold_number(number))
    if found.product is not None:
        lots = [lot for lot in lots if lot.product_id == found.product.id]
    if found.serial is not None and found.serial.batch_id is not None:
        mine = [lot for lot in lots if lot.id == found.serial.batch_id]
        lots = mine or lots
    if len(lots) == 1:
        if found.product is None:
            found.product = uow.products.get(lots[0].product_id)
        return lots[0]
    if not lots:
        whose = f" of product {found.product.sku!r}" if found.product else ""
        found.warn("lot_unknown", f"lot {number!r}{whose} is not known")
    else:
        candidates = tuple(lot_candidates(uow, lots))
        found.warn("lot_ambiguous", f"lot {number!r} matches {len(lots)} lots "
                                    f"({_named(candidates)})", candidates)
    return None


def _lot_warnings(data: gs1.GS1Data, batch: Batch, found: _Found) -> None:
    if data.expiry_date is not None and batch.expiry_date != data.expiry_date:
        found.warn("expiry_mismatch", f"the barcode says expiry {data.expiry_date}, lot "
                                      f"{batch.batch_number!r} has "
                                      f"{batch.expiry_date or 'no expiry date'}")
    if batch.is_expired:
        found.warn("lot_expired", f"lot {batch.batch_number!r} expired on {batch.expiry_date}")
    if batch.hold is not None:
        found.warn("lot_on_hold", f"lot {batch.batch_number!r} is on {batch.hold.kind.value} "
                                  f"hold: {batch.hold.reason}")
    if batch.status.value == "inactive":
        found.warn("lot_inactive", f"lot {batch.batch_number!r} is inactive")
