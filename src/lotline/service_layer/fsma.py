"""FDA FSMA 204 key data elements (DESIGN §8): one row per critical tracking event (receiving,
returns as receiving, shipping, transformation) and traceability lot, for one lot, a period or
the whole organization (the "sortable spreadsheet").

The traceability lot code (TLC) is assigned where a food is packed or transformed and passed on
unchanged: a lot received from a supplier keeps the supplier's code (its manufacturer lot
number, else the lot number as received) with the supplier as TLC source; lotline's own lot
number is the TLC only of lots it makes or packs itself, with the warehouse where that happened
as source. Every place is a full location description (domain.reports.DESCRIPTION)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from lotline.domain.reports import DESCRIPTION
from lotline.domain.statuses import MovementKind
from lotline.domain.values import normalize
from lotline.service_layer.unit_of_work import UnitOfWork

K = MovementKind
# The kinds as the rows hold them (an enum's `.value` costs a call, 100,000 rows a drill).
CONSUME = K.CONSUME.value
PRODUCE = K.PRODUCE.value
RECEIPT = K.RECEIPT.value
RETURN = K.RETURN.value
SHIPMENT = K.SHIPMENT.value
EVENTS = {RECEIPT: "receiving", RETURN: "receiving", SHIPMENT: "shipping",
          CONSUME: "transformation_input", PRODUCE: "transformation_output"}
Description = dict[str, str | None]
NOWHERE: Description = dict.fromkeys(DESCRIPTION)


class Places:
    """Location descriptions of suppliers, customers and warehouses, each read once (those
    `rows` name, in one read per kind)."""

    def __init__(self, uow: UnitOfWork, rows: Sequence[Any] = ()) -> None:
        self.uow = uow
        self.known: dict[tuple[str, str], Description] = {}
        self.prefixed: dict[tuple[str, int], dict[str, str | None]] = {}
        for kind, repository, ids in (
                ("supplier", uow.suppliers, {r.lot_supplier_id for r in rows}),
                ("customer", uow.customers, {r.customer_id for r in rows}),
                ("warehouse", uow.warehouses, {r.warehouse_id for r in rows})):
            found: dict[str, Any] = repository.get_many(sorted(i for i in ids if i))
            self.known.update({(kind, ident): _describe(place)
                               for ident, place in found.items()})

    def of(self, kind: str, ident: str | None) -> Description:
        if ident is None:
            return NOWHERE
        if (kind, ident) not in self.known:
            place: Any = (self.uow.suppliers.get(ident) if kind == "supplier" else
                          self.uow.customers.get(ident) if kind == "customer" else
                          self.uow.warehouses.get(ident))
            self.known[kind, ident] = _describe(place)
        return self.known[kind, ident]

    def columns(self, place: str, description: Description) -> dict[str, str | None]:
        """`description` as the columns of `place` (`ship_to_name`...), built once each."""
        key = (place, id(description))
        if key not in self.prefixed:
            self.prefixed[key] = {f"{place}_{part}": description[part] for part in DESCRIPTION}
        return self.prefixed[key]


def _describe(place: Any) -> Description:
    if place is None:
        return NOWHERE
    address = place.address
    return {"name": place.name, "phone": place.phone, "street": address.street,
            "city": address.city, "region": address.region,
            "postal_code": address.postal_code, "country": address.country}


def local_window(start: dt.date | None, end: dt.date | None, timezone: str
                 ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Whole days of the organization's time zone, `start` and `end` included."""
    zone = ZoneInfo(timezone)
    first = None if start is None else dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    after = None if end is None else dt.datetime.combine(end + dt.timedelta(days=1),
                                                         dt.time(0), tzinfo=zone)
    return first, after


def fsma204_rows(uow: UnitOfWork, batch_id: str | Sequence[str] | None,
                 start: dt.date | None, end: dt.date | None) -> list[dict[str, Any]]:
    """The rows of one lot, several (a recall drill's forward trace) or the organization."""
    timezone = uow.settings().timezone
    rows = uow.reports.fsma_events(list(EVENTS), batch_id, *local_window(start, end, timezone))
    return fsma204_from(uow, rows, timezone)


def fsma204_from(uow: UnitOfWork, rows: Sequence[Any], timezone: str
                 ) -> list[dict[str, Any]]:
    """The rows of `rows`: movements of `EVENTS` kinds, summed per event and lot or not
    (a recall drill passes its movements one by one), oldest first."""
    folded = _folded(rows)
    firsts = [row for row, _quantity in folded]
    places = Places(uow, firsts)
    origins = uow.reports.lot_origins([r.batch_id for r in firsts if r.lot_supplier_id is None])
    grouped: dict[tuple[Any, ...], list[Any]] = {}  # an event's row and its total
    zone = ZoneInfo(timezone)
    dates: dict[Any, dt.date] = {}  # the events of one act share their moment
    # Rows of one product, lot and route (a recall's shipments to one customer) differ in
    # their date, document and quantity only: the rest of such a row is built once (by the
    # fields it is made of) and copied.
    described: dict[tuple[Any, ...], tuple[str, str | None, dict[str, Any]]] = {}
    templates: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row, quantity in folded:
        event_date = dates.get(row.occurred_at)
        if event_date is None:
            event_date = dates[row.occurred_at] = \
                _moment(row.occurred_at).astimezone(zone).date()
        fields = _DESCRIBED_BY(row)
        known = described.get(fields)
        if known is None:
            known = described[fields] = _described(row, places, origins, templates)
        code, ship_to_name, template = known
        number = _document(row)[1]
        key = (row.kind, event_date, code, row.sku, number, ship_to_name)
        event = grouped.get(key)
        if event is None:  # the first row of an event describes it
            values = template.copy()
            values["event_date"] = event_date
            values["reference_document_number"] = number
            grouped[key] = [values, quantity]
        else:
            event[1] += quantity
    result = []
    normalized: dict[Decimal, Decimal] = {}  # a drill's shipments: a few totals, 2 or 3
    for values, total in grouped.values():  # the last column, added in place
        short = normalized.get(total)
        if short is None:
            short = normalized[total] = normalize(total)
        values["quantity"] = short
        result.append(values)
    # A total order (every field that can tell two events apart), the same on both databases.
    result.sort(key=lambda r: (r["event_date"], r["traceability_lot_code"], r["event_type"],
                               r["reference_document_number"] or "", r["ship_to_name"] or "",
                               r["product_sku"]))
    return result


# What `_described` reads of a row.
_DESCRIBED_BY = attrgetter("kind", "lot_supplier_id", "manufacturer_batch_number",
                           "batch_number", "batch_id", "warehouse_id", "customer_id", "sku",
                           "product", "uom", "location")


def _described(row: Any, places: Places, origins: dict[str, str],
               templates: dict[tuple[Any, ...], dict[str, Any]]
               ) -> tuple[str, str | None, dict[str, Any]]:
    """The row's traceability lot code, ship-to name and template (of its _DESCRIBED_BY
    fields)."""
    code, source = _traceability_lot(row, places, origins)
    ship_from, ship_to = _route(row, places)
    document_type = _document(row)[0]
    shape = (row.kind, code, row.sku, row.product, row.uom, id(source), id(ship_from),
             id(ship_to), row.location, document_type)
    template = templates.get(shape)
    if template is None:
        template = templates[shape] = _template(row, code, document_type, places,
                                                (source, ship_from, ship_to))
    return code, ship_to["name"], template


def _template(row: Any, code: str, document_type: str, places: Places,
              route: tuple[Description, Description, Description]) -> dict[str, Any]:
    """A row's columns in their order, its date and document number left to fill in."""
    source, ship_from, ship_to = route
    return {"event_type": EVENTS[row.kind], "event_date": None,
            "traceability_lot_code": code, "product_sku": row.sku,
            "product_description": row.product, "unit_of_measure": row.uom,
            **places.columns("tlc_source", source), **places.columns("ship_from", ship_from),
            **places.columns("ship_to", ship_to), "location": row.location,
            "reference_document_type": document_type, "reference_document_number": None}


# What tells apart the movements `_folded` sums into one.
_ACT = attrgetter("kind", "occurred_at", "batch_id", "sku", "location", "warehouse_id",
                  "receipt_reference", "order_reference", "customer_id", "transformation")


def _folded(rows: Sequence[Any]) -> list[tuple[Any, Decimal]]:
    """Movements of one act, lot and place (a shipment's units) as one, with their total
    quantity: what `ReportQueries.fsma_events` sums in the database, for movements read one
    by one (a recall drill's), so that each event is described once, not once per unit."""
    acts: dict[tuple[Any, ...], list[Any]] = {}  # the first row of each, and its sum
    for row in rows:
        key = _ACT(row)
        act = acts.get(key)
        if act is None:
            acts[key] = [row, row.quantity]
        else:
            act[1] += row.quantity
    return [(row, total) for row, total in acts.values()]


def _moment(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _traceability_lot(row: Any, places: Places, origins: dict[str, str]
                      ) -> tuple[str, Description]:
    """The supplier's code for a lot it supplied; lotline's own for one made or packed here,
    with the warehouse it was made in as source."""
    if row.lot_supplier_id is not None:
        return (row.manufacturer_batch_number or row.batch_number,
                places.of("supplier", row.lot_supplier_id))
    return row.batch_number, places.of("warehouse",
                                       origins.get(row.batch_id, row.warehouse_id))


def _route(row: Any, places: Places) -> tuple[Description, Description]:
    """Ship-from and ship-to: the supplier (or, for a return, the customer) to the warehouse
    that received; the warehouse to the customer; nothing for a transformation, which
    happens in place."""
    here = places.of("warehouse", row.warehouse_id)
    if row.kind == RECEIPT:
        return places.of("supplier", row.lot_supplier_id), here
    if row.kind == RETURN:
        return places.of("customer", row.customer_id), here
    if row.kind == SHIPMENT:
        return here, places.of("customer", row.customer_id)
    return NOWHERE, NOWHERE


def _document(row: Any) -> tuple[str, str | None]:
    if row.kind == RECEIPT:
        return ("receipt", row.receipt_reference)
    if row.kind == RETURN:
        return ("return", row.order_reference)
    if row.kind == SHIPMENT:
        return ("sales order", row.order_reference)
    return ("transformation", row.transformation)  # both sides of a transformation
