"""FDA FSMA 204 key data elements: one row per critical tracking event (receiving, shipping,
transformation) and lot, for one lot or a date range (the "sortable spreadsheet")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from lotline.domain.statuses import MovementKind
from lotline.domain.values import normalize
from lotline.service_layer.unit_of_work import UnitOfWork

EVENTS = {MovementKind.RECEIPT.value: "receiving", MovementKind.SHIPMENT.value: "shipping",
          MovementKind.CONSUME.value: "transformation_input",
          MovementKind.PRODUCE.value: "transformation_output"}


def fsma204_rows(uow: UnitOfWork, batch_id: str | None, start: dt.date | None,
                 end: dt.date | None) -> list[dict[str, Any]]:
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    totals: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for row in uow.reports.fsma_events(list(EVENTS), batch_id, start, end):
        event = EVENTS[row.kind]
        day = row.occurred_at.date() if isinstance(row.occurred_at, dt.datetime) else \
            dt.datetime.fromisoformat(str(row.occurred_at)).date()
        document = _document(event, row)
        key = (event, day, row.batch_number, row.sku, document)
        totals[key] += row.quantity
        grouped.setdefault(key, {
            "event_type": event, "event_date": day, "traceability_lot_code": row.batch_number,
            "traceability_lot_code_source": _source(row), "product_sku": row.sku,
            "product_description": row.product, "unit_of_measure": row.uom,
            "ship_from": _ship_from(event, row),
            "ship_to": _ship_to(event, row), "location": row.location,
            "reference_document_type": document[0], "reference_document_number": document[1]})
    rows = [{**values, "quantity": normalize(totals[key])} for key, values in grouped.items()]
    # A total order (every field that can tell two events apart), the same on both databases.
    rows.sort(key=lambda r: (r["event_date"], r["traceability_lot_code"], r["event_type"],
                             r["reference_document_number"] or "", r["ship_to"] or "",
                             r["product_sku"]))
    return rows


def _source(row: Any) -> str:
    origin = row.supplier or "own production"
    return f"{origin} ({row.manufacturer_batch_number})" if row.manufacturer_batch_number \
        else origin


def _ship_from(event: str, row: Any) -> str | None:
    """Shipping and receiving events have a ship-from; a transformation happens in place
    (its `location` says where)."""
    if event == "receiving":
        return str(row.supplier) if row.supplier else None
    return str(row.warehouse) if event == "shipping" and row.warehouse else None


def _ship_to(event: str, row: Any) -> str | None:
    if event == "shipping":
        return ", ".join(part for part in (row.customer, row.city) if part) or None
    return str(row.warehouse) if event == "receiving" and row.warehouse else None


def _document(event: str, row: Any) -> tuple[str, str | None]:
    if event == "receiving":
        return ("receipt", row.receipt)
    if event == "shipping":
        return ("sales order", row.order)
    return ("transformation", row.transformation)  # both sides of a transformation
