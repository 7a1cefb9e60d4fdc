"""What the scan box leads to. The scan itself is read by `svc.scan.parse`, the one resolver
every door uses (FNC1 substitutes such as `~` included, DESIGN §6)."""

from __future__ import annotations

from lotline.service_layer.scan import ScanResult


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
