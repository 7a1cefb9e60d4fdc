"""EPCIS shipping events (service_layer.epcis): one ObjectEvent a shipment, those of units
of one product taken from one location (a recall drill's 40,000) made from the template of
their shape (domain.epcis_shapes)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from lotline.domain import epcis
from lotline.domain.epcis import Where
from lotline.domain.epcis_shapes import ObjectEventShape
from lotline.service_layer.epcis_parts import Naming, _customer, _order, _place, _site, _what


def _shipping_event(rows: list[Any], naming: Naming,
                    numbers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """One ObjectEvent for one shipment (one physical shipping action, as CBV means it):
    every unit it carried in `epcList`, every lot's quantity (summed over the bins it was
    taken from) in `quantityList`; read at its location, or at the warehouse when it was
    taken from several."""
    epcs: list[str] = []
    amounts: dict[tuple[str, str | None], Any] = {}
    domain, organization, unit_id = naming.domain, naming.organization, epcis.unit_id
    for row in rows:
        if row.serial_number:  # a unit (a drill's 100,000): its id alone, not _what's lists
            epcs.append(unit_id(domain, row.gtin, row.sku, row.serial_number, organization))
            continue
        units, lots = _what(row, numbers or {}, naming, sort=False)
        epcs.extend(units)
        for element in lots:
            key = (element["epcClass"], element.get("uom"))
            amounts[key] = amounts.get(key, 0) + element["quantity"]
    first = rows[0]
    one_place = all(row.location == first.location for row in rows)
    place = _place(first, naming) if one_place or first.warehouse is None else \
        epcis.location_id(naming.organization, first.warehouse_gln, first.warehouse)
    return epcis.object_event(
        moment=first.occurred_at, epcs=sorted(epcs),
        quantities=[epcis.quantity_element(epc_class, quantity, uom)
                    for (epc_class, uom), quantity in sorted(amounts.items(),
                                                             key=lambda item: item[0][0])],
        timezone=naming.timezone, action="OBSERVE", biz_step="shipping",
        disposition="in_transit",
        where=Where(read_point=place, sources=_site(first, naming),
                    destinations=_customer(first, naming),
                    transactions=_order(first, naming)))


class Shipments:
    """`_shipping_event`s, those of units of one product taken from one location (a drill's
    40,000) made from the template of their shape (epcis_shapes): the same events at a
    fraction of the cost."""

    def __init__(self, naming: Naming, numbers: dict[str, list[str]]) -> None:
        self.naming, self.numbers = naming, numbers
        self.shapes: dict[tuple[Any, ...], ObjectEventShape] = {}
        # By the route's fields (a customer's): its shape and destinations.
        self.routes: dict[tuple[Any, ...], tuple[ObjectEventShape, list[tuple[str, str]]]] = {}

    def event(self, rows: list[Any]) -> dict[str, Any]:
        first, naming = rows[0], self.naming
        same = _UNIT_OF(first)
        for row in rows:
            if not row.serial_number or _UNIT_OF(row) != same:
                return _shipping_event(rows, naming, self.numbers)
        epcs = epcis.unit_ids(naming.domain, first.gtin, first.sku,
                              list(map(_SERIAL, rows)), naming.organization)
        epcs.sort()
        reference = first.order_reference
        route = (_ROUTE(first), reference is None)
        shape, destinations = self.routes.get(route) or self._route(first, route)
        transactions = [(epcis.SALES_ORDER, epcis.transaction_id(
            naming.organization, "order", reference))] if reference is not None else []
        return shape.event(first.occurred_at, epcs, destinations, transactions)

    def _route(self, first: Any, route: tuple[Any, ...]
               ) -> tuple[ObjectEventShape, list[tuple[str, str]]]:
        naming = self.naming
        place, sources = _place(first, naming), _site(first, naming)
        destinations, transactions = _customer(first, naming), _order(first, naming)
        key = (place, tuple(sources), tuple(kind for kind, _ in destinations),
               tuple(kind for kind, _ in transactions))
        shape = self.shapes.get(key)
        if shape is None:
            shape = self.shapes[key] = ObjectEventShape(
                action="OBSERVE", biz_step="shipping", disposition="in_transit",
                where=Where(read_point=place, sources=sources, destinations=destinations,
                            transactions=transactions), timezone=naming.timezone)
        if len(self.routes) >= ROUTES_KEPT:
            self.routes.clear()
        self.routes[route] = (shape, destinations)
        return shape, destinations


# What a shipment's event is made of besides its order (`_place`, `_site`, `_customer`), and
# whether it has one (the type of its transactions): a drill's shipments have few places and
# some 10,000 customers.
_ROUTE = attrgetter("location", "warehouse", "warehouse_gln", "customer_id", "customer_code",
                    "customer_gln")
_UNIT_OF = attrgetter("location", "sku", "gtin")
_SERIAL = attrgetter("serial_number")
ROUTES_KEPT = 65536
