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
from lotline.domain.ledger import GENESIS_HASH, movement_hash, utc_text
from lotline.domain.values import decimal_text

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

    @property
    def received(self) -> dt.datetime:
        return self.now - dt.timedelta(days=1)


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
    if isinstance(value, dt.datetime):
        return utc_text(value)  # the ledger's canonical form, which PostgreSQL reads as is
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def serial_number(sku: str, lot: int, unit: int) -> str:
    return f"{sku}-{lot:06d}-{unit:02d}"


def lot_number(lot: int) -> str:
    return f"SL{lot:06d}"


@dataclass(frozen=True)
class _Lot:
    """One lot's fixed values, as COPY text where they go into many rows."""

    number: int
    id: str
    product_id: str
    sku: str
    unit_cost: Decimal
    org: str
    now: str
    received: str


def add_lot(ctx: ScaleContext, number: int, chunk: Chunk) -> None:
    product_id, sku = ctx.products[number % len(ctx.products)]
    lot = _Lot(number, new_id(), product_id, sku, Decimal(100 + number % 900) / 10,
               ctx.org_id, utc_text(ctx.now), utc_text(ctx.received))
    numbers = [serial_number(sku, number, unit) for unit in range(SERIALS_PER_LOT)]
    serial_ids = [new_id() for _ in numbers]
    stream = _Stream(ctx, lot)
    entry_id = stream.append(lot.received, "receipt", None, SERIALS_PER_LOT, None,
                             ctx.location_id, None, "IN_STOCK", None, numbers)
    shipped = _orders(ctx, lot, chunk, serial_ids, stream)
    chunk.lines["movements"].extend(stream.lines)
    _serial_lines(ctx, lot, chunk, serial_ids, numbers, shipped, entry_id)
    chunk.counts[(product_id, "SHIPPED")] += len(shipped)
    chunk.counts[(product_id, "IN_STOCK")] += SERIALS_PER_LOT - len(shipped)
    _lot_rows(ctx, lot, chunk, entry_id, stream, SERIALS_PER_LOT - len(shipped))


def _serial_lines(ctx: ScaleContext, lot: _Lot, chunk: Chunk, serial_ids: list[str],
                  numbers: list[str], shipped: dict[int, tuple[str, str]],
                  entry_id: str) -> None:
    """One f-string a serial (the hot loop: 10,000,000 of them at the top size)."""
    head = f"{lot.org}\t{lot.product_id}\t{lot.id}\t\t"
    in_stock = f"IN_STOCK\t{NULL}\t{ctx.location_id}\t{ctx.warehouse_id}\t{entry_id}\t{NULL}"
    lines = chunk.lines["serials"]
    for unit, (serial_id, number) in enumerate(zip(serial_ids, numbers, strict=True)):
        order = shipped.get(unit)
        if order is None:
            lines.append(f"{serial_id}\t{head}{number}\t{in_stock}\t{lot.received}"
                         f"\t{lot.received}")
        else:
            lines.append(f"{serial_id}\t{head}{number}\tSHIPPED\t{order[0]}\t{NULL}\t{NULL}"
                         f"\t{entry_id}\t{order[1]}\t{lot.received}\t{lot.now}")


def _lot_rows(ctx: ScaleContext, lot: _Lot, chunk: Chunk, entry_id: str, stream: _Stream,
              on_hand: int) -> None:
    number, supplier = lot_number(lot.number), ctx.suppliers[lot.number % len(ctx.suppliers)]
    chunk.add("batches", {
        "id": lot.id, "org_id": lot.org, "product_id": lot.product_id,
        "supplier_id": supplier, "supplier_key": supplier, "batch_number": number,
        "batch_number_folded": number.casefold(),
        "expiry_date": ctx.now.date() + dt.timedelta(days=lot.number % 1500 - 300),
        "quantity": SERIALS_PER_LOT, "unit_cost": lot.unit_cost,
        "purchase_date": ctx.received.date(), "received_at": lot.received,
        "entry_transaction_ref": entry_id, "location_id": ctx.location_id, "status": "active",
        "custom_fields": "[]", "serial_count": SERIALS_PER_LOT, "chain_seq": stream.seq,
        "chain_head": stream.head, "created_at": lot.received, "updated_at": lot.now})
    chunk.add("lot_balances", {
        "batch_id": lot.id, "location_id": ctx.location_id, "org_id": lot.org,
        "in_quantity": SERIALS_PER_LOT, "balance_quantity": on_hand, "allocated_quantity": 0})


def _orders(ctx: ScaleContext, lot: _Lot, chunk: Chunk, serial_ids: list[str],
            stream: _Stream) -> dict[int, tuple[str, str]]:
    """The lot's orders; the shipped units: serial index → (order id, customer id)."""
    shipped: dict[int, tuple[str, str]] = {}
    org, now, lines = lot.org, lot.now, chunk.lines
    for k in range(ORDERS_PER_LOT):
        customer_id, name = ctx.customers[(lot.number * ORDERS_PER_LOT + k) % len(ctx.customers)]
        order_id, line_id, ships = new_id(), new_id(), k < SHIPPED_ORDERS
        units = UNITS_PER_ORDER if ships else 1
        lines["orders"].append(f"{order_id}\t{org}\tSO-{lot.number:06d}-{k}\t{customer_id}\t"
                               f"{'shipped' if ships else 'open'}\t{now}\t{now}")
        lines["order_lines"].append(f"{line_id}\t{org}\t{order_id}\t1\t{lot.product_id}\t"
                                    f"{units}\t{lot.unit_cost * 2}")
        if not ships:
            continue
        shipment_id = new_id()
        ship_to = json.dumps({"name": name, "street": None, "city": None, "postal_code": None,
                              "country": None})
        lines["shipments"].append(f"{shipment_id}\t{org}\t{order_id}\t{now}\t{ship_to}\t"
                                  f"{lot.unit_cost * units}\t{now}")
        for unit in range(k * UNITS_PER_ORDER, (k + 1) * UNITS_PER_ORDER):
            shipped[unit] = (order_id, customer_id)
            lines["order_allocations"].append(
                f"{new_id()}\t{org}\t{order_id}\t{line_id}\t{lot.product_id}\t{lot.id}\t"
                f"{serial_ids[unit]}\t{ctx.location_id}\t1\t1\t0\t{lot.unit_cost}\tshipped\t"
                f"{shipment_id}\t{now}\t{now}")
            stream.append(now, "shipment", serial_ids[unit], 1, ctx.location_id, None,
                          "IN_STOCK", "SHIPPED", order_id)
    return shipped


class _Stream:
    """One lot's hash chain, built as the ledger builds it (DESIGN §5). Values go in as their
    canonical text (times as `utc_text`, amounts as `decimal_text`), which the hash takes as
    they are, and COPY stores as the values they stand for."""

    def __init__(self, ctx: ScaleContext, lot: _Lot) -> None:
        self.ctx, self.lot = ctx, lot
        self.cost = decimal_text(lot.unit_cost)
        self.seq, self.head = 0, GENESIS_HASH
        self.lines: list[str] = []

    def append(self, moment: str, kind: str, serial_id: str | None, quantity: int,
               from_location: str | None, to_location: str | None, from_status: str | None,
               to_status: str | None, order_id: str | None,
               numbers: list[str] | None = None) -> str:
        self.seq += 1
        values: dict[str, Any] = {
            "id": new_id(), "org_id": self.lot.org, "stream_id": self.lot.id,
            "seq": self.seq, "occurred_at": moment, "recorded_at": moment,
            "actor": self.ctx.actor, "kind": kind, "product_id": self.lot.product_id,
            "batch_id": self.lot.id, "serial_id": serial_id, "quantity": str(quantity),
            "from_location_id": from_location, "to_location_id": to_location,
            "from_status": from_status, "to_status": to_status, "order_id": order_id,
            "receipt_id": None, "transformation_id": None, "reverses_id": None,
            "unit_cost": self.cost, "reason": None, "prev_hash": self.head}
        values["hash"] = self.head = movement_hash(values, numbers or ())
        self.lines.append("\t".join(NULL if values[name] is None else str(values[name])
                                    for name in COLUMNS["movements"]))
        return str(values["id"])
