"""The rows of the cost-curve organization (issue 18), as COPY text, one lot at a time.

Each lot of a serial-tracked product holds SERIALS_PER_LOT serials, received by one bulk
movement (the serial import's shape: the movement's hash covers the lot's sorted serial
numbers, every serial points at it). ORDERS_PER_LOT orders go to the lot's customers: the first
SHIPPED_ORDERS each shipped UNITS_PER_ORDER of its serials (order line, allocation, shipment and
one `shipment` movement a unit, hash-chained on the lot's stream), the others are open. The
rest of the serials are IN_STOCK. A shipped unit goes straight from stock (IN_STOCK → SHIPPED,
a direct sale's path): the generator writes no allocation/pick movements, which `ledger
verify` does not need (it checks chains, balances, each serial's last movement and counts).
Everything is a function of the lot's number, ids and times aside."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.domain.ids import new_id
from lotline.domain.ledger import GENESIS_HASH, movement_hash

SERIALS_PER_LOT = 100
ORDERS_PER_LOT = 10
SHIPPED_ORDERS = 8
UNITS_PER_ORDER = 3
NULL = "\\N"

# Columns in COPY order, per table.
COLUMNS: dict[str, tuple[str, ...]] = {
    "batches": ("id", "org_id", "product_id", "supplier_id", "supplier_key", "batch_number",
                "batch_number_folded", "expiry_date", "quantity", "unit_cost", "purchase_date",
                "received_at", "entry_transaction_ref", "location_id", "status", "custom_fields",
                "serial_count", "chain_seq", "chain_head", "created_at", "updated_at"),
    "lot_balances": ("batch_id", "location_id", "org_id", "in_quantity", "balance_quantity",
                     "allocated_quantity"),
    "serials": ("id", "org_id", "product_id", "batch_id", "scope_key", "serial_number",
                "status", "order_id", "location_id", "warehouse_id", "entry_movement_id",
                "customer_id", "created_at", "updated_at"),
    "orders": ("id", "org_id", "reference", "customer_id", "status", "created_at",
               "updated_at"),
    "order_lines": ("id", "org_id", "order_id", "line_no", "product_id", "quantity",
                    "unit_price"),
    "shipments": ("id", "org_id", "order_id", "shipped_at", "ship_to", "cost_of_goods",
                  "created_at"),
    "order_allocations": ("id", "org_id", "order_id", "order_line_id", "product_id",
                          "batch_id", "serial_id", "location_id", "quantity", "picked_quantity",
                          "returned_quantity", "unit_cost", "status", "shipment_id",
                          "created_at", "updated_at"),
    "movements": ("id", "org_id", "stream_id", "seq", "occurred_at", "recorded_at", "actor",
                  "kind", "product_id", "batch_id", "serial_id", "quantity",
                  "from_location_id", "to_location_id", "from_status", "to_status",
                  "order_id", "receipt_id", "transformation_id", "reverses_id", "unit_cost",
                  "reason", "prev_hash", "hash"),
}


@dataclass(frozen=True)
class ScaleContext:
    """The organization's master data the lots are spread over."""

    org_id: str
    actor: str
    products: list[tuple[str, str]]  # (id, sku) of lot_serial products
    suppliers: list[str]
    customers: list[tuple[str, str]]  # (id, name)
    warehouse_id: str
    location_id: str  # STOCK of the default warehouse
    now: dt.datetime


@dataclass
class Chunk:
    """COPY lines per table for a run of lots, and the serials added per (product, status)."""

    lines: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, table: str, values: dict[str, Any]) -> None:
        self.lines[table].append("\t".join(_text(values.get(name))
                                           for name in COLUMNS[table]))


def _text(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def serial_number(sku: str, lot: int, unit: int) -> str:
    return f"{sku}-{lot:06d}-{unit:02d}"


def lot_number(lot: int) -> str:
    return f"SL{lot:06d}"


def add_lot(ctx: ScaleContext, lot: int, chunk: Chunk) -> None:
    product_id, sku = ctx.products[lot % len(ctx.products)]
    batch_id, unit_cost = new_id(), Decimal(100 + lot % 900) / 10
    numbers = [serial_number(sku, lot, unit) for unit in range(SERIALS_PER_LOT)]
    serial_ids = [new_id() for _ in numbers]
    received = ctx.now - dt.timedelta(days=1)
    stream = _Stream(ctx, batch_id, product_id, unit_cost)
    entry_id = stream.append(received, "receipt", None, SERIALS_PER_LOT, None, ctx.location_id,
                             None, "IN_STOCK", None, numbers)
    shipped = _orders(ctx, lot, chunk, product_id, batch_id, unit_cost, serial_ids, stream)
    for unit, (serial_id, number) in enumerate(zip(serial_ids, numbers, strict=True)):
        order = shipped.get(unit)
        chunk.add("serials", {
            "id": serial_id, "org_id": ctx.org_id, "product_id": product_id,
            "batch_id": batch_id, "scope_key": "", "serial_number": number,
            "status": "SHIPPED" if order else "IN_STOCK", "order_id": order and order[0],
            "customer_id": order and order[1], "entry_movement_id": entry_id,
            "location_id": None if order else ctx.location_id,
            "warehouse_id": None if order else ctx.warehouse_id,
            "created_at": received, "updated_at": ctx.now if order else received})
    chunk.counts[(product_id, "SHIPPED")] += len(shipped)
    chunk.counts[(product_id, "IN_STOCK")] += SERIALS_PER_LOT - len(shipped)
    _lot_rows(ctx, lot, chunk, product_id, batch_id, unit_cost, entry_id, stream,
              SERIALS_PER_LOT - len(shipped))


def _lot_rows(ctx: ScaleContext, lot: int, chunk: Chunk, product_id: str, batch_id: str,
              unit_cost: Decimal, entry_id: str, stream: _Stream, on_hand: int) -> None:
    number, received = lot_number(lot), ctx.now - dt.timedelta(days=1)
    chunk.add("batches", {
        "id": batch_id, "org_id": ctx.org_id, "product_id": product_id,
        "supplier_id": (supplier := ctx.suppliers[lot % len(ctx.suppliers)]),
        "supplier_key": supplier, "batch_number": number,
        "batch_number_folded": number.casefold(),
        "expiry_date": ctx.now.date() + dt.timedelta(days=lot % 1500 - 300),
        "quantity": SERIALS_PER_LOT, "unit_cost": unit_cost, "purchase_date": received.date(),
        "received_at": received, "entry_transaction_ref": entry_id,
        "location_id": ctx.location_id, "status": "active", "custom_fields": "[]",
        "serial_count": SERIALS_PER_LOT, "chain_seq": stream.seq, "chain_head": stream.head,
        "created_at": received, "updated_at": ctx.now})
    chunk.add("lot_balances", {
        "batch_id": batch_id, "location_id": ctx.location_id, "org_id": ctx.org_id,
        "in_quantity": SERIALS_PER_LOT, "balance_quantity": on_hand, "allocated_quantity": 0})


def _orders(ctx: ScaleContext, lot: int, chunk: Chunk, product_id: str, batch_id: str,
            unit_cost: Decimal, serial_ids: list[str], stream: _Stream
            ) -> dict[int, tuple[str, str]]:
    """The lot's orders; the shipped units: serial index → (order id, customer id)."""
    shipped: dict[int, tuple[str, str]] = {}
    for k in range(ORDERS_PER_LOT):
        customer_id, name = ctx.customers[(lot * ORDERS_PER_LOT + k) % len(ctx.customers)]
        order_id, line_id, ships = new_id(), new_id(), k < SHIPPED_ORDERS
        units = UNITS_PER_ORDER if ships else 1
        chunk.add("orders", {"id": order_id, "org_id": ctx.org_id,
                             "reference": f"SO-{lot:06d}-{k}", "customer_id": customer_id,
                             "status": "shipped" if ships else "open",
                             "created_at": ctx.now, "updated_at": ctx.now})
        chunk.add("order_lines", {"id": line_id, "org_id": ctx.org_id, "order_id": order_id,
                                  "line_no": 1, "product_id": product_id, "quantity": units,
                                  "unit_price": unit_cost * 2})
        if not ships:
            continue
        shipment_id = new_id()
        chunk.add("shipments", {
            "id": shipment_id, "org_id": ctx.org_id, "order_id": order_id,
            "shipped_at": ctx.now, "cost_of_goods": unit_cost * units, "created_at": ctx.now,
            "ship_to": json.dumps({"name": name, "street": None, "city": None,
                                   "postal_code": None, "country": None})})
        for unit in range(k * UNITS_PER_ORDER, (k + 1) * UNITS_PER_ORDER):
            shipped[unit] = (order_id, customer_id)
            chunk.add("order_allocations", {
                "id": new_id(), "org_id": ctx.org_id, "order_id": order_id,
                "order_line_id": line_id, "product_id": product_id, "batch_id": batch_id,
                "serial_id": serial_ids[unit], "location_id": ctx.location_id, "quantity": 1,
                "picked_quantity": 1, "returned_quantity": 0, "unit_cost": unit_cost,
                "status": "shipped", "shipment_id": shipment_id, "created_at": ctx.now,
                "updated_at": ctx.now})
            stream.append(ctx.now, "shipment", serial_ids[unit], 1, ctx.location_id, None,
                          "IN_STOCK", "SHIPPED", order_id)
    for line in stream.lines:
        chunk.lines["movements"].append(line)
    stream.lines.clear()
    return shipped


class _Stream:
    """One lot's hash chain, built as the ledger builds it (DESIGN §5)."""

    def __init__(self, ctx: ScaleContext, batch_id: str, product_id: str,
                 unit_cost: Decimal) -> None:
        self.ctx, self.batch_id, self.product_id, self.unit_cost = \
            ctx, batch_id, product_id, unit_cost
        self.seq, self.head = 0, GENESIS_HASH
        self.lines: list[str] = []

    def append(self, moment: dt.datetime, kind: str, serial_id: str | None, quantity: int,
               from_location: str | None, to_location: str | None, from_status: str | None,
               to_status: str | None, order_id: str | None,
               numbers: list[str] | None = None) -> str:
        self.seq += 1
        values: dict[str, Any] = {
            "id": new_id(), "org_id": self.ctx.org_id, "stream_id": self.batch_id,
            "seq": self.seq, "occurred_at": moment, "recorded_at": moment,
            "actor": self.ctx.actor, "kind": kind, "product_id": self.product_id,
            "batch_id": self.batch_id, "serial_id": serial_id, "quantity": Decimal(quantity),
            "from_location_id": from_location, "to_location_id": to_location,
            "from_status": from_status, "to_status": to_status, "order_id": order_id,
            "receipt_id": None, "transformation_id": None, "reverses_id": None,
            "unit_cost": self.unit_cost, "reason": None, "prev_hash": self.head}
        values["hash"] = self.head = movement_hash(values, numbers or ())
        self.lines.append("\t".join(_text(values[name]) for name in COLUMNS["movements"]))
        return str(values["id"])
