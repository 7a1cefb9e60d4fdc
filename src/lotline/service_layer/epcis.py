"""EPCIS 2.0 export: the ledger's receipts and registrations (ObjectEvent ADD with lot master
data), shipments (ObjectEvent OBSERVE) and transformations (TransformationEvent)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from lotline.domain import epcis
from lotline.domain.statuses import MovementKind
from lotline.domain.values import optional_date
from lotline.service_layer.base import Service
from lotline.service_layer.unit_of_work import UnitOfWork

KINDS = (MovementKind.RECEIPT, MovementKind.SHIPMENT, MovementKind.CONSUME,
         MovementKind.PRODUCE)
MAX_EVENTS = 10_000


class EpcisService(Service):
    def events(self, *, since: Any = None, until: Any = None, batch_id: str | None = None,
               limit: int = MAX_EVENTS) -> dict[str, Any]:
        """An EPCISDocument of the organization's events, oldest first."""
        start, end = optional_date(since, "since"), optional_date(until, "until")
        with self.reading() as uow:
            domain = uow.settings().digital_link_domain
            rows = uow.reports.epcis_movements([k.value for k in KINDS], start, end, batch_id,
                                               min(limit, MAX_EVENTS))
            numbers = _bulk_numbers(uow, [r.id for r in rows if r.serial_id is None])
            events = _events(rows, numbers, domain)
        return epcis.document(events, self.actor.now())


def _bulk_numbers(uow: UnitOfWork, movement_ids: list[str]) -> dict[str, list[str]]:
    return uow.serials.numbers_for_entry(movement_ids) if movement_ids else {}


def _what(row: Any, numbers: dict[str, list[str]], domain: str
          ) -> tuple[list[str], list[dict[str, Any]]]:
    """The units (serials) or the lot quantity a movement carried."""
    serials = [row.serial_number] if row.serial_number else numbers.get(row.id, [])
    if serials:
        return [epcis.unit_id(domain, row.gtin, row.sku, n) for n in sorted(serials)], []
    return [], [epcis.quantity_element(epcis.lot_class(domain, row.gtin, row.sku,
                                                       row.batch_number),
                                       row.quantity, row.uom)]


def _place(row: Any, domain: str) -> str | None:
    if row.location is None:
        return None
    return epcis.location_id(domain, row.warehouse or "", row.location)


def _events(rows: list[Any], numbers: dict[str, list[str]], domain: str
            ) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    transformations: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        if row.transformation_id and row.kind in (MovementKind.CONSUME.value,
                                                  MovementKind.PRODUCE.value):
            if row.transformation_id not in transformations:
                events.append({"_transformation": row.transformation_id})
            transformations[row.transformation_id].append(row)
            continue
        epcs, quantities = _what(row, numbers, domain)
        if row.kind == MovementKind.SHIPMENT.value:
            events.append(epcis.object_event(
                moment=row.occurred_at, action="OBSERVE", biz_step="shipping",
                disposition="in_transit", epcs=epcs, quantities=quantities,
                read_point=_place(row, domain)))
        elif row.kind == MovementKind.RECEIPT.value:
            received = row.receipt_id is not None
            events.append(epcis.object_event(
                moment=row.occurred_at, action="ADD",
                biz_step="receiving" if received else "commissioning",
                disposition="in_progress" if received else "active", epcs=epcs,
                quantities=quantities, read_point=_place(row, domain),
                lot_data=epcis.ilmd(row.batch_number, row.expiry_date)))
    result: list[dict[str, Any]] = []
    for event in events:
        if "_transformation" in event:
            result.extend(_transformation(transformations[event["_transformation"]], numbers,
                                          domain))
        else:
            result.append(event)
    return result


def _transformation(rows: list[Any], numbers: dict[str, list[str]],
                    domain: str) -> list[dict[str, Any]]:
    """One TransformationEvent per output lot, all with the transformation's ID (EPCIS links
    events that share it): `ilmd` describes every output of its event, so outputs of two lots
    (say, bottles and gift boxes from one blend) each get an event with their own lot data.
    The inputs go on the first."""
    inputs: tuple[list[str], list[dict[str, Any]]] = ([], [])
    outputs: dict[tuple[str, str | None], tuple[list[str], list[dict[str, Any]]]] = {}
    lot_data: dict[tuple[str, str | None], dict[str, str]] = {}
    for row in rows:
        epcs, quantities = _what(row, numbers, domain)
        if row.kind == MovementKind.CONSUME.value:
            side = inputs
        else:
            key = (row.sku, row.batch_number)
            side = outputs.setdefault(key, ([], []))
            lot_data.setdefault(key, epcis.ilmd(row.batch_number, row.expiry_date))
        side[0].extend(epcs)
        side[1].extend(quantities)
    first = rows[0]
    made = list(outputs.items()) or [((first.sku, None), ([], []))]
    return [epcis.transformation_event(
        moment=first.occurred_at,
        transformation_id=epcis.transformation_uri(domain, first.transformation_id),
        inputs=inputs if index == 0 else ([], []), outputs=side,
        read_point=_place(first, domain), lot_data=lot_data.get(key, {}))
        for index, (key, side) in enumerate(made)]
