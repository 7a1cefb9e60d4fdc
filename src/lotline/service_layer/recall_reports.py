"""A recall's report: the affected lots, the customers and orders that received units
(through assemblies too), stock on hand, allocations not shipped and units installed in
assemblies. What was shipped is read back from the append-only ledger as of the recall's
creation; the rest is stored with the recall as it was."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from lotline.domain.trace import Customer, Delivery
from lotline.service_layer.base import bulk_objects, plain
from lotline.service_layer.ports import InstalledUnit
from lotline.service_layer.unit_of_work import UnitOfWork


def build_report(uow: UnitOfWork, depths: dict[str, int]
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report as stored and as shown. What was shipped (customers, orders, quantities,
    serials) is not copied into the recall: the ledger is append-only, so `_report` reads it
    back as it stood when the recall was made, and a lot shipped to 40,000 orders costs a
    recall no 10 MB document. The rest (the lots, stock on hand, allocations not shipped,
    the total shipped) is stored as it was, JSON-ready."""
    repo = uow.trace
    ids = sorted(depths)
    refs = repo.lot_refs(ids)
    units = repo.installed_units(ids)
    deliveries, customers = repo.delivery_rows(ids, installed=units)
    lots = [{**plain(refs[b]), "depth": depths[b]} for b in ids]
    on_hand = [{"batch_id": r.batch_id, "batch_number": refs[r.batch_id].batch_number,
                "location_id": r.location_id, "location_code": r.code,
                "quantity": r.balance_quantity, "allocated": r.allocated_quantity}
               for r in repo.on_hand(ids)]
    pending = [{"batch_id": r.batch_id, "order_id": r.order_id,
                "order_reference": r.reference, "customer_id": r.customer_id,
                "status": r.status, "quantity": r.quantity, "serial_numbers": numbers}
               for r, numbers in repo.pending(ids)]
    installed = _installed(uow, refs, units)
    shipped = sum((row[5] for row in deliveries), Decimal(0))
    stored = {"lots": lots, "on_hand": plain(on_hand), "pending": plain(pending),
              "installed": installed, "shipped_quantity": str(shipped)}
    shown = {**_nest(deliveries, customers, lots), "on_hand": on_hand, "pending": pending,
             "installed": installed,
             "shipped_quantity": shipped,
             "lots": [{**lot, "quantity": refs[lot["batch_id"]].quantity} for lot in lots]}
    return stored, shown


def _installed(uow: UnitOfWork, refs: dict[str, Any],
               units: list[InstalledUnit]) -> list[dict[str, Any]]:
    """Units of the lots installed in assemblies, and where each outermost assembly is."""
    tops = uow.trace.top_assemblies(units) if units else {}
    return [{"batch_id": unit.batch_id, "batch_number": refs[unit.batch_id].batch_number,
             "serial_number": unit.serial_number,
             "assembly_serial_number": top.serial_number, "assembly_status": top.status,
             "assembly_location_code": top.code}
            for unit in units for top in (tops[unit.assembly_ids[-1]],)]


def _nest(deliveries: list[tuple[Any, ...]], customers: dict[str, Customer],
          lots: list[dict[str, Any]]) -> dict[str, Any]:
    """Delivery rows (`TraceRepository.delivery_rows`, in customer name and order reference
    order) grouped into customers → orders → deliveries; those without a customer are
    `unattributed`."""
    numbers = {lot["batch_id"]: lot["batch_number"] for lot in lots}
    entries: dict[str, dict[str, Any]] = {}
    orders: dict[tuple[str, str | None], dict[str, Any]] = {}
    unattributed = []
    with bulk_objects():
        for row in deliveries:
            delivery = dict(zip(DELIVERY_FIELDS, row, strict=True))
            order_id, reference, customer_id, _name, batch_id, quantity = row[:6]
            if customer_id is None:
                unattributed.append(delivery)
                continue
            delivery["batch_number"] = numbers[batch_id]
            entry = entries.get(customer_id)
            if entry is None:
                c = customers[customer_id]
                entry = entries[customer_id] = {
                    "customer": {"id": c.id, "name": c.name, "code": c.code,
                                 "email": c.email, "phone": c.phone, "address": c.address},
                    "orders": [], "quantity": Decimal(0)}
            order = orders.get((customer_id, order_id))
            if order is None:
                order = orders[(customer_id, order_id)] = {
                    "order_id": order_id, "order_reference": reference, "deliveries": []}
                entry["orders"].append(order)
            order["deliveries"].append(delivery)
            entry["quantity"] += quantity
    return {"customers": list(entries.values()), "unattributed": unattributed}


DELIVERY_FIELDS = tuple(f.name for f in dataclasses.fields(Delivery))


def read_report(uow: UnitOfWork, row: Any, deliveries: bool = True) -> dict[str, Any]:
    """The report as shown (see `build_report`): the stored sections, and the deliveries
    read back from the ledger as of the recall's creation."""
    stored = row.report
    if "customers" in stored:  # stored whole, before deliveries were read back
        return dict(_numbers(stored))
    lots = stored["lots"]
    shipped: dict[str, Any] = {}
    if deliveries:
        found, customers = uow.trace.delivery_rows(
            [lot["batch_id"] for lot in lots], as_of=row.created_at)
        shipped = _nest(found, customers, lots)
    return {
        **shipped,
        "lots": [{**lot, "quantity": Decimal(lot["quantity"])} for lot in lots],
        "on_hand": [{**r, "quantity": Decimal(r["quantity"]),
                     "allocated": Decimal(r["allocated"])} for r in stored["on_hand"]],
        "pending": [{**r, "quantity": Decimal(r["quantity"])} for r in stored["pending"]],
        "installed": stored.get("installed", []),
        "shipped_quantity": Decimal(stored["shipped_quantity"]),
        "held_lots": stored.get("held_lots", []), "already_held": stored.get("already_held", []),
    }


QUANTITIES = frozenset({"quantity", "returned_quantity", "allocated", "shipped_quantity"})


def _numbers(value: Any) -> Any:
    """The stored report keeps its Decimals as strings (JSON has no exact decimals); they come
    back as Decimals, so every door writes them as numbers again."""
    if isinstance(value, dict):
        return {k: Decimal(v) if k in QUANTITIES and isinstance(v, str) else _numbers(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value
