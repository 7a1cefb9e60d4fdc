"""Reading transformations back: what each consumed and made, rebuilt from its genealogy edges
(one per input × output unit, written in the same transaction as the movements)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotline.domain.errors import NotFound
from lotline.service_layer.transformation_model import Consumed, Made, Transformation
from lotline.service_layer.unit_of_work import UnitOfWork


def transformation_view(uow: UnitOfWork, transformation_id: str) -> Transformation:
    row = uow.transformations.get_row(str(transformation_id))
    if row is None:
        raise NotFound("transformation", transformation_id)
    edges = uow.transformations.edges(row.id)
    return Transformation(id=row.id, reference=row.reference, kind=row.kind,
                          inputs=_inputs(uow, edges), outputs=_outputs(edges),
                          occurred_at=row.occurred_at, location_id=row.location_id,
                          notes=row.notes)


def transformation_ids(uow: UnitOfWork, limit: int, cursor: str | None) -> list[str]:
    """Newest first; `cursor` is the last id of the previous page."""
    return uow.transformations.ids(limit, cursor)


def _input_key(edge: Any) -> tuple[Any, ...]:
    return edge.input_batch_id, edge.input_serial_id, edge.input_product_id, edge.input_quantity


def _inputs(uow: UnitOfWork, edges: list[Any]) -> list[Consumed]:
    """Each input once, in the order it was given; cost at its lot's (or unit's) cost."""
    seen: dict[tuple[Any, ...], Any] = {}
    for edge in edges:
        seen.setdefault(_input_key(edge), edge)
    consumed = []
    for batch_id, serial_id, product_id, quantity in seen:
        unit_cost = _unit_cost(uow, batch_id, serial_id)
        consumed.append(Consumed(product_id, batch_id, serial_id, quantity,
                                 quantity * (unit_cost or Decimal(0))))
    return consumed


def _unit_cost(uow: UnitOfWork, batch_id: str | None, serial_id: str | None) -> Decimal | None:
    serial = uow.serials.get(serial_id) if serial_id else None
    if serial is not None and serial.unit_cost is not None:
        return serial.unit_cost
    lot = uow.batches.get(batch_id) if batch_id else None
    return lot.unit_cost if lot is not None else None


def _outputs(edges: list[Any]) -> list[Made]:
    """The outputs as the edges of the first input list them: per product and lot, the units
    made (serials) and the quantity."""
    if not edges:
        return []
    first = _input_key(edges[0])
    made: dict[tuple[str, str | None], tuple[list[str], Decimal]] = {}
    for edge in edges:
        if _input_key(edge) != first:
            continue
        serials, quantity = made.get((edge.output_product_id, edge.output_batch_id),
                                     ([], Decimal(0)))
        if edge.output_serial_id:
            serials.append(edge.output_serial_id)
        made[(edge.output_product_id, edge.output_batch_id)] = (
            serials, quantity + edge.output_quantity)
    return [Made(product_id, batch_id, serials, quantity)
            for (product_id, batch_id), (serials, quantity) in made.items()]
