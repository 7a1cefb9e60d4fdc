"""What a scan box sends: a keyboard-wedge scanner types GS1 barcodes with FNC1 as the GS
character (0x1D) — or, when it cannot type that, as a substitute character it is configured
to send. The substitutes read here (`~`, `|`, `^`) are outside the GS1 character set 82, so
they never appear inside GS1 data; a scan holding one is read first with it as GS, and as
typed when that is not a GS1 barcode (serial numbers are free text)."""

from __future__ import annotations

from lotline.bootstrap import Services
from lotline.domain.errors import LotlineError
from lotline.domain.gs1 import GS
from lotline.service_layer.scan import ScanResult

FNC1_SUBSTITUTES = ("~", "|", "^")


def fnc1_variants(data: str) -> list[str]:
    """The scan with each substitute read as GS (most likely first), then as typed."""
    body = data.strip()
    looks_gs1 = body[:1].isdigit() or body.startswith("]")
    variants = [data.replace(sub, GS) for sub in FNC1_SUBSTITUTES if looks_gs1 and sub in data]
    return [*variants, data]


def parse_scan(svc: Services, data: str) -> ScanResult:
    """`svc.scan.parse`, trying FNC1 substitutes first; the as-typed reading's error wins."""
    *substituted, typed = fnc1_variants(data)
    for variant in substituted:
        try:
            result = svc.scan.parse(variant)
        except LotlineError:
            continue
        if result.source == "gs1":
            return result
    return svc.scan.parse(typed)


def scan_target(result: ScanResult) -> str | None:
    """The page a scan leads to: the unit, else the lot, else the product's stock."""
    if result.serial_record is not None:
        return f"/serials/{result.serial_record.id}"
    if result.batch is not None:
        return f"/lots/{result.batch.id}"
    if result.product is not None:
        if result.product.tracking.uses_serials:
            return f"/serials?product_id={result.product.id}"
        return f"/lots?product_id={result.product.id}"
    return None


def scanned_serial(result: ScanResult) -> str | None:
    """The serial number a scan carries (GS1 AI 21, or a plain serial number)."""
    if result.serial_record is not None:
        return result.serial_record.serial_number
    return result.serial
