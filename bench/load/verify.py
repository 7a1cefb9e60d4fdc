"""After the load: every write answered 2xx is in the database, and the ledger proves itself.

The journal holds one line per acknowledged write. A serial's last acknowledged status must be
its status now (each simulated user changes only its own units); an order is at least as far
as its last acknowledged step; a received lot exists with its quantity."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from lotline.bootstrap import create_services

# An order has no "picked" status of its own: picking leaves it allocated.
ORDER_PROGRESS = {"open": 0, "allocated": 1, "picked": 1, "partially_shipped": 2, "shipped": 3}


def _last_acknowledged(journal: Path
                       ) -> tuple[dict[str, set[str]], dict[str, str], dict[str, str]]:
    # serial id -> the statuses it may have now: the last acknowledged one, plus any attempted
    # after it whose answer never came.
    serials: dict[str, set[str]] = {}
    orders: dict[str, str] = {}
    lots: dict[str, str] = {}
    if not journal.exists():
        return serials, orders, lots
    for line in journal.read_text().splitlines():
        entry: dict[str, Any] = json.loads(line)
        if entry["kind"] == "status":
            serials[entry["serial_id"]] = {entry["status"]}
        elif entry["kind"] == "attempt":
            serials.setdefault(entry["serial_id"], {"IN_STOCK"}).add(entry["status"])
        elif entry["kind"] == "order":
            orders[entry["order_id"]] = entry["status"]
        else:
            lots[entry["batch_id"]] = entry["quantity"]
    return serials, orders, lots


def check_journal(primary_url: str, journal: Path) -> list[str]:
    """The acknowledged writes the database does not have, in words (empty: none lost)."""
    svc = create_services(primary_url)
    serials, orders, lots = _last_acknowledged(journal)
    lost = []
    for serial_id, possible in serials.items():
        now = str(svc.serials.get(serial_id).status.value)
        if now not in possible:
            lost.append(f"serial {serial_id}: expected one of {sorted(possible)}, stored {now}")
    for order_id, status in orders.items():
        now = svc.orders.get(order_id).status
        if ORDER_PROGRESS.get(now, -1) < ORDER_PROGRESS[status]:
            lost.append(f"order {order_id}: acknowledged {status}, stored {now}")
    for batch_id, quantity in lots.items():
        lot = svc.batches.get(batch_id)
        if Decimal(str(lot.quantity)) != Decimal(quantity):
            lost.append(f"lot {batch_id}: acknowledged {quantity} in, stored {lot.quantity}")
    print(f"journal: {len(serials)} serials, {len(orders)} orders, {len(lots)} lots checked")
    return lost


def verify_ledger(primary_url: str) -> list[str]:
    report = create_services(primary_url).ledger.verify()
    print(f"ledger verify: {report.streams} streams, {report.movements} movements, "
          f"{report.balances} balances")
    return [f"{p.kind} {p.stream_id or ''} {p.detail}" for p in report.problems]
