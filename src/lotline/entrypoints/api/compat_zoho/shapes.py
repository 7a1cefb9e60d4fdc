"""lotline's Batch in seed 003's words: `batch_id`, `item_id`, `manufactured_date` and its
legacy twin, `in_quantity`, `balance_quantity_unit`... Seed 003 types its text fields as
strings, so an absent one is written `""`, never null."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lotline.domain.model import Batch


def _text(value: str | dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value


def seed_batch(batch: Batch, unit: str) -> dict[str, Any]:
    """Seed 003's list-batches-item, a superset of its batch-response."""
    made = _text(batch.manufacturing_date)
    shape: dict[str, Any] = {
        "batch_id": batch.id, "batch_in_id": _text(batch.entry_transaction_ref),
        "item_id": batch.product_id, "batch_number": batch.batch_number,
        "internal_batch_number": _text(batch.internal_batch_number),
        "external_batch_number": _text(batch.external_batch_number),
        "manufacturer_batch_number": _text(batch.manufacturer_batch_number),
        "manufactured_date": made, "manufacturer_date": made,
        "expiry_date": _text(batch.expiry_date),
        "in_quantity": _received(batch), "balance_quantity": batch.balance_quantity,
        "balance_quantity_unit": unit, "location_id": _text(batch.location_id),
        "associated_locations": [{"location_id": b.location_id, "in_quantity": b.in_quantity,
                                  "balance_quantity": b.balance_quantity}
                                 for b in batch.associated_locations],
        "batch_custom_fields": [{"custom_field_id": f.custom_field_id or "", "label": f.label,
                                 "value": f.value} for f in batch.custom_fields],
        "status": batch.status.value,
    }
    for rate in ("sales_rate", "label_rate"):
        if getattr(batch, rate) is not None:
            shape[rate] = getattr(batch, rate)
    return shape


def _received(batch: Batch) -> Decimal:
    """What came into the lot: the sum over its locations, or (a serial-tracked lot, whose
    units arrive one by one) its stated quantity when nothing is placed yet."""
    placed = sum((b.in_quantity for b in batch.associated_locations), Decimal(0))
    return placed if batch.associated_locations else batch.quantity


def id_list(batch_ids: str) -> list[str]:
    """`?batch_ids=a,b`: comma-separated, blanks dropped."""
    return [part.strip() for part in batch_ids.split(",") if part.strip()]
