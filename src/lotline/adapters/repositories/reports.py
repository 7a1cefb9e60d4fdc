"""Set-based queries behind the reports (summed in the database, not per row in Python)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, func, select

from lotline.adapters import tables as t
from lotline.adapters.repositories import drill_rows, epcis_rows, lot_events, report_pages
from lotline.adapters.repositories.lot_events import lots_term
from lotline.adapters.repositories.trace import not_reversed
from lotline.domain.model import Page
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.domain.values import normalize

SERIAL_TRACKING = ("serial", "lot_serial")


class ReportQueries:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def rows_page(self, report: str, filters: dict[str, Any], limit: int,
                  cursor: str | None) -> Page[dict[str, Any]]:
        """A page of `serial-number-location` or `lot-movement-history` (seed 002)."""
        return report_pages.page_of(self.conn, self._statement(report, filters),
                                    report_pages.key_of(report), limit, cursor)

    def rows_stream(self, report: str, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The whole report, streamed."""
        return report_pages.stream_of(self.conn, self._statement(report, filters))

    def _statement(self, report: str, filters: dict[str, Any]) -> Select[Any]:
        if report == "serial-number-location":
            return report_pages.serial_location_statement(self.org_id, filters)
        return report_pages.lot_movement_statement(self.org_id, filters)

    def serial_inventory(self) -> list[dict[str, Any]]:
        """Serials per product, status and location."""
        s, p, loc = t.serials.c, t.products.c, t.locations.c
        statement = (select(p.sku, p.name, s.status, loc.code, func.count())
                     .join(t.products, p.id == s.product_id)
                     .outerjoin(t.locations, loc.id == s.location_id)
                     .where(s.org_id == self.org_id)
                     .group_by(p.sku, p.name, s.status, loc.code))
        return [{"product_sku": sku, "product_name": name, "status": status,
                 "location": code, "count": int(count)}
                for sku, name, status, code, count in self.conn.execute(statement)]

    def lots_on_hand(self, *, serials: bool = True) -> list[dict[str, Any]]:
        """Lots with stock, one entry each with its balances per location."""
        b, lb, p, s, loc = (t.batches.c, t.lot_balances.c, t.products.c, t.suppliers.c,
                            t.locations.c)
        statement = (select(b.id, b.product_id, p.sku, p.name, p.tracking, p.expiry_alert_days,
                            b.batch_number, s.name.label("supplier"), b.expiry_date, b.unit_cost,
                            b.hold_kind, loc.code, lb.balance_quantity, lb.allocated_quantity)
                     .join(t.lot_balances, lb.batch_id == b.id)
                     .join(t.products, p.id == b.product_id)
                     .join(t.locations, loc.id == lb.location_id)
                     .outerjoin(t.suppliers, s.id == b.supplier_id)
                     .where(b.org_id == self.org_id, b.deleted_at.is_(None),
                            lb.balance_quantity > 0)
                     .order_by(b.id, loc.code))
        if not serials:
            statement = statement.where(p.tracking.not_in(SERIAL_TRACKING))
        lots: dict[str, dict[str, Any]] = {}
        for row in self.conn.execute(statement):
            lot = lots.setdefault(row.id, {
                "batch_id": row.id, "product_id": row.product_id, "product_sku": row.sku,
                "product_name": row.name, "tracking": row.tracking,
                "expiry_alert_days": row.expiry_alert_days, "batch_number": row.batch_number,
                "supplier": row.supplier, "expiry_date": row.expiry_date,
                "unit_cost": row.unit_cost, "hold_kind": row.hold_kind, "on_hand": Decimal(0),
                "locations": []})
            lot["on_hand"] += row.balance_quantity
            lot["locations"].append((row.code, row.balance_quantity, row.allocated_quantity))
        return list(lots.values())

    def serial_values(self) -> list[tuple[str, Decimal, Decimal]]:
        """Per product: serials in custody and the sum of their own (or their lot's) cost."""
        s, b = t.serials.c, t.batches.c
        cost = func.coalesce(s.unit_cost, b.unit_cost, 0)
        statement = (select(s.product_id, func.count(), func.sum(cost))
                     .outerjoin(t.batches, b.id == s.batch_id)
                     .where(s.org_id == self.org_id, s.location_id.isnot(None))
                     .group_by(s.product_id))
        result = []
        for product_id, count, value in self.conn.execute(statement):
            result.append((product_id, Decimal(count), self._amount(value)))
        return result

    def _amount(self, value: Any) -> Decimal:
        """A summed Amount column (scaled integers on SQLite when the type is lost)."""
        if value is None:
            return Decimal(0)
        if self.conn.dialect.name == "sqlite" and not isinstance(value, Decimal):
            return normalize(Decimal(int(value)).scaleb(-6))
        return normalize(Decimal(value))

    def supplier_figures(self) -> list[dict[str, Any]]:
        b, lb, sup, m = t.batches.c, t.lot_balances.c, t.suppliers.c, t.movements.c
        org = self.org_id
        stock = (select(b.supplier_id, func.count(func.distinct(b.id)),
                        func.sum(lb.in_quantity), func.sum(lb.balance_quantity))
                 .join(t.lot_balances, lb.batch_id == b.id)
                 .where(b.org_id == org, b.supplier_id.isnot(None), b.deleted_at.is_(None))
                 .group_by(b.supplier_id))
        figures: dict[str, dict[str, Any]] = defaultdict(dict)
        for supplier_id, lots, received, remaining in self.conn.execute(stock):
            figures[supplier_id].update(lots=int(lots), received=received or Decimal(0),
                                        remaining=remaining or Decimal(0))
        for kind_filter, name in ((m.kind == MovementKind.RETURN.value, "returned"),
                                  (m.to_status == SerialStatus.DEFECTIVE.value, "defective")):
            statement = (select(b.supplier_id, func.sum(m.quantity)).join(t.batches,
                                                                           b.id == m.batch_id)
                         .where(m.org_id == org, b.supplier_id.isnot(None), kind_filter)
                         .group_by(b.supplier_id))
            for supplier_id, quantity in self.conn.execute(statement):
                figures[supplier_id][name] = quantity or Decimal(0)
        names = {row[0]: row[1] for row in self.conn.execute(
            select(sup.id, sup.name).where(sup.org_id == org))}
        return [_supplier_row(supplier_id, names.get(supplier_id), values)
                for supplier_id, values in sorted(figures.items(),
                                                  key=lambda i: names.get(i[0]) or "")]

    def fsma_events(self, kinds: Sequence[str], batch_id: str | Sequence[str] | None,
                    start_at: dt.datetime | None, end_before: dt.datetime | None) -> list[Any]:
        """FSMA 204 critical tracking events: movements of `kinds` (not reversed) from
        `start_at` to before `end_before`, with their lot, product, place, receipt, order,
        customer and transformation; parties and warehouses by id. Summed in the database
        per event and lot (movements of one act share their moment: a shipment's units are
        one row), oldest first."""
        m, b, p = t.movements.c, t.batches.c, t.products.c
        loc, rec, o, tr = t.locations.c, t.receipts.c, t.orders.c, t.transformations.c
        described = (m.kind, m.occurred_at, m.batch_id, b.batch_number,
                     b.manufacturer_batch_number, b.supplier_id.label("lot_supplier_id"),
                     p.sku, p.name.label("product"), p.uom, loc.code.label("location"),
                     loc.warehouse_id, rec.reference.label("receipt_reference"),
                     o.reference.label("order_reference"),
                     o.customer_id, tr.reference.label("transformation"))
        statement = (
            select(*described, func.sum(m.quantity).label("quantity"))
            .join(t.batches, b.id == m.batch_id)
            .join(t.products, p.id == m.product_id)
            .outerjoin(t.locations, loc.id == _event_location(m))
            .outerjoin(t.receipts, rec.id == m.receipt_id)
            .outerjoin(t.orders, o.id == m.order_id)
            .outerjoin(t.transformations, tr.id == m.transformation_id)
            .where(m.org_id == self.org_id, m.kind.in_(list(kinds)),
                   not_reversed(m, self.org_id))
            .group_by(m.kind, m.occurred_at, m.batch_id, b.batch_number,
                      b.manufacturer_batch_number, b.supplier_id, p.sku, p.name, p.uom,
                      loc.code, loc.warehouse_id, m.receipt_id, rec.reference, m.order_id,
                      o.reference, o.customer_id, m.transformation_id, tr.reference)
            .order_by(m.occurred_at))
        if batch_id is not None:
            statement = statement.where(lots_term(m, batch_id))
        if start_at is not None:
            statement = statement.where(m.occurred_at >= start_at)
        if end_before is not None:
            statement = statement.where(m.occurred_at < end_before)
        return epcis_rows.plain_rows(self.conn.execute(statement))

    def lot_origins(self, batch_ids: Sequence[str]) -> dict[str, str]:
        """Where each lot came into being: the warehouse of its first receipt or production."""
        m, loc = t.movements.c, t.locations.c
        origins: dict[str, str] = {}
        wanted = sorted(set(batch_ids))
        for first in range(0, len(wanted), 500):
            statement = (select(m.batch_id, loc.warehouse_id)
                         .join(t.locations, loc.id == m.to_location_id)
                         .where(m.org_id == self.org_id,
                                m.batch_id.in_(wanted[first:first + 500]),
                                m.kind.in_([MovementKind.RECEIPT.value,
                                            MovementKind.PRODUCE.value]))
                         .order_by(m.occurred_at, m.id))
            for batch, warehouse in self.conn.execute(statement):
                origins.setdefault(batch, warehouse)
        return origins

    def drill_movements(self, kinds: Sequence[str], batch_ids: Sequence[str]) -> list[Any]:
        """A recall drill's one read: the lots' movements as `epcis_movements` reads them
        (whole shipments and transformations), each also with what an FSMA 204 row names,
        so the FSMA rows and EPCIS events are built from the same rows (`drill_rows`:
        the few things they name read once, not joined to each movement)."""
        by_ids = lot_events.found_by_ids(self.conn, list(batch_ids))
        statement = lot_events.whole(drill_rows.lean_select(self.org_id, kinds, by_ids=by_ids),
                                     self.org_id, list(batch_ids), by_ids=by_ids)
        return drill_rows.drill_rows(self.conn, statement)

    def epcis_movements(self, kinds: Sequence[str], start: dt.date | None,
                        end: dt.date | None, batch_id: str | Sequence[str] | None,
                        limit: int | None) -> list[Any]:
        """Movements of `kinds` (not reversed) with what EPCIS events name, oldest first."""
        m = t.movements.c
        by_ids = batch_id is not None and lot_events.found_by_ids(self.conn, batch_id)
        statement = _in_days(epcis_rows.movement_select(self.org_id, kinds, by_ids=by_ids), m,
                             None, start, end)
        if batch_id is not None:
            statement = lot_events.whole(statement, self.org_id, batch_id, by_ids=by_ids)
        return epcis_rows.plain_rows(self.conn.execute(
            statement if limit is None else statement.limit(limit)))

    def epcis_notices(self, types: Sequence[str], start: dt.date | None, end: dt.date | None,
                      limit: int) -> list[Any]:
        """Change-feed events of `types` (holds, recalls) in the days, oldest first."""
        statement = epcis_rows.notice_select(self.org_id, types)
        e = t.events.c
        if start is not None:
            statement = statement.where(e.occurred_at >= _midnight(start))
        if end is not None:
            statement = statement.where(e.occurred_at < _midnight(end + dt.timedelta(days=1)))
        return list(self.conn.execute(statement.limit(limit)))

    def epcis_sites(self) -> dict[str, Any]:
        return epcis_rows.sites(self.conn, self.org_id)


def _event_location(m: Any) -> Any:
    """Where an event happened: the destination of an arrival, the origin of a departure."""
    return func.coalesce(m.to_location_id, m.from_location_id)


def _in_days(statement: Select[Any], m: Any, batch_id: str | Sequence[str] | None,
             start: dt.date | None, end: dt.date | None) -> Select[Any]:
    """Narrowed to one lot (or several) and to whole UTC days from `start` to `end` (both
    included)."""
    if batch_id is not None:
        statement = statement.where(lots_term(m, batch_id))
    if start is not None:
        statement = statement.where(m.occurred_at >= _midnight(start))
    if end is not None:
        statement = statement.where(m.occurred_at < _midnight(end + dt.timedelta(days=1)))
    return statement


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def _supplier_row(supplier_id: str, name: str | None, values: dict[str, Any]) -> dict[str, Any]:
    received: Decimal = values.get("received", Decimal(0))
    remaining: Decimal = values.get("remaining", Decimal(0))
    defective: Decimal = values.get("defective", Decimal(0))
    ratio = Decimal("0.0001")
    return {"supplier_id": supplier_id, "supplier_name": name, "lots": values.get("lots", 0),
            "received": normalize(received), "remaining": normalize(remaining),
            "turnover": normalize(((received - remaining) / received).quantize(ratio))
            if received else None,
            "returned": normalize(values.get("returned", Decimal(0))),
            "defective": normalize(defective),
            "defect_rate": normalize((defective / received).quantize(ratio))
            if received else None}
