"""`seed_large_demo`: a realistic organization through the bulk paths, ledger intact."""

from __future__ import annotations

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.demo_scale import seed_large_demo
from support import count_rows


def test_large_demo_is_consistent(svc: Services) -> None:
    steps: list[str] = []
    summary = seed_large_demo(svc, serials=2_500, orders=300,
                              progress=lambda step, done, total: steps.append(step))
    assert (summary.serials, summary.orders, summary.suppliers, summary.customers) == (
        2_500, 300, 12, 100)
    assert summary.products == {"none": 4, "lot": 8, "serial": 4, "lot_serial": 8}
    counts = svc.serials.counts()
    assert counts["ALL"] == 2_500
    assert all(counts[status] > 0 for status in ("IN_STOCK", "SHIPPED", "RECEIVED", "EXPECTED",
                                                 "RETURNED", "DEFECTIVE", "SCRAPPED",
                                                 "CONSUMED"))
    assert count_rows(svc.engine, t.orders, svc.org_id) == 300
    assert count_rows(svc.engine, t.order_lines, svc.org_id) == summary.order_lines
    assert svc.batches.expired() and svc.batches.near_expiry(days=60)
    assert {"master data", "lots", "serials (reading)", "serials (writing)",
            "orders"} <= set(steps)
    assert svc.ledger.verify().problems == []
