"""Trace backward (unit or lot -> lot -> supplier and receipt -> inputs, recursively) and
forward (lot -> orders and customers -> output lots, recursively)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lotline.domain.errors import Ambiguous, LotlineError, NotFound, ValidationError
from lotline.domain.trace import BackwardNode, ForwardNode, UnitTrace
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor
from lotline.service_layer.scan import ScanResult, ScanService
from lotline.service_layer.serials import SerialService
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

DIRECTIONS = ("backward", "forward")


@dataclass(frozen=True, slots=True)
class ScanTrace:
    """A trace started from a scan: the unit's own trace when it names a serial, else the
    lot's tree in the direction asked for (forward from a unit: its lot's)."""

    scan: ScanResult
    serial: UnitTrace | None
    backward: BackwardNode | None
    forward: ForwardNode | None


def _need_lot(uow: UnitOfWork, batch_id: str) -> str:
    if uow.batches.get(str(batch_id)) is None:
        raise NotFound("batch", batch_id, "batch_id")
    return str(batch_id)


class TraceService(Service):
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor, *, serials: SerialService,
                 scan: ScanService) -> None:
        super().__init__(uows, actor)
        self.serials = serials
        self.scan_service = scan

    def backward(self, batch_id: str) -> BackwardNode:
        with self.reading(may_lag=True) as uow:
            return _backward_tree(uow, _need_lot(uow, batch_id))

    def forward(self, batch_id: str) -> ForwardNode:
        with self.reading(may_lag=True) as uow:
            return forward_tree(uow, _need_lot(uow, batch_id))

    def serial(self, serial_number: str, product_id: str | None = None) -> UnitTrace:
        """Backward from one unit (exact number; ambiguous numbers need the product)."""
        serial = self.serials.lookup(serial_number, product_id)
        with self.reading(may_lag=True) as uow:
            repo = uow.trace
            parents, components = _assembly(uow, serial.id, serial.parent_serial_id)
            made_by = _made_by_serial(uow, serial.id)
            receipts = repo.receipts(serial_ids=[serial.id]).get(serial.id, [])
            lot = _backward_tree(uow, serial.batch_id) if serial.batch_id else None
            inputs, consumed = ([], []) if serial.batch_id else _unit_inputs(uow, serial.id)
            return UnitTrace(serial_id=serial.id, serial_number=serial.serial_number,
                             status=serial.status.value, product_id=serial.product_id,
                             order_id=serial.order_id, installed_in=parents,
                             components=components, receipts=receipts, made_by=made_by,
                             lot=lot, inputs=inputs, consumed_serials=consumed)


    def scan(self, data: Any, direction: str = "backward") -> ScanTrace:
        """Trace what a barcode (or a typed serial or lot number) names."""
        if direction not in DIRECTIONS:
            raise ValidationError.single("direction", "must be backward or forward", direction)
        scan = self.scan_service.parse(data)
        unit, lot_id = scan.serial_record, scan.batch.id if scan.batch else None
        if unit is not None:
            lot_id = unit.batch_id
        elif lot_id is None:
            raise _nothing_to_trace(scan)
        serial = self.serial(unit.serial_number, unit.product_id) if unit else None
        backward = self.backward(lot_id) if lot_id and not unit and direction == "backward" \
            else None
        forward = self.forward(lot_id) if lot_id and direction == "forward" else None
        return ScanTrace(scan=scan, serial=serial, backward=backward, forward=forward)


def _nothing_to_trace(scan: ScanResult) -> LotlineError:
    ambiguous = [w for w in scan.warnings if w.code == "lot_ambiguous"]
    if ambiguous:
        return Ambiguous(f"lot number {scan.lot!r}", ambiguous[0].candidates)
    if scan.serial:
        return NotFound("serial", scan.serial, "serial_number")
    if scan.lot:
        return NotFound("batch", scan.lot, "batch_number")
    return NotFound("lot or serial", scan.gtin or scan.sscc or "", "scan")


def _assembly(uow: UnitOfWork, serial_id: str, parent_id: str | None
              ) -> tuple[list[str], list[str]]:
    """The chain of units this one is installed in, and the units installed in it."""
    parents: list[str] = []
    seen = {serial_id}
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = uow.serials.get(parent_id)
        if parent is None:
            break
        parents.append(parent.serial_number)
        parent_id = parent.parent_serial_id
    components = uow.trace.component_numbers(serial_id)
    return parents, sorted(components)


def _made_by_serial(uow: UnitOfWork, serial_id: str) -> list[Any]:
    ids = uow.trace.transformations_making(serial_id)
    return list(uow.trace.transformations(ids).values())


def _unit_inputs(uow: UnitOfWork, serial_id: str) -> tuple[list[BackwardNode], list[str]]:
    """What the transformations that made a lotless unit consumed: input lots (each traced
    back) and input units."""
    edges = uow.trace.inputs_of_unit(serial_id)
    lots = sorted({batch_id for batch_id, _ in edges if batch_id})
    units = [serial for _, serial in edges if serial]
    numbers = uow.trace.serial_numbers(units)
    return [_backward_tree(uow, batch_id) for batch_id in lots], sorted(numbers.values())


def _backward_tree(uow: UnitOfWork, root: str) -> BackwardNode:
    repo = uow.trace
    edges = repo.ancestor_edges([root])
    inputs_of: dict[str, list[Any]] = defaultdict(list)
    for edge in edges:
        inputs_of[edge.output_batch_id].append(edge)
    lots = {root} | {e.input_batch_id for e in edges if e.input_batch_id} | \
        {e.output_batch_id for e in edges if e.output_batch_id}
    refs = repo.lot_refs(list(lots))
    receipts = repo.receipts(batch_ids=list(lots))
    transformations = repo.transformations(list({e.transformation_id for e in edges}))
    numbers = repo.serial_numbers([e.input_serial_id for e in edges if e.input_serial_id])

    def build(batch_id: str, path: frozenset[str]) -> BackwardNode:
        own = inputs_of.get(batch_id, [])
        children = sorted({e.input_batch_id for e in own if e.input_batch_id} - path)
        return BackwardNode(
            lot=refs[batch_id], receipts=receipts.get(batch_id, []),
            made_by=[transformations[i] for i in sorted({e.transformation_id for e in own})],
            consumed_serials=sorted({numbers[e.input_serial_id] for e in own
                                     if e.input_serial_id}),
            inputs=[build(child, path | {child}) for child in children])

    return build(root, frozenset({root}))


def forward_tree(uow: UnitOfWork, root: str) -> ForwardNode:
    repo = uow.trace
    edges = repo.descendant_edges([root])
    outputs_of: dict[str, list[Any]] = defaultdict(list)
    for edge in edges:
        if edge.input_batch_id:
            outputs_of[edge.input_batch_id].append(edge)
    lots = {root} | {e.output_batch_id for e in edges if e.output_batch_id}
    refs = repo.lot_refs(list(lots))
    deliveries: dict[str, list[Any]] = defaultdict(list)
    for delivery in repo.deliveries(list(lots)):
        deliveries[delivery.batch_id].append(delivery)
    on_hand: dict[str, Decimal] = defaultdict(Decimal)
    for row in repo.on_hand(list(lots)):
        on_hand[row.batch_id] += row.balance_quantity
    transformations = repo.transformations(list({e.transformation_id for e in edges}))

    def build(batch_id: str, path: frozenset[str]) -> ForwardNode:
        own = outputs_of.get(batch_id, [])
        children = sorted({e.output_batch_id for e in own if e.output_batch_id} - path)
        sent = deliveries.get(batch_id, [])
        return ForwardNode(
            lot=refs[batch_id], deliveries=sent,
            shipped_quantity=sum((d.quantity for d in sent), Decimal(0)),
            on_hand=on_hand.get(batch_id, Decimal(0)),
            used_in=[transformations[i] for i in sorted({e.transformation_id for e in own})],
            outputs=[build(child, path | {child}) for child in children])

    return build(root, frozenset({root}))
