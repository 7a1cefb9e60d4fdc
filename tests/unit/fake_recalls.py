"""What a recall reads and writes, in memory, for the fake unit of work (fake_uow.py): stored
recalls with their lots and recoveries, and the traceability reads a recall's report makes —
derived from the fake's ledger rows, orders and balances as the SQL queries derive them from
the tables. No transformations and no assemblies: the lots are recalled as they are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from lotline.domain.statuses import MovementKind
from lotline.domain.trace import Customer, LotRef

if TYPE_CHECKING:
    from fake_uow import FakeUnitOfWork


class Recalls:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.data = uow.data

    def add(self, row: dict[str, Any], depths: Mapping[str, int]) -> None:
        self.data["recalls"][row["id"]] = {**row, "lots": dict(depths)}

    def ids(self, status: str | None, limit: int | None, cursor: str | None) -> list[str]:
        ids = sorted((i for i, r in self.data["recalls"].items()
                      if (status is None or r["status"] == status)
                      and (cursor is None or i < cursor)), reverse=True)
        return ids[:limit] if limit is not None else ids

    def supplier_lots(self, supplier_id: str, received_from: dt.date | None,
                      received_to: dt.date | None) -> list[str]:
        raise NotImplementedError

    def open_for_lot(self, batch_id: str) -> list[str]:
        return sorted(i for i, r in self.data["recalls"].items()
                      if r["status"] == "open" and batch_id in r["lots"])

    def add_recovery(self, values: dict[str, Any]) -> None:
        self.data["recall_recoveries"][values["id"]] = dict(values)

    def update(self, recall_id: str, values: dict[str, Any]) -> None:
        self.data["recalls"][recall_id].update(values)

    def get_row(self, recall_id: str) -> Any | None:
        row = self.data["recalls"].get(recall_id)
        return None if row is None else SimpleNamespace(**row)

    def recovered(self, recall_id: str) -> Decimal:
        return sum((r["quantity"] for r in self.data["recall_recoveries"].values()
                    if r["recall_id"] == recall_id), Decimal(0))


class Trace:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.data = uow.data

    def descendant_edges(self, start: Sequence[str]) -> list[Any]:
        return []

    def lot_refs(self, ids: Sequence[str]) -> dict[str, LotRef]:
        refs = {}
        for batch_id in ids:
            lot = self.data["batches"][batch_id]
            product = self.data["products"][lot["product_id"]]
            refs[batch_id] = LotRef(
                batch_id=batch_id, batch_number=lot["batch_number"],
                product_id=lot["product_id"], product_sku=product["sku"],
                product_name=product["name"], supplier_id=lot["supplier_id"],
                supplier_name=None, manufacturer_batch_number=lot["manufacturer_batch_number"],
                manufacturing_date=lot["manufacturing_date"], expiry_date=lot["expiry_date"],
                quantity=lot["quantity"])
        return refs

    def installed_units(self, batch_ids: Sequence[str]) -> list[Any]:
        return []

    def top_assemblies(self, units: Sequence[Any]) -> dict[str, Any]:
        return {}

    def on_hand(self, batch_ids: Sequence[str]) -> list[Any]:
        locations = self.data["locations"]
        rows = [SimpleNamespace(batch_id=r["batch_id"], location_id=r["location_id"],
                                code=locations[r["location_id"]]["code"],
                                balance_quantity=r["balance_quantity"],
                                allocated_quantity=r["allocated_quantity"])
                for r in self.data["lot_balances"].values()
                if r["batch_id"] in batch_ids and r["balance_quantity"] > 0]
        return sorted(rows, key=lambda r: (r.batch_id, r.code))

    def pending(self, batch_ids: Sequence[str]) -> list[Any]:
        totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for a in self.data["order_allocations"].values():
            if a["batch_id"] in batch_ids and a["status"] in ("allocated", "picked"):
                totals[(a["batch_id"], a["order_id"], a["status"])] += a["quantity"]
        orders = self.data["orders"]
        return [(SimpleNamespace(batch_id=batch_id, order_id=order_id,
                                 reference=orders[order_id]["reference"],
                                 customer_id=orders[order_id]["customer_id"], status=status,
                                 quantity=quantity, serials=0), [])
                for (batch_id, order_id, status), quantity in sorted(totals.items())]

    def delivery_rows(self, batch_ids: Sequence[str], *, contacts: bool = True,
                      as_of: dt.datetime | None = None, installed: Any = None,
                      movements: Any = None
                      ) -> tuple[list[tuple[Any, ...]], dict[str, Customer]]:
        """Shipments per (lot, order) from the ledger, less what came back, in customer
        name then order reference order (Delivery's field order)."""
        sent: dict[tuple[str, str], list[Any]] = defaultdict(list)
        back: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for m in self.uow.ledger_rows:
            if m.batch_id not in batch_ids or m.order_id is None or (
                    as_of is not None and m.recorded_at > as_of):
                continue
            if m.kind is MovementKind.SHIPMENT:
                sent[(m.batch_id, m.order_id)].append(m)
            elif m.kind is MovementKind.RETURN:
                back[(m.batch_id, m.order_id)] += m.quantity
        rows, customers = [], {}
        for (batch_id, order_id), moves in sent.items():
            order = self.data["orders"][order_id]
            customer = self.data["customers"][order["customer_id"]]
            customers[customer["id"]] = Customer(
                id=customer["id"], name=customer["name"], code=customer["code"],
                email=customer["email"], phone=customer["phone"],
                address={k: customer[k] for k in ("street", "city", "postal_code", "country")})
            times = [m.occurred_at for m in moves]
            rows.append((order_id, order["reference"], customer["id"], customer["name"],
                         batch_id, sum((m.quantity for m in moves), Decimal(0)),
                         back[(batch_id, order_id)], [], min(times), max(times), []))
        rows.sort(key=lambda row: (row[3], row[1], row[4]))
        return rows, customers if contacts else {}
