"""EPCIS events for what changes no stock: a lot put on hold or released (`batch.hold_changed`)
and a recall opened (`recall.opened`), read from the change feed, where each was written in the
transaction that made it (DESIGN §9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lotline.domain import epcis
from lotline.domain.epcis import Where
from lotline.service_layer.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from lotline.service_layer.epcis_parts import Naming

HOLD, RECALL = "batch.hold_changed", "recall.opened"
NOTICE_TYPES = (HOLD, RECALL)
# DESIGN §9: a recall (or a lot held for one) is `recalled`, a released lot `in_progress`;
# a quarantine is not a recall: CBV's `non_sellable_other` says the lot cannot be sold.
HOLD_DISPOSITIONS = {"recall": "recalled", "quarantine": "non_sellable_other",
                     "other": "non_sellable_other"}


def notice_events(uow: UnitOfWork, notices: list[Any], naming: Naming,
                  batch_id: str | Collection[str] | None
                  ) -> list[tuple[dt.datetime, dict[str, Any]]]:
    """The notices about one lot, several (a recall drill's trace) or all (None)."""
    wanted = None if batch_id is None else \
        {batch_id} if isinstance(batch_id, str) else set(batch_id)
    units: dict[str, str] = {}
    sites = uow.reports.epcis_sites() if any(n.type == HOLD for n in notices) else {}
    events: list[tuple[dt.datetime, dict[str, Any]]] = []
    for notice in notices:
        data = notice.data
        if notice.type == HOLD and (wanted is None or data.get("batch_id") in wanted):
            events.append((notice.occurred_at, _hold_event(uow, notice, naming, units, sites)))
        lots = data.get("lots") or []
        if notice.type == RECALL and (wanted is None
                                      or any(lot["batch_id"] in wanted for lot in lots)):
            events.append((notice.occurred_at, _recall_event(notice, naming)))
    return events


def _uom(uow: UnitOfWork, product_id: str | None, units: dict[str, str]) -> str | None:
    if product_id is None:
        return None
    if product_id not in units:
        product = uow.products.get(product_id)
        units[product_id] = product.uom if product else ""
    return units[product_id] or None


def _lot_class(lot: dict[str, Any], naming: Naming) -> str:
    product = lot.get("product") or {}
    return epcis.lot_class(naming.domain, product.get("gtin"), product.get("sku") or "",
                           lot.get("lot_number"), naming.organization)


def _hold_event(uow: UnitOfWork, notice: Any, naming: Naming, units: dict[str, str],
                sites: dict[str, Any]) -> dict[str, Any]:
    data = notice.data
    hold = data.get("hold")
    disposition = HOLD_DISPOSITIONS.get(hold["kind"], "non_sellable_other") if hold \
        else "in_progress"
    quantity = data.get("balance_quantity")
    product_id = (data.get("product") or {}).get("id")
    element = epcis.quantity_element(
        _lot_class(data, naming), None if quantity is None else Decimal(str(quantity)),
        _uom(uow, product_id, units))
    site = sites.get(data.get("location_id") or "")
    place = None if site is None else epcis.location_id(naming.organization, site.gln,
                                                        site.warehouse, site.code)
    return epcis.object_event(moment=notice.occurred_at, action="OBSERVE",
                              biz_step="holding", disposition=disposition, epcs=[],
                              quantities=[element], where=Where(biz_location=place),
                              timezone=naming.timezone)


def _recall_event(notice: Any, naming: Naming) -> dict[str, Any]:
    """The lots a recall names (and those made from them), by class: what was shipped is
    in the recall's report, not in one event."""
    data = notice.data
    quantities = [epcis.quantity_element(_lot_class(lot, naming)) for lot in data["lots"]]
    reference = epcis.transaction_id(naming.organization, "recall", data["reference"])
    return epcis.object_event(moment=notice.occurred_at, action="OBSERVE",
                              biz_step="holding" if data.get("held") else "inspecting",
                              disposition="recalled", epcs=[], quantities=quantities,
                              where=Where(transactions=[(epcis.RECALL, reference)]),
                              timezone=naming.timezone)
