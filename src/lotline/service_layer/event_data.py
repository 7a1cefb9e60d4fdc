"""What each change-feed event carries (DESIGN §9): ids with the numbers a partner knows them
by — product SKU and GTIN, lot number, order and receipt references, customer, locations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.domain.events import EVENT_SERIALS_LIMIT
from lotline.domain.flows import LineAllocation, OrderView, Receipt
from lotline.domain.lots import LotRecord
from lotline.domain.model import Batch, Customer, Location, Product, Serial
from lotline.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Known:
    """What the use case holds already, as it read it in this unit of work: the event names
    these without reading them again."""

    customer: Customer | None = None
    products: Mapping[str, Product] = field(default_factory=dict)
    lots: Mapping[str, LotRecord] = field(default_factory=dict)


def product_ref(uow: UnitOfWork, product_id: str) -> dict[str, Any]:
    return _product_ref(product_id, uow.products.get(product_id))


def _product_ref(product_id: str, product: Product | None) -> dict[str, Any]:
    return {"id": product_id, "sku": product.sku if product else None,
            "gtin": product.gtin if product else None}


def lot_numbers(uow: UnitOfWork, batch_ids: Iterable[str | None],
                known: Mapping[str, LotRecord] | None = None) -> dict[str, str]:
    wanted = sorted({batch_id for batch_id in batch_ids if batch_id})
    held = known or {}
    numbers = {batch_id: held[batch_id].batch_number for batch_id in wanted if batch_id in held}
    missing = [batch_id for batch_id in wanted if batch_id not in held]
    if missing:
        numbers.update((batch_id, lot.batch_number)
                       for batch_id, lot in uow.batches.get_many(missing).items())
    return numbers


def customer_ref(uow: UnitOfWork, customer_id: str,
                 known: Customer | None = None) -> dict[str, Any]:
    customer = known if known is not None and known.id == customer_id else (
        uow.customers.get(customer_id))
    return {"id": customer_id, "name": customer.name if customer else None,
            "code": customer.code if customer else None}


def _products(uow: UnitOfWork, product_ids: Iterable[str],
              known: Mapping[str, Product]) -> dict[str, Product]:
    """The products by id: the known ones, the rest in one read."""
    found = {pid: known[pid] for pid in product_ids if pid in known}
    missing = sorted({pid for pid in product_ids if pid not in known})
    if missing:
        found.update(uow.products.get_many(missing))
    return found


def order_data(uow: UnitOfWork, view: OrderView, known: Known | None = None,
               **extra: Any) -> dict[str, Any]:
    known = known or Known()
    numbers = lot_numbers(uow, (a.batch_id for line in view.lines for a in line.allocations),
                          known.lots)
    products = _products(uow, [line.product_id for line in view.lines], known.products)
    return {"order_id": view.id, "reference": view.reference, "status": view.status,
            "customer": customer_ref(uow, view.customer_id, known.customer),
            "lines": [{"line_id": line.id, "line_no": line.line_no,
                       "product": _product_ref(line.product_id,
                                               products.get(line.product_id)),
                       "quantity": line.quantity, "allocated": line.allocated_quantity,
                       "picked": line.picked_quantity, "shipped": line.shipped_quantity,
                       "returned": line.returned_quantity,
                       "allocations": [_allocation(a, numbers) for a in line.allocations]}
                      for line in view.lines], **extra}


def _product(product_id: str, found: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    sku, gtin = found.get(product_id, (None, None))
    return {"id": product_id, "sku": sku, "gtin": gtin}


def _allocation(allocation: LineAllocation, numbers: dict[str, str]) -> dict[str, Any]:
    return {"batch_id": allocation.batch_id,
            "lot_number": numbers.get(allocation.batch_id or ""),
            "quantity": allocation.quantity,
            "serial_numbers": allocation.serial_numbers[:EVENT_SERIALS_LIMIT]}


def receipt_data(uow: UnitOfWork, receipt: Receipt, **extra: Any) -> dict[str, Any]:
    return {"receipt_id": receipt.id, "reference": receipt.reference, "status": receipt.status,
            "supplier_id": receipt.supplier_id, "warehouse_id": receipt.warehouse_id,
            "lines": [{"line_id": line.id, "line_no": line.line_no,
                       "product": product_ref(uow, line.product_id),
                       "expected_quantity": line.expected_quantity,
                       "received_quantity": line.received_quantity}
                      for line in receipt.lines], **extra}


def batch_data(uow: UnitOfWork, batch: Batch, **extra: Any) -> dict[str, Any]:
    return {"batch_id": batch.id, "lot_number": batch.batch_number,
            "product": product_ref(uow, batch.product_id), "supplier_id": batch.supplier_id,
            "expiry_date": batch.expiry_date, "manufacturing_date": batch.manufacturing_date,
            "quantity": batch.quantity, "balance_quantity": batch.balance_quantity,
            "status": batch.status,
            "hold": None if batch.hold is None else {"kind": batch.hold.kind,
                                                     "reason": batch.hold.reason},
            "location_id": batch.location_id, **extra}


def serial_data(uow: UnitOfWork, serial: Serial, **extra: Any) -> dict[str, Any]:
    numbers = lot_numbers(uow, [serial.batch_id])
    return {"serial_id": serial.id, "serial_number": serial.serial_number,
            "product": product_ref(uow, serial.product_id), "batch_id": serial.batch_id,
            "lot_number": numbers.get(serial.batch_id or ""), "status": serial.status,
            "order_id": serial.order_id, "location_id": serial.location_id,
            "warehouse_id": serial.warehouse_id, **extra}


def registration_data(uow: UnitOfWork, serials: Sequence[Serial]) -> dict[str, Any]:
    """One event per bulk call: its serial numbers up to EVENT_SERIALS_LIMIT, past that the
    count and where to page them (`serials_url`)."""
    first = serials[0]
    numbers = lot_numbers(uow, [first.batch_id])
    listed = len(serials) <= EVENT_SERIALS_LIMIT
    query = f"batch_id={first.batch_id}" if first.batch_id else f"product_id={first.product_id}"
    return {"product": product_ref(uow, first.product_id), "batch_id": first.batch_id,
            "lot_number": numbers.get(first.batch_id or ""), "count": len(serials),
            "serial_numbers": [s.serial_number for s in serials] if listed else None,
            "serials_url": None if listed else f"/api/v1/serials?{query}",
            "location_id": first.location_id, "status": first.status}


def received_lots(plan: Iterable[tuple[Any, list[Any], str | None]]) -> list[dict[str, Any]]:
    """What one receive call brought in, per receipt line and lot entry."""
    return [{"line_id": line.id, "lot_number": entry.batch_number,
             "expiry_date": entry.expiry_date, "quantity": entry.quantity,
             "serial_numbers": entry.serial_numbers[:EVENT_SERIALS_LIMIT],
             "reason": reason}
            for line, entries, reason in plan for entry in entries]


def location_ref(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"id": location.id, "code": location.code, "warehouse_id": location.warehouse_id}


def move_data(uow: UnitOfWork, source: Location | None, target: Location | None, *,
              quantity: Decimal | int, reason: str | None,
              lots: Sequence[tuple[LotRecord, Decimal]] = (),
              serial_numbers: Sequence[str] = ()) -> dict[str, Any]:
    """A transfer (from → to) or an adjustment (at `target`, `quantity` signed)."""
    serial = uow.serials.by_number(serial_numbers[0]) if serial_numbers else []
    product_id = lots[0][0].product_id if lots else (serial[0].product_id if serial else None)
    return {"from_location": location_ref(source), "to_location": location_ref(target),
            "product": product_ref(uow, product_id) if product_id else None,
            "quantity": quantity, "reason": reason,
            "lots": [{"batch_id": lot.id, "lot_number": lot.batch_number, "quantity": moved}
                     for lot, moved in lots],
            "serial_numbers": list(serial_numbers[:EVENT_SERIALS_LIMIT])}


def count_data(uow: UnitOfWork, location: Location, counted: Any) -> dict[str, Any]:
    numbers = lot_numbers(uow, (lot.batch_id for lot in counted.lots))
    return {"location": location_ref(location),
            "lots": [{"batch_id": lot.batch_id, "lot_number": numbers.get(lot.batch_id),
                      "expected": lot.expected, "counted": lot.counted,
                      "adjusted_by": lot.adjusted_by} for lot in counted.lots],
            "missing_serials": counted.missing_serials[:EVENT_SERIALS_LIMIT],
            "moved_here_serials": counted.moved_here_serials[:EVENT_SERIALS_LIMIT],
            "unknown_serials": counted.unknown_serials[:EVENT_SERIALS_LIMIT]}


def recall_data(uow: UnitOfWork, view: Any, batch_ids: Sequence[str] = (),
                **extra: Any) -> dict[str, Any]:
    """A recall as a partner acts on it; `lots` (id, number, product) when it is opened."""
    # By lot number: get_many's dict follows the database's row order, which PostgreSQL does
    # not keep, and partners (and the recall's EPCIS event) should see one order.
    found = uow.batches.get_many(sorted(batch_ids)) if batch_ids else {}
    lots = sorted(found.values(), key=lambda lot: (lot.batch_number, lot.id))
    return {"recall_id": view.id, "reference": view.reference, "reason": view.reason,
            "status": view.status, "held": view.held, "criteria": view.criteria,
            "shipped_quantity": view.shipped_quantity,
            "recovered_quantity": view.recovered_quantity, "effectiveness": view.effectiveness,
            "lots": [{"batch_id": lot.id, "lot_number": lot.batch_number,
                      "product": product_ref(uow, lot.product_id)} for lot in lots],
            **extra}
