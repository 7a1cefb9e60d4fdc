"""`svc.labels`: GS1 Digital Link URIs and printable PDF labels for lots and serials.

The URI is the canonical form under the organization's `digital_link_domain`
(`{domain}/01/{gtin}/10/{lot}/21/{serial}?17=YYMMDD`, DESIGN §8). A product without a GTIN,
or a lot or serial number a GS1 barcode cannot carry (more than 20 characters, characters
outside the GS1 82-character set), is a ValidationError naming it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lotline.domain import gs1
from lotline.domain.errors import NotFound, ValidationError
from lotline.domain.lots import LotRecord
from lotline.domain.model import Product, Serial
from lotline.files import labels_pdf
from lotline.service_layer.base import Service
from lotline.service_layer.unit_of_work import UnitOfWork

MAX_LABELS = 10_000
LAYOUTS = tuple(labels_pdf.LAYOUTS)


@dataclass(frozen=True, slots=True)
class LabelData:
    digital_link: str
    gtin: str
    sku: str
    product_name: str
    lot: str | None
    serial: str | None
    expiry_date: dt.date | None


def build_link(domain: str, product: Product, lot: LotRecord | None,
               serial: str | None) -> LabelData:
    if product.gtin is None:
        raise ValidationError.single("gtin", f"product {product.sku!r} has no GTIN; a GS1 "
                                             "Digital Link needs one", product.sku)
    number = lot.batch_number if lot else None
    expiry = lot.expiry_date if lot else None
    try:
        uri = gs1.digital_link(product.gtin, number, serial, expiry, domain=domain)
    except ValueError as error:
        raise ValidationError.single("serial" if serial else "batch_number", str(error),
                                     serial or number) from None
    return LabelData(uri, product.gtin, product.sku, product.name, number, serial, expiry)


class LabelService(Service):
    def digital_link(self, *, batch_id: str | None = None,
                     serial_id: str | None = None) -> str:
        """The Digital Link of a serial (with its lot) or of a lot."""
        if serial_id is not None:
            return self.for_serials([serial_id])[0].digital_link
        if batch_id is not None:
            return self.for_lots([batch_id])[0].digital_link
        raise ValidationError.single("batch_id", "name a lot or a serial")

    def for_lots(self, batch_ids: Sequence[str]) -> list[LabelData]:
        _check_count(batch_ids, "batch_ids")
        with self.reading() as uow:
            domain = uow.settings().digital_link_domain
            lots = [_lot(uow, batch_id) for batch_id in batch_ids]
            products = uow.products.get_many(list({lot.product_id for lot in lots}))
            return [build_link(domain, products[lot.product_id], lot, None) for lot in lots]

    def for_serials(self, serial_ids: Sequence[str] | None = None, *,
                    batch_id: str | None = None) -> list[LabelData]:
        with self.reading() as uow:
            domain = uow.settings().digital_link_domain
            serials = self._serials(uow, serial_ids, batch_id)
            _check_count(serials, "serial_ids")
            products = uow.products.get_many(list({s.product_id for s in serials}))
            lots = {lot_id: _lot(uow, lot_id) for lot_id in {s.batch_id for s in serials
                                                             if s.batch_id}}
            return [build_link(domain, products[s.product_id],
                               lots.get(s.batch_id) if s.batch_id else None, s.serial_number)
                    for s in serials]

    def pdf(self, labels: Sequence[LabelData], layout: str = "a4-3x8",
            copies: int = 1) -> bytes:
        if layout not in labels_pdf.LAYOUTS:
            raise ValidationError.single("layout", f"must be one of {', '.join(LAYOUTS)}",
                                         layout)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 100:
            raise ValidationError.single("copies", "must be 1 to 100", copies)
        texts = [label_text(label) for label in labels for _ in range(copies)]
        _check_count(texts, "labels")
        return labels_pdf.render(texts, layout)

    def lot_labels(self, batch_ids: Sequence[str], layout: str = "a4-3x8",
                   copies: int = 1) -> bytes:
        return self.pdf(self.for_lots(batch_ids), layout, copies)

    def serial_labels(self, serial_ids: Sequence[str] | None = None, *,
                      batch_id: str | None = None, layout: str = "a4-3x8") -> bytes:
        return self.pdf(self.for_serials(serial_ids, batch_id=batch_id), layout)

    def _serials(self, uow: UnitOfWork, serial_ids: Sequence[str] | None,
                 batch_id: str | None) -> list[Serial]:
        if batch_id is not None:
            _lot(uow, batch_id)
            return uow.serials.by_batch(batch_id)[:MAX_LABELS + 1]
        if not serial_ids:
            raise ValidationError.single("serial_ids", "name serials or a lot")
        found = uow.serials.get_many(list(serial_ids))
        missing = [i for i in serial_ids if i not in found]
        if missing:
            raise NotFound("serial", missing[0])
        return [found[i] for i in serial_ids]


def label_text(label: LabelData) -> labels_pdf.LabelText:
    lines = [f"SKU {label.sku}", f"GTIN {label.gtin}"]
    if label.lot is not None:
        lines.append(f"LOT {label.lot}")
    if label.serial is not None:
        lines.append(f"SN {label.serial}")
    if label.expiry_date is not None:
        lines.append(f"EXP {label.expiry_date.isoformat()}")
    return labels_pdf.LabelText(label.digital_link, label.product_name, tuple(lines))


def _lot(uow: UnitOfWork, batch_id: str) -> LotRecord:
    lot = uow.batches.get(str(batch_id))
    if lot is None:
        raise NotFound("batch", batch_id, "batch_id")
    return lot


def _check_count(items: Sequence[object], field: str) -> None:
    if not items:
        raise ValidationError.single(field, "must not be empty")
    if len(items) > MAX_LABELS:
        raise ValidationError.single(field, f"at most {MAX_LABELS} labels at a time",
                                     len(items))
