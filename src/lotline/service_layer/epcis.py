"""EPCIS 2.0 export (DESIGN §9): the ledger's receipts and registrations (ObjectEvent ADD with
lot master data), shipments, returns and scrapping (ObjectEvent), transformations
(TransformationEvent), and the holds and recalls of the change feed; each with its places
(SGLN), parties, business transactions and eventID, in the organization's time zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import attrgetter, itemgetter
from typing import Any

from lotline.domain import epcis
from lotline.domain.epcis import Where
from lotline.domain.statuses import MovementKind
from lotline.domain.values import optional_date
from lotline.service_layer.base import Service
from lotline.service_layer.epcis_notices import NOTICE_TYPES, notice_events
from lotline.service_layer.epcis_parts import Naming as Naming  # its home, for importers
from lotline.service_layer.epcis_parts import _customer, _order, _party, _place, _site, _what
from lotline.service_layer.epcis_shipments import Shipments, _shipping_event
from lotline.service_layer.unit_of_work import UnitOfWork

K = MovementKind
# The kinds as the rows hold them (an enum's `.value` costs a call, 100,000 rows a drill).
CONSUME = K.CONSUME.value
PRODUCE = K.PRODUCE.value
RECEIPT = K.RECEIPT.value
RETURN = K.RETURN.value
SCRAP = K.SCRAP.value
SHIPMENT = K.SHIPMENT.value
KINDS = (K.RECEIPT, K.SHIPMENT, K.RETURN, K.SCRAP, K.CONSUME, K.PRODUCE)
MOVEMENT_KINDS = [k.value for k in KINDS]
RECORDED_AT = attrgetter("recorded_at")
MAX_EVENTS = 10_000
MAX_NOTICES = 1_000_000  # holds and recalls of a drill's lots: all of them


class EpcisService(Service):
    def events(self, *, since: Any = None, until: Any = None, batch_id: str | None = None,
               limit: int = MAX_EVENTS, recorded: bool = False) -> dict[str, Any]:
        """An EPCISDocument of the organization's events, oldest first; `recorded`: each
        with its recordTime, when the ledger recorded it (as the EPCIS query answers)."""
        start, end = optional_date(since, "since"), optional_date(until, "until")
        with self.reading(may_lag=True) as uow:
            return lots_document(uow, batch_id, start, end, min(limit, MAX_EVENTS), recorded)


def lots_document(uow: UnitOfWork, batch_id: str | Sequence[str] | None,
                  start: dt.date | None = None, end: dt.date | None = None,
                  cap: int | None = None, recorded: bool = False,
                  movements: list[Any] | None = None) -> dict[str, Any]:
    """The EPCISDocument of one lot, several (a recall drill's whole forward trace: every
    event, `cap` None) or all, oldest first; `recorded`: with recordTimes. `movements`:
    the rows `epcis_movements` would read, already read (a recall drill's)."""
    naming = _naming(uow)
    rows = movements if movements is not None else \
        uow.reports.epcis_movements(MOVEMENT_KINDS, start, end, batch_id, cap)
    numbers = _bulk_numbers(uow, [r.id for r in rows if r.serial_id is None])
    timed = [(row.occurred_at, 0, event, stored) for row, event, stored in
             _movement_events(rows, numbers, naming)]
    notices = uow.reports.epcis_notices(NOTICE_TYPES, start, end, cap or MAX_NOTICES)
    # A notice is a change-feed event, recorded when it happened.
    timed += [(moment, 1, event, moment) for moment, event in
              notice_events(uow, notices, naming, batch_id)]
    timed.sort(key=itemgetter(0, 1))
    return epcis.document([epcis.with_record_time(event, stored) if recorded else event
                           for _, _, event, stored in timed[:cap]], uow.actor.now())


def _naming(uow: UnitOfWork) -> Naming:
    organization = uow.organizations.get(uow.actor.org_id)
    slug = organization.slug if organization else uow.actor.org_id
    settings = uow.settings()
    return Naming(settings.digital_link_domain, slug, settings.timezone)


def _bulk_numbers(uow: UnitOfWork, movement_ids: list[str]) -> dict[str, list[str]]:
    return uow.serials.numbers_for_entry(movement_ids) if movement_ids else {}


def _movement_event(row: Any, numbers: dict[str, list[str]], naming: Naming
                    ) -> dict[str, Any] | None:
    epcs, quantities = _what(row, numbers, naming)
    place = _place(row, naming)
    common = {"moment": row.occurred_at, "epcs": epcs, "quantities": quantities,
              "timezone": naming.timezone}
    if row.kind == SHIPMENT:  # a shipment without an order (shipments have one)
        return _shipping_event([row], naming, numbers)
    if row.kind == RETURN:
        return epcis.object_event(
            action="OBSERVE", biz_step="receiving", disposition="returned",
            where=Where(read_point=place, biz_location=place, sources=_customer(row, naming),
                        destinations=_site(row, naming), transactions=_order(row, naming)),
            **common)
    if row.kind == SCRAP:
        return epcis.object_event(action="DELETE", biz_step="destroying",
                                  disposition="destroyed", where=Where(read_point=place),
                                  **common)
    if row.kind == RECEIPT:
        return _receipt_event(row, naming, place, common)
    return None


def _receipt_event(row: Any, naming: Naming, place: str | None,
                   common: dict[str, Any]) -> dict[str, Any]:
    """A receipt from a supplier, or units and lots registered here (commissioning)."""
    lot_data = epcis.ilmd(row.batch_number, row.expiry_date)
    if row.receipt_id is None:
        return epcis.object_event(action="ADD", biz_step="commissioning",
                                  disposition="active", lot_data=lot_data,
                                  where=Where(read_point=place, biz_location=place), **common)
    transactions = [(epcis.ASN, epcis.transaction_id(naming.organization, "receipt",
                                                     row.receipt_reference))] \
        if row.receipt_reference else []
    supplier = _party("supplier", row.supplier_id, row.supplier_code, row.supplier_gln,
                      naming)
    return epcis.object_event(
        action="ADD", biz_step="receiving", disposition="in_progress", lot_data=lot_data,
        where=Where(read_point=place, biz_location=place, sources=supplier,
                    destinations=_site(row, naming), transactions=transactions), **common)


def _movement_events(rows: list[Any], numbers: dict[str, list[str]], naming: Naming
                     ) -> list[tuple[Any, dict[str, Any], Any]]:
    """(row, event, when it was recorded) in row order; a transformation's movements become
    its events at the place of its first movement, and a shipment's (an order's units and
    lots shipped at one moment from one warehouse) one shipping event, at its first
    movement's place in the order."""
    events: list[tuple[Any, dict[str, Any] | tuple[Any, ...]]] = []
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        # A shipment's (a drill's 100,000 units) without _group_of's call: never a
        # transformation's.
        key = ("shipment", row.order_id, row.occurred_at, row.warehouse) \
            if row.kind == SHIPMENT and row.order_id is not None else _group_of(row)
        if key is not None:
            members = groups.get(key)
            if members is None:
                events.append((row, key))
                groups[key] = [row]
            else:
                members.append(row)
            continue
        made = _movement_event(row, numbers, naming)
        if made is not None:
            events.append((row, made))
    result: list[tuple[Any, dict[str, Any], Any]] = []
    shipments = Shipments(naming, numbers)
    for row, event in events:
        if isinstance(event, dict):
            result.append((row, event, row.recorded_at))
            continue
        # Recorded when its last movement was (one transaction records them all).
        stored = max(map(RECORDED_AT, groups[event]))
        if event[0] == "shipment":
            result.append((row, shipments.event(groups[event]), stored))
        else:
            result.extend((row, output, stored) for output in
                          _transformation(groups[event], numbers, naming))
    return result


def _group_of(row: Any) -> tuple[Any, ...] | None:
    """The event a movement is part of, when several movements make one event."""
    if row.transformation_id and row.kind in (CONSUME, PRODUCE):
        return ("transformation", row.transformation_id)
    if row.kind == SHIPMENT and row.order_id is not None:
        return ("shipment", row.order_id, row.occurred_at, row.warehouse)
    return None


def _transformation(rows: list[Any], numbers: dict[str, list[str]],
                    naming: Naming) -> list[dict[str, Any]]:
    """One TransformationEvent per output lot, all with the transformation's ID (EPCIS links
    events that share it): `ilmd` describes every output of its event, so outputs of two lots
    (say, bottles and gift boxes from one blend) each get an event with their own lot data.
    The inputs go on the first."""
    inputs: tuple[list[str], list[dict[str, Any]]] = ([], [])
    outputs: dict[tuple[str, str | None], tuple[list[str], list[dict[str, Any]]]] = {}
    lot_data: dict[tuple[str, str | None], dict[str, str]] = {}
    for row in rows:
        epcs, quantities = _what(row, numbers, naming)
        if row.kind == CONSUME:
            side = inputs
        else:
            key = (row.sku, row.batch_number)
            side = outputs.setdefault(key, ([], []))
            lot_data.setdefault(key, epcis.ilmd(row.batch_number, row.expiry_date))
        side[0].extend(epcs)
        side[1].extend(quantities)
    first = rows[0]
    made = list(outputs.items()) or [((first.sku, None), ([], []))]
    place = _place(first, naming)
    return [epcis.transformation_event(
        moment=first.occurred_at,
        transformation_id=epcis.transformation_uri(naming.organization,
                                                   first.transformation_id),
        inputs=inputs if index == 0 else ([], []), outputs=side,
        where=Where(read_point=place, biz_location=place), lot_data=lot_data.get(key, {}),
        timezone=naming.timezone)
        for index, (key, side) in enumerate(made)]
