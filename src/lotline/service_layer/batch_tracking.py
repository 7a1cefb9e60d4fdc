"""The commercio-style BatchTrackingService (seed 000), over the lotline services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lotline.domain.errors import InvalidTransition, NotFound
from lotline.domain.model import Batch, Movement, Product, Serial, Supplier
from lotline.domain.statuses import SerialStatus, allowed_targets
from lotline.service_layer.base import Service, need_product
from lotline.service_layer.batches import BatchService
from lotline.service_layer.registration import RegisteredSerials
from lotline.service_layer.serials import SerialService


@dataclass(frozen=True, slots=True)
class Traceability:
    serial: Serial
    batch: Batch | None
    product: Product
    supplier: Supplier | None
    order_id: str | None
    history: list[Movement]


class BatchTrackingService(Service):
    def __init__(self, batches: BatchService, serials: SerialService) -> None:
        super().__init__(serials.uows, serials.actor)
        self.batches = batches
        self.serials = serials

    def create_batch(self, **fields: Any) -> Batch:
        return self.batches.create(**fields)

    def get_batch(self, batch_id: str) -> Batch:
        return self.batches.get(batch_id)

    def update_batch(self, batch_id: str, **changes: Any) -> Batch:
        return self.batches.update(batch_id, **changes)

    def register_serial(self, batch_id: str | None = None, serial_number: str | None = None,
                        *, product_id: str | None = None, **options: Any) -> Serial:
        return self.serials.register(serial_number, batch_id=batch_id,  # type: ignore[arg-type]
                                     product_id=product_id, **options)

    def register_serials(self, batch_id: str, serial_numbers: Sequence[str],
                         **options: Any) -> RegisteredSerials:
        return self.serials.register_many(serial_numbers, batch_id=batch_id, **options)

    def assign_to_order(self, serial_id: str, order_id: str) -> Serial:
        return self.serials.change_status(serial_id, SerialStatus.ALLOCATED, order_id=order_id)

    reserve_serial = assign_to_order

    def reserve_for_customer(self, serial_id: str, customer_id: str) -> Serial:
        """IN_STOCK → ALLOCATED with no order: set aside for the customer (seed 001)."""
        return self.serials.change_status(serial_id, SerialStatus.ALLOCATED,
                                          customer_id=customer_id)

    def release_reservation(self, serial_id: str) -> Serial:
        serial = self.serials.get(serial_id)
        if serial.status is not SerialStatus.ALLOCATED:
            raise InvalidTransition(serial.serial_number, serial.status.value, "IN_STOCK",
                                    [s.value for s in allowed_targets(serial.status)],
                                    why="release_reservation applies to ALLOCATED units only")
        return self.serials.change_status(serial_id, SerialStatus.IN_STOCK)

    def mark_returned(self, serial_id: str) -> Serial:
        return self.serials.change_status(serial_id, SerialStatus.RETURNED)

    def mark_defective(self, serial_id: str) -> Serial:
        return self.serials.change_status(serial_id, SerialStatus.DEFECTIVE)

    def lookup_serial(self, serial_number: str) -> Serial | None:
        return self.serials.find(serial_number)

    def get_serials_by_batch(self, batch_id: str) -> list[Serial]:
        with self.reading(may_lag=True) as uow:
            if uow.batches.get(str(batch_id)) is None:
                raise NotFound("batch", batch_id, "batch_id")
            return uow.serials.by_batch(str(batch_id))

    def get_expired_batches(self, as_of: dt.date | None = None) -> list[Batch]:
        return self.batches.expired(as_of)

    def get_near_expiry_batches(self, days: int = 30,
                                as_of: dt.date | None = None) -> list[Batch]:
        return self.batches.near_expiry(days, as_of)

    def get_available_serials(self, product_id: str,
                              warehouse_id: str | None = None) -> list[Serial]:
        """IN_STOCK serials that could be allocated now (not held, lot not blocked)."""
        with self.reading() as uow:
            need_product(uow, product_id)
        available_lots: dict[str, bool] = {}
        result: list[Serial] = []
        cursor: str | None = None
        while True:
            page = self.serials.search(product_id=product_id, status=SerialStatus.IN_STOCK,
                                       warehouse_id=warehouse_id, limit=500, cursor=cursor)
            for serial in page.items:
                if serial.hold is None and self._lot_open(serial.batch_id, available_lots):
                    result.append(serial)
            if page.next_cursor is None:
                return result
            cursor = page.next_cursor

    def _lot_open(self, batch_id: str | None, cache: dict[str, bool]) -> bool:
        if batch_id is None:
            return True
        if batch_id not in cache:
            batch = self.batches.get(batch_id)
            cache[batch_id] = batch.hold is None and not batch.is_expired and \
                batch.status.value == "active"
        return cache[batch_id]

    def get_traceability(self, serial_number: str) -> Traceability:
        serial = self.serials.lookup(serial_number)
        batch = self.batches.get(serial.batch_id) if serial.batch_id else None
        with self.reading(may_lag=True) as uow:
            product = need_product(uow, serial.product_id)
            supplier = (uow.suppliers.get(batch.supplier_id)
                        if batch is not None and batch.supplier_id else None)
        return Traceability(serial=serial, batch=batch, product=product, supplier=supplier,
                            order_id=serial.order_id, history=self.serials.history(serial.id))
