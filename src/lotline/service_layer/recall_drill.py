"""A recall drill (issue 15): for one lot's whole forward trace (the lot and every lot made
from it), the FSMA 204 spreadsheet, the customers who received units with their contacts and
what they received, and the EPCIS document, as a recall would need them, and how long that
took. It changes nothing: no hold, no recall, no ledger, audit or change-feed row; it reads in
one read-only unit of work, through the same builders as a recall (`recall_reports`), the
FSMA report (`fsma`) and the EPCIS export (`epcis`)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lotline.domain.errors import NotFound
from lotline.domain.reports import FSMA204_COLUMNS, Report
from lotline.service_layer.base import bulk_objects
from lotline.service_layer.epcis import MOVEMENT_KINDS, lots_document
from lotline.service_layer.fsma import EVENTS, fsma204_from
from lotline.service_layer.recall_reports import build_report
from lotline.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class DrillResult:
    """What a recall of `batch_id` would hand over, built in `elapsed_ms` milliseconds."""

    batch_id: str
    batch_number: str
    lots: list[dict[str, Any]]  # the traced lots with their depth (0: the lot drilled)
    customers: list[dict[str, Any]]  # as a recall's report: customer, orders, deliveries
    unattributed: list[dict[str, Any]]  # shipped without a customer
    shipped_quantity: Decimal
    fsma204: Report
    epcis: dict[str, Any]
    elapsed_ms: float
    # Where the time went: trace, customers, movements (read once for the two documents),
    # fsma204, epcis (milliseconds each).
    parts_ms: dict[str, float] = field(default_factory=dict)

    @property
    def epcis_event_count(self) -> int:
        return len(self.epcis["epcisBody"]["eventList"])

    def summary(self) -> dict[str, Any]:
        """What the API answers and the CLI prints (the documents themselves go to files)."""
        return {"lot": {"batch_id": self.batch_id, "batch_number": self.batch_number},
                "elapsed_ms": round(self.elapsed_ms, 1), "lots": self.lots,
                "customers": self.customers, "unattributed": self.unattributed,
                "shipped_quantity": self.shipped_quantity, "fsma_rows": len(self.fsma204.rows),
                "epcis_event_count": self.epcis_event_count}


def drill(uow: UnitOfWork, batch_id: str, depths_of: Any) -> DrillResult:
    """`depths_of(uow, [batch_id])`: the forward trace (recalls._affected, passed in so
    this module and recalls.py do not import each other)."""
    started = mark = time.perf_counter()
    parts: dict[str, float] = {}

    def lap(part: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        parts[part] = (now - mark) * 1000
        mark = now

    lot = uow.batches.get(str(batch_id))
    if lot is None:
        raise NotFound("batch", batch_id, "batch_id")
    depths: dict[str, int] = depths_of(uow, [lot.id])
    lap("trace")
    # Hundreds of thousands of small acyclic objects (rows, dicts, events): the collector's
    # full passes over that growing heap cost more than building them.
    with bulk_objects():
        traced = sorted(depths)
        # One read of the movements for the customers and both documents: the EPCIS
        # export's (whole shipments and transformations, which may carry other lots), of
        # which the traced lots' are the FSMA report's and, shipments and returns, the
        # customers' (grouped, not read again).
        movements = uow.reports.drill_movements(MOVEMENT_KINDS, traced)
        lap("movements")
        _stored, report = build_report(uow, depths, movements)
        lap("customers")
        rows = fsma204_from(uow, [row for row in movements if row.batch_id in depths
                                  and row.kind in EVENTS], uow.settings().timezone)
        lap("fsma204")
        document = lots_document(uow, traced, movements=movements)
        lap("epcis")
    elapsed = (time.perf_counter() - started) * 1000
    return DrillResult(
        batch_id=lot.id, batch_number=lot.batch_number, lots=report["lots"],
        customers=report["customers"], unattributed=report["unattributed"],
        shipped_quantity=report["shipped_quantity"],
        fsma204=Report("fsma204", FSMA204_COLUMNS, rows, {"batch_id": lot.id}),
        epcis=document, elapsed_ms=elapsed, parts_ms=parts)
