"""The reports of issue 6: expiry, inventory, histories, supplier performance, valuation and
the FSMA 204 spreadsheet. Each returns a `Report` (columns + rows) for every door to render."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from lotline.domain.errors import NotFound, ValidationError
from lotline.domain.reports import FSMA204_COLUMNS, PAGED_REPORTS, REPORT_NAMES, Report
from lotline.domain.statuses import LIFECYCLE_ORDER
from lotline.domain.values import normalize, optional_date, optional_int
from lotline.service_layer.context import Actor
from lotline.service_layer.fsma import fsma204_rows
from lotline.service_layer.record_reports import DEFAULT_PAGE, RecordReports
from lotline.service_layer.serials import SerialService
from lotline.service_layer.unit_of_work import UnitOfWorkFactory


class ReportService(RecordReports):
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor, *,
                 serials: SerialService) -> None:
        super().__init__(uows, actor)
        self.serials = serials

    def run(self, name: str, **parameters: Any) -> Report:
        """A report by its DESIGN name (`expiring`, `lot-inventory`, ...)."""
        if name not in REPORT_NAMES:
            raise NotFound("report", name, "name")
        if name in PAGED_REPORTS:
            return self.page(name, **parameters)
        method = getattr(self, name.replace("-", "_"))
        report: Report = method(**parameters)
        return report

    def serial_number_location(self, *, limit: int = DEFAULT_PAGE, cursor: str | None = None,
                               **filters: Any) -> Report:
        """Seed 002: each serial with product, lot, status, warehouse and location; filters
        product_id, batch_id, status, warehouse_id, location_id. One page."""
        return self.page("serial-number-location", limit=limit, cursor=cursor, **filters)

    def lot_movement_history(self, *, limit: int = DEFAULT_PAGE, cursor: str | None = None,
                             **filters: Any) -> Report:
        """Seed 002: movements across lots; filters product_id, batch_id, start and end (days
        of occurred_at, UTC, inclusive), kind, location_id (from or to). One page."""
        return self.page("lot-movement-history", limit=limit, cursor=cursor, **filters)

    def expiring(self, days: Any = None, as_of: Any = None) -> Report:
        """On-hand lots expiring within `days` (default: each product's alert days)."""
        horizon = optional_int(days, "days")
        with self.reading(may_lag=True) as uow:
            today = self.today(uow, optional_date(as_of, "as_of"))
            rows = []
            for lot in uow.reports.lots_on_hand():
                window = horizon if horizon is not None else lot["expiry_alert_days"]
                expiry = lot["expiry_date"]
                if expiry and today < expiry <= today + dt.timedelta(days=window):
                    rows.append({**_lot_columns(lot), "days_left": (expiry - today).days})
        rows.sort(key=lambda r: (r["expiry_date"], r["product_sku"], r["batch_number"]))
        return Report("expiring", (*LOT_COLUMNS, "days_left"), rows,
                      {"days": horizon, "as_of": today.isoformat()})

    def expired(self, as_of: Any = None) -> Report:
        """Lots past their expiry date that are still on hand."""
        with self.reading(may_lag=True) as uow:
            today = self.today(uow, optional_date(as_of, "as_of"))
            rows = [{**_lot_columns(lot), "days_expired": (today - lot["expiry_date"]).days,
                     "value": normalize(lot["on_hand"] * (lot["unit_cost"] or Decimal(0)))}
                    for lot in uow.reports.lots_on_hand()
                    if lot["expiry_date"] is not None and lot["expiry_date"] <= today]
        rows.sort(key=lambda r: (r["expiry_date"], r["product_sku"], r["batch_number"]))
        return Report("expired", (*LOT_COLUMNS, "days_expired", "value"), rows,
                      {"as_of": today.isoformat()})

    def lot_inventory(self) -> Report:
        """Every lot on hand per location, earliest expiry first."""
        with self.reading(may_lag=True) as uow:
            rows = [{**_lot_columns(lot), "location": code, "location_on_hand": on_hand,
                     "allocated": allocated, "hold": lot["hold_kind"]}
                    for lot in uow.reports.lots_on_hand()
                    for code, on_hand, allocated in lot["locations"]]
        rows.sort(key=lambda r: (r["expiry_date"] is None, r["expiry_date"] or dt.date.max,
                                 r["product_sku"], r["batch_number"], r["location"]))
        return Report("lot-inventory", (*LOT_COLUMNS, "location", "location_on_hand",
                                        "allocated", "hold"), rows)

    def serial_inventory(self) -> Report:
        """Serials per product, status and location."""
        with self.reading(may_lag=True) as uow:
            rows = uow.reports.serial_inventory()
        # Statuses in their declared lifecycle order, not alphabetically.
        rows.sort(key=lambda r: (r["product_sku"], LIFECYCLE_ORDER.get(r["status"], 99),
                                 r["location"] is not None, r["location"] or ""))
        return Report("serial-inventory", ("product_sku", "product_name", "status", "location",
                                           "count"), rows)

    def serial_history(self, serial_number: str, product_id: str | None = None) -> Report:
        serials = self.serials
        serial = serials.lookup(serial_number, product_id)
        rows = [_movement_row(m) for m in serials.history(serial.id)]
        return Report("serial-history", MOVEMENT_COLUMNS, rows,
                      {"serial_number": serial.serial_number})

    def lot_history(self, batch_id: str) -> Report:
        with self.reading(may_lag=True) as uow:
            if uow.batches.get(str(batch_id)) is None:
                raise NotFound("batch", batch_id, "batch_id")
            rows = [_movement_row(movement)
                    for movement in uow.movements.history_of_batch(str(batch_id))]
        return Report("lot-history", MOVEMENT_COLUMNS, rows, {"batch_id": batch_id})

    def supplier_performance(self) -> Report:
        """Per supplier: received, remaining, turnover, returns and defect rate (seed 004)."""
        with self.reading(may_lag=True) as uow:
            rows = uow.reports.supplier_figures()
        return Report("supplier-performance", ("supplier_id", "supplier_name", "lots",
                                               "received", "remaining", "turnover",
                                               "returned", "defective", "defect_rate"), rows)

    def valuation(self) -> Report:
        """On hand × lot (or serial) cost per product, and the average cost."""
        with self.reading(may_lag=True) as uow:
            totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
            for lot in uow.reports.lots_on_hand(serials=False):
                totals[lot["product_id"]][0] += lot["on_hand"]
                totals[lot["product_id"]][1] += lot["on_hand"] * (lot["unit_cost"] or 0)
            for product_id, count, value in uow.reports.serial_values():
                totals[product_id][0] += count
                totals[product_id][1] += value
            skus = {p.id: p.sku for p in uow.products.get_many(list(totals)).values()}
        rows = [{"product_id": pid, "product_sku": skus.get(pid), "on_hand": normalize(qty),
                 "value": normalize(value),
                 "average_cost": normalize((value / qty).quantize(Decimal("0.000001")))
                 if qty else None}
                for pid, (qty, value) in sorted(totals.items(), key=lambda i: skus.get(i[0], ""))
                if qty]
        return Report("valuation", ("product_id", "product_sku", "on_hand", "value",
                                    "average_cost"), rows)

    def fsma204(self, batch_id: str | None = None, start: Any = None,
                end: Any = None) -> Report:
        """The FSMA 204 sortable spreadsheet: one lot, or the whole organization; from `start`
        to `end` (days of the organization's time zone, both included), or all time."""
        first, last = optional_date(start, "start"), optional_date(end, "end")
        if first and last and last < first:
            raise ValidationError.single("end", f"{last} is before start {first}", str(last))
        with self.reading(may_lag=True) as uow:
            if batch_id is not None and uow.batches.get(str(batch_id)) is None:
                raise NotFound("batch", batch_id, "batch_id")
            rows = fsma204_rows(uow, batch_id, first, last)
        return Report("fsma204", FSMA204_COLUMNS, rows,
                      {"batch_id": batch_id, "start": first and first.isoformat(),
                       "end": last and last.isoformat()})


LOT_COLUMNS = ("product_sku", "product_name", "batch_number", "supplier", "expiry_date",
               "on_hand", "unit_cost", "batch_id")
MOVEMENT_COLUMNS = ("recorded_at", "occurred_at", "kind", "quantity", "from_location_id",
                    "to_location_id", "from_status", "to_status", "order_id", "receipt_id",
                    "transformation_id", "reverses_id", "unit_cost", "reason", "actor", "id",
                    "hash")


def _lot_columns(lot: dict[str, Any]) -> dict[str, Any]:
    return {name: lot[name] for name in LOT_COLUMNS}


def _movement_row(movement: Any) -> dict[str, Any]:
    row = {name: getattr(movement, name) for name in MOVEMENT_COLUMNS}
    row["kind"] = movement.kind.value
    row["from_status"] = movement.from_status.value if movement.from_status else None
    row["to_status"] = movement.to_status.value if movement.to_status else None
    return row
