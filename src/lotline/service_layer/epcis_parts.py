"""What an EPCIS export names, of a movement row (service_layer.epcis): the organization's
naming, the units or lot quantity it carried, its place, site, parties and order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lotline.domain import epcis


@dataclass(frozen=True, slots=True)
class Naming:
    """How this organization names things in its events."""

    domain: str  # the Digital Link domain of units and lots
    organization: str  # its slug, the namespace of its own URNs
    timezone: str


def _what(row: Any, numbers: dict[str, list[str]], naming: Naming, sort: bool = True
          ) -> tuple[list[str], list[dict[str, Any]]]:
    """The units (serials) or the lot quantity a movement carried."""
    serials = [row.serial_number] if row.serial_number else numbers.get(row.id, [])
    if serials:
        return epcis.unit_ids(naming.domain, row.gtin, row.sku,
                              sorted(serials) if sort else serials, naming.organization), []
    epc_class = epcis.lot_class(naming.domain, row.gtin, row.sku, row.batch_number,
                                naming.organization)
    return [], [epcis.quantity_element(epc_class, row.quantity, row.uom)]


def _place(row: Any, naming: Naming) -> str | None:
    """The location of the movement (SGLN with its code as extension)."""
    if row.location is None:
        return None
    return epcis.location_id(naming.organization, row.warehouse_gln, row.warehouse or "",
                             row.location)


def _site(row: Any, naming: Naming) -> list[tuple[str, str]]:
    """Our warehouse as a source or destination `location`."""
    if row.warehouse is None:
        return []
    return [("location", epcis.location_id(naming.organization, row.warehouse_gln,
                                           row.warehouse))]


def _party(kind: str, ident: str | None, code: str | None, gln: str | None,
           naming: Naming) -> list[tuple[str, str]]:
    """A supplier or customer: owning party, and its site when it has a GLN."""
    if ident is None:
        return []
    named = [("owning_party", epcis.party_id(naming.organization, kind, gln, code or ident))]
    site = epcis.party_location(gln)
    return named + ([("location", site)] if site else [])


def _order(row: Any, naming: Naming) -> list[tuple[str, str]]:
    if row.order_reference is None:
        return []
    return [(epcis.SALES_ORDER, epcis.transaction_id(naming.organization, "order",
                                                     row.order_reference))]


def _customer(row: Any, naming: Naming) -> list[tuple[str, str]]:
    return _party("customer", row.customer_id, row.customer_code, row.customer_gln, naming)
