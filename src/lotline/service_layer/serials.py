"""Serials: registration, lookup, search, counts, history and status changes."""

from __future__ import annotations

from typing import Any

from lotline.domain.errors import Ambiguous, NotFound
from lotline.domain.model import Movement, Page, Serial
from lotline.domain.statuses import Role, SerialStatus, parse_enum
from lotline.domain.values import ErrorCollector, clean_number, clean_text, search_text
from lotline.service_layer.base import Service
from lotline.service_layer.candidates import serial_candidates
from lotline.service_layer.context import Actor
from lotline.service_layer.event_data import serial_data
from lotline.service_layer.order_sync import sync_allocation
from lotline.service_layer.registration import RegisteredSerials, SerialRegistration
from lotline.service_layer.serial_rules import Change, decide_and_apply
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory, retry_transient


def need_serial(uow: UnitOfWork, serial_id: str, field: str = "serial_id") -> Serial:
    serial = uow.serials.get(str(serial_id), for_update=True)
    if serial is None:
        raise NotFound("serial", serial_id, field)
    return serial


class SerialService(Service):
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor, *,
                 registration: SerialRegistration) -> None:
        super().__init__(uows, actor)
        self.registration = registration

    def register(self, serial_number: str, *, batch_id: str | None = None,
                 product_id: str | None = None, **options: Any) -> Serial:
        created = self.registration.register([serial_number], batch_id=batch_id,
                                        product_id=product_id, **options)
        return self.get(created[0].id)

    def register_many(self, serial_numbers: Any, *, batch_id: str | None = None,
                      product_id: str | None = None, **options: Any) -> RegisteredSerials:
        return self.registration.register(serial_numbers, batch_id=batch_id, product_id=product_id,
                                     **options)

    def get(self, serial_id: str) -> Serial:
        with self.reading() as uow:
            serial = uow.serials.get(str(serial_id))
        if serial is None:
            raise NotFound("serial", serial_id)
        return serial

    def find(self, serial_number: str, product_id: str | None = None) -> Serial | None:
        """The serial with exactly this number, None if there is none; Ambiguous when the
        number is used by several products (product uniqueness scope) and none is named."""
        number = clean_number(serial_number, "serial_number")
        # A hot path (every scan): one statement, its own snapshot, so no transaction.
        matches = self.uows.read_serials(
            self.actor, lambda reads: reads.by_number(number, product_id))
        if len(matches) > 1:
            with self.reading() as uow:
                raise Ambiguous(f"serial number {number!r}", serial_candidates(uow, matches))
        return matches[0] if matches else None

    def lookup(self, serial_number: str, product_id: str | None = None) -> Serial:
        serial = self.find(serial_number, product_id)
        if serial is None:
            raise NotFound("serial", serial_number.strip(), "serial_number")
        return serial

    def search(self, q: str | None = None, product_id: str | None = None,
               status: Any = None, batch_id: str | None = None,
               location_id: str | None = None, limit: int = 50,
               cursor: str | None = None, *, order_id: str | None = None,
               warehouse_id: str | None = None) -> Page[Serial]:
        wanted = None if status is None else parse_enum(SerialStatus, status, "status")
        with self.reading(may_lag=True) as uow:
            return uow.serials.search(
                q=search_text(q), product_id=product_id, status=wanted,
                batch_id=batch_id, location_id=location_id, order_id=order_id,
                warehouse_id=warehouse_id, limit=limit, cursor=cursor)

    def reserved_customers(self, serials: Any) -> dict[str, str]:
        """{customer id: name} of the customers these units are reserved for (seed 001's
        "reserved for <customer>"), read once for a page of units."""
        wanted = sorted({serial.reserved_for for serial in serials if serial.reserved_for})
        if not wanted:
            return {}
        with self.reading() as uow:
            found = (uow.customers.get(customer_id) for customer_id in wanted)
            return {customer.id: customer.name for customer in found if customer is not None}

    def counts(self, product_id: str | None = None) -> dict[str, int]:
        with self.reading(may_lag=True) as uow:
            return uow.serials.counts(product_id)

    def history(self, serial_id: str) -> list[Movement]:
        """Every movement of the unit, oldest first (its bulk registration included)."""
        with self.reading(may_lag=True) as uow:
            serial = uow.serials.get(str(serial_id))
            if serial is None:
                raise NotFound("serial", serial_id)
            entry = uow.serials.entry_movement_id(serial.id)
            return uow.movements.history_of_serial(serial.id, entry)

    @retry_transient
    def change_status(self, serial_id: str, status: Any, *, order_id: str | None = None,
                      location_id: str | None = None, reason: str | None = None,
                      parent_serial_id: str | None = None,
                      customer_id: str | None = None) -> Serial:
        """customer_id alone with ALLOCATED reserves the unit for that customer (seed 001);
        ALLOCATED with an order_id takes a reserved unit for its customer's order."""
        self.actor.require(Role.MANAGER, "changing a serial's status")
        errors = ErrorCollector()
        target = errors.take(parse_enum, SerialStatus, status, "status")
        note = errors.take(clean_text, reason, "reason", max_length=2000)
        errors.raise_if_any()
        assert target is not None
        change = Change(target=target, order_id=order_id, location_id=location_id,
                        reason=note, parent_serial_id=parent_serial_id,
                        customer_id=None if customer_id is None else str(customer_id))
        with self.writing() as uow:
            if order_id is not None:  # the order before the serial, as the order flows lock
                uow.orders.get(str(order_id), for_update=True)
            serial = need_serial(uow, serial_id)
            decision = decide_and_apply(uow, serial, change, self.today(uow))
            sync_allocation(uow, serial, decision)
            uow.events.add("serial.status_changed", serial_data(
                uow, decision.unit, previous_status=serial.status, reason=note))
            return decision.unit
