"""A recall's report: the affected lots, the customers and orders that received units
(through assemblies too), stock on hand, allocations not shipped and units installed in
assemblies. What was shipped is read back from the append-only ledger as of the recall's
creation; the rest is stored with the recall as it was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotline.domain.trace import Customer
from lotline.service_layer.base import bulk_objects, plain
from lotline.service_layer.ports import InstalledUnit
from lotline.service_layer.unit_of_work import UnitOfWork


def build_report(uow: UnitOfWork, depths: dict[str, int],
                 movements: list[Any] | None = None
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report as stored and as shown. What was shipped (customers, orders, quantities,
    serials) is not copied into the recall: the ledger is append-only, so `_report` reads it
    back as it stood when the recall was made, and a lot shipped to 40,000 orders costs a
    recall no 10 MB document. The rest (the lots, stock on hand, allocations not shipped,
    the total shipped) is stored as it was, JSON-ready. `movements`: the lots' movements,
    read already (a recall drill's), for `delivery_rows` to group instead of reading."""
    repo = uow.trace
    ids = sorted(depths)
    refs = repo.lot_refs(ids)
    units = repo.installed_units(ids)
    deliveries, customers = repo.delivery_rows(ids, installed=units,
                                                movements=movements)
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
    # The rows come in customer and order order: an order's rows are mostly consecutive, so
    # the last one's dict is tried before the lookup.
    last: tuple[Any, Any, dict[str, Any], dict[str, Any]] = (None, None, {}, {})
    with bulk_objects():
        for (order_id, reference, customer_id, name, batch_id, quantity, returned, serials,
             first, latest, inside) in deliveries:
            delivery = {"order_id": order_id, "order_reference": reference,
                        "customer_id": customer_id, "customer_name": name,
                        "batch_id": batch_id, "quantity": quantity,
                        "returned_quantity": returned, "serial_numbers": serials,
                        "first_shipped_at": first, "last_shipped_at": latest,
                        "inside_assemblies": inside}
            if customer_id is None:
                unattributed.append(delivery)
                continue
            delivery["batch_number"] = numbers[batch_id]
            if order_id == last[0] and customer_id == last[1]:
                entry, order = last[2], last[3]
            else:
                entry = entries.get(customer_id) or _new_entry(entries, customers[customer_id])
                order = orders.get((customer_id, order_id)) or _new_order(
                    orders, entry, customer_id, order_id, reference)
                last = (order_id, customer_id, entry, order)
            order["deliveries"].append(delivery)
            entry["quantity"] += quantity
    return {"customers": list(entries.values()), "unattributed": unattributed}


def _new_entry(entries: dict[str, dict[str, Any]], c: Customer) -> dict[str, Any]:
    entry = entries[c.id] = {
        "customer": {"id": c.id, "name": c.name, "code": c.code, "email": c.email,
                     "phone": c.phone, "address": c.address},
        "orders": [], "quantity": Decimal(0)}
    return entry


def _new_order(orders: dict[tuple[str, str | None], dict[str, Any]], entry: dict[str, Any],
               customer_id: str, order_id: str | None, reference: str | None
               ) -> dict[str, Any]:
    order = orders[(customer_id, order_id)] = {
        "order_id": order_id, "order_reference": reference, "deliveries": []}
    entry["orders"].append(order)
    return order




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
