"""Set-based queries behind the reports (summed in the database, not per row in Python)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from lotline.adapters import tables as t
from lotline.adapters.unit_of_work import sql
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.domain.values import normalize
from lotline.service_layer.unit_of_work import UnitOfWork

SERIAL_TRACKING = ("serial", "lot_serial")


def lots_on_hand(uow: UnitOfWork, *, serials: bool = True) -> list[dict[str, Any]]:
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
                 .where(b.org_id == uow.actor.org_id, b.deleted_at.is_(None),
                        lb.balance_quantity > 0)
                 .order_by(b.id, loc.code))
    if not serials:
        statement = statement.where(p.tracking.not_in(SERIAL_TRACKING))
    lots: dict[str, dict[str, Any]] = {}
    for row in sql(uow).conn.execute(statement):
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


def serial_values(uow: UnitOfWork) -> list[tuple[str, Decimal, Decimal]]:
    """Per product: serials in custody and the sum of their own (or their lot's) cost."""
    s, b = t.serials.c, t.batches.c
    cost = func.coalesce(s.unit_cost, b.unit_cost, 0)
    statement = (select(s.product_id, func.count(), func.sum(cost))
                 .outerjoin(t.batches, b.id == s.batch_id)
                 .where(s.org_id == uow.actor.org_id, s.location_id.isnot(None))
                 .group_by(s.product_id))
    result = []
    for product_id, count, value in sql(uow).conn.execute(statement):
        result.append((product_id, Decimal(count), _amount(uow, value)))
    return result


def _amount(uow: UnitOfWork, value: Any) -> Decimal:
    """A summed Amount column (scaled integers on SQLite when the type is lost)."""
    if value is None:
        return Decimal(0)
    if sql(uow).conn.dialect.name == "sqlite" and not isinstance(value, Decimal):
        return normalize(Decimal(int(value)).scaleb(-6))
    return normalize(Decimal(value))


def supplier_figures(uow: UnitOfWork) -> list[dict[str, Any]]:
    b, lb, sup, m = t.batches.c, t.lot_balances.c, t.suppliers.c, t.movements.c
    org = uow.actor.org_id
    stock = (select(b.supplier_id, func.count(func.distinct(b.id)),
                    func.sum(lb.in_quantity), func.sum(lb.balance_quantity))
             .join(t.lot_balances, lb.batch_id == b.id)
             .where(b.org_id == org, b.supplier_id.isnot(None), b.deleted_at.is_(None))
             .group_by(b.supplier_id))
    figures: dict[str, dict[str, Any]] = defaultdict(dict)
    for supplier_id, lots, received, remaining in sql(uow).conn.execute(stock):
        figures[supplier_id].update(lots=int(lots), received=received or Decimal(0),
                                    remaining=remaining or Decimal(0))
    for kind_filter, name in ((m.kind == MovementKind.RETURN.value, "returned"),
                              (m.to_status == SerialStatus.DEFECTIVE.value, "defective")):
        statement = (select(b.supplier_id, func.sum(m.quantity)).join(t.batches,
                                                                       b.id == m.batch_id)
                     .where(m.org_id == org, b.supplier_id.isnot(None), kind_filter)
                     .group_by(b.supplier_id))
        for supplier_id, quantity in sql(uow).conn.execute(statement):
            figures[supplier_id][name] = quantity or Decimal(0)
    names = {row[0]: row[1] for row in sql(uow).conn.execute(
        select(sup.id, sup.name).where(sup.org_id == org))}
    return [_supplier_row(supplier_id, names.get(supplier_id), values)
            for supplier_id, values in sorted(figures.items(),
                                              key=lambda i: names.get(i[0]) or "")]


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
