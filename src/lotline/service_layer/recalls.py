"""Recalls: one call finds every affected lot (named or made from them), the customers and
orders that received units, what is still on hand and what is allocated but not shipped; it
can put every affected lot on recall hold in the same transaction. A recall is a stored record:
recoveries come in with returns, it has notes, an effectiveness figure, and it is closed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from lotline.domain.errors import Conflict, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.statuses import HoldKind, Role
from lotline.domain.values import ErrorCollector, clean_text, optional_date, required_text
from lotline.service_layer.base import Service, need_supplier
from lotline.service_layer.batch_views import audit_batch
from lotline.service_layer.event_data import recall_data
from lotline.service_layer.recall_drill import DrillResult, drill
from lotline.service_layer.recall_reports import build_report, read_report
from lotline.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RecallView:
    id: str
    reference: str
    reason: str
    status: str
    held: bool
    criteria: dict[str, Any]
    shipped_quantity: Decimal
    recovered_quantity: Decimal
    effectiveness: Decimal | None
    notes: list[dict[str, Any]]
    report: dict[str, Any]
    created_at: dt.datetime
    closed_at: dt.datetime | None


class RecallService(Service):
    def create(self, *, reason: str, batch_ids: list[str] | None = None,
               supplier_id: str | None = None, received_from: Any = None,
               received_to: Any = None, hold: bool = False,
               reference: str | None = None) -> RecallView:
        self.actor.require(Role.MANAGER, "starting recalls")
        note = required_text(reason, "reason", max_length=2000)
        criteria = _criteria(batch_ids, supplier_id, received_from, received_to)
        with self.writing() as uow:
            named = _named_lots(uow, criteria)
            depths = _affected(uow, named)
            stored, report = build_report(uow, depths)
            held, already = (_hold_all(uow, depths, note) if hold else ([], []))
            for section in (stored, report):
                section.update(held_lots=held, already_held=already)
            counter = uow.flows.next_number("recall")
            now = self.actor.now()
            row = {"id": new_id(), "org_id": self.actor.org_id,
                   "reference": reference or f"RC-{counter:06d}", "reason": note,
                   "status": "open", "held": bool(hold), "criteria": criteria,
                   "report": stored, "shipped_quantity": report["shipped_quantity"],
                   "notes": [], "created_at": now, "updated_at": now, "closed_at": None}
            uow.recalls.add(row, depths)
            view = _to_view(SimpleNamespace(**row), Decimal(0), report)
            uow.events.add("recall.opened", recall_data(uow, view, list(depths)))
            return view

    def drill(self, batch_id: str) -> DrillResult:
        """A recall drill of one lot: what a recall would hand over (FSMA 204 rows,
        customers with contacts, EPCIS document) for its whole forward trace, and how long
        building it took; reads only, changes nothing."""
        self.actor.require(Role.MANAGER, "running recall drills")
        with self.reading(may_lag=True) as uow:
            return drill(uow, batch_id, _affected)

    def get(self, recall_id: str) -> RecallView:
        with self.reading() as uow:
            return _view(uow, recall_id)

    def list(self, status: str | None = None, limit: int | None = None,
             cursor: str | None = None) -> list[RecallView]:
        """Newest first; `limit` and `cursor` (the last id of the previous page) page. Their
        reports leave out the deliveries (`customers`, `unattributed`): `get` one for them."""
        with self.reading(may_lag=True) as uow:
            ids = uow.recalls.ids(status, limit, cursor)
            return [_view(uow, i, deliveries=False) for i in ids]

    def add_note(self, recall_id: str, text: str) -> RecallView:
        self.actor.require(Role.MANAGER, "annotating recalls")
        body = required_text(text, "note", max_length=2000)
        with self.writing() as uow:
            current = _view(uow, recall_id)
            notes = [*current.notes, {"at": self.actor.now().isoformat(),
                                      "by": self.actor.name, "text": body}]
            _update(uow, recall_id, notes=notes)
            view = _view(uow, recall_id)
            uow.events.add("recall.updated", recall_data(uow, view, note=body))
            return view

    def close(self, recall_id: str, note: str | None = None) -> RecallView:
        self.actor.require(Role.MANAGER, "closing recalls")
        text = clean_text(note, "note", max_length=2000)
        with self.writing() as uow:
            current = _view(uow, recall_id)
            if current.status == "closed":
                raise Conflict(f"recall {current.reference!r} is already closed")
            notes = current.notes + ([{"at": self.actor.now().isoformat(),
                                       "by": self.actor.name, "text": text}] if text else [])
            _update(uow, recall_id, status="closed", closed_at=self.actor.now(), notes=notes)
            view = _view(uow, recall_id)
            uow.events.add("recall.closed", recall_data(uow, view, note=text))
            return view


def _criteria(batch_ids: list[str] | None, supplier_id: str | None, received_from: Any,
              received_to: Any) -> dict[str, Any]:
    errors = ErrorCollector()
    start = errors.take(optional_date, received_from, "received_from")
    end = errors.take(optional_date, received_to, "received_to")
    if batch_ids is not None and (not isinstance(batch_ids, list) or not batch_ids):
        errors.add("batch_ids", "must be a non-empty list of lot ids", batch_ids)
    if not batch_ids and supplier_id is None:
        errors.add("batch_ids", "give batch_ids, or supplier_id with a date range")
    if start and end and end < start:
        errors.add("received_to", f"{end} is before received_from {start}", str(end))
    errors.raise_if_any()
    return {"batch_ids": list(batch_ids or []), "supplier_id": supplier_id,
            "received_from": start.isoformat() if start else None,
            "received_to": end.isoformat() if end else None}


def _named_lots(uow: UnitOfWork, criteria: dict[str, Any]) -> list[str]:
    named = []
    for batch_id in criteria["batch_ids"]:
        if uow.batches.get(str(batch_id)) is None:
            raise NotFound("batch", batch_id, "batch_ids")
        named.append(str(batch_id))
    if criteria["supplier_id"]:
        need_supplier(uow, criteria["supplier_id"])
        start, end = criteria["received_from"], criteria["received_to"]
        named.extend(uow.recalls.supplier_lots(
            criteria["supplier_id"], dt.date.fromisoformat(start) if start else None,
            dt.date.fromisoformat(end) if end else None))
    if not named:
        raise ValidationError.single("supplier_id", "no lot of this supplier was received in "
                                     "that date range", criteria["supplier_id"])
    return sorted(set(named))


def _affected(uow: UnitOfWork, named: list[str]) -> dict[str, int]:
    """The named lots (depth 0) and every lot made from them (depth = transformations)."""
    depths = dict.fromkeys(named, 0)
    frontier = list(named)
    edges = uow.trace.descendant_edges(named)
    children: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        if edge.input_batch_id and edge.output_batch_id:
            children[edge.input_batch_id].add(edge.output_batch_id)
    while frontier:
        batch_id = frontier.pop()
        for child in children.get(batch_id, ()):
            if child not in depths:
                depths[child] = depths[batch_id] + 1
                frontier.append(child)
    return depths


def _hold_all(uow: UnitOfWork, depths: dict[str, int], reason: str
              ) -> tuple[list[str], list[str]]:
    held, already = [], []
    now = uow.actor.now()
    for batch_id in sorted(depths):
        lot = uow.batches.get(batch_id, for_update=True)
        assert lot is not None
        if lot.hold is not None:
            already.append(batch_id)
            continue
        uow.batches.update(batch_id, {"hold_reason": reason, "hold_kind": HoldKind.RECALL.value,
                                      "hold_since": now})
        audit_batch(uow, batch_id, "hold", lot, reason)
        held.append(batch_id)
    return held, already


def note_recovery(uow: UnitOfWork, batch_id: str | None, serial_id: str | None,
                  quantity: Decimal, movement_id: str | None) -> None:
    """Returned units of a lot under an open recall count as recovered for it."""
    if batch_id is None:
        return
    open_recalls = uow.recalls.open_for_lot(batch_id)
    if open_recalls and movement_id is not None:
        # The ledger buffers its rows until commit; the recovery references the return's row.
        uow.ledger.flush()
    for recall_id in open_recalls:
        uow.recalls.add_recovery({
            "id": new_id(), "recall_id": recall_id, "batch_id": batch_id,
            "serial_id": serial_id, "quantity": quantity, "movement_id": movement_id,
            "recorded_at": uow.actor.now()})


def _update(uow: UnitOfWork, recall_id: str, **values: Any) -> None:
    uow.recalls.update(recall_id, {"updated_at": uow.actor.now(), **values})


def _view(uow: UnitOfWork, recall_id: str, *, deliveries: bool = True) -> RecallView:
    row = uow.recalls.get_row(str(recall_id))
    if row is None:
        raise NotFound("recall", recall_id)
    return _to_view(row, uow.recalls.recovered(row.id), read_report(uow, row, deliveries))


def _to_view(row: Any, recovered: Decimal, report: dict[str, Any]) -> RecallView:
    shipped: Decimal = row.shipped_quantity
    return RecallView(
        id=row.id, reference=row.reference, reason=row.reason, status=row.status,
        held=row.held, criteria=row.criteria, shipped_quantity=shipped,
        recovered_quantity=recovered,
        effectiveness=(recovered / shipped).quantize(Decimal("0.0001")) if shipped else None,
        notes=row.notes, report=report, created_at=row.created_at,
        closed_at=row.closed_at)

