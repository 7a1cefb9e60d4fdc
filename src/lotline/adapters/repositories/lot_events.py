"""Which movements a lot's events are made of (a lot's EPCIS export, a recall drill): the lots'
movements and the rest of every event they are part of. For a lot, a shipment that carried it
comes whole (its other lots too), and for several lots (a recall drill's trace) so does a
transformation that used or made them: an event is what happened, all of it, the same as in
the organization's export.

Two ways to find them, chosen by `found_by_ids`:
- by the ids of a union of index lookups (by lot, by order, by transformation): what a lot that
  is a small share of the organization's ledger needs, whatever the ledger's size;
- by one pass over the organization's ledger with an OR of the three: cheaper when the lots'
  movements are most of it (each found by id costs a lookup; the recall-drill bench's lot,
  100,000 movements of an organization holding little else, read 1.6x slower by ids).
PostgreSQL plans by its statistics and is given the first; SQLite has none, so the choice is
made here from two index-only counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select, text, tuple_, union

from lotline.adapters import tables as t
from lotline.domain.statuses import MovementKind

# By ids while the lots' movements are under this share of the movements table.
SCAN_SHARE = 0.25


def lots_term(m: Any, batch_id: str | Sequence[str]) -> Any:
    """One lot, or several (a recall drill's forward trace)."""
    return m.batch_id == batch_id if isinstance(batch_id, str) else \
        m.batch_id.in_(list(batch_id))


def found_by_ids(conn: Connection, batch_id: str | Sequence[str]) -> bool:
    """Whether to find the lots' events' movements by ids (see the module's note)."""
    if conn.dialect.name != "sqlite":
        return True
    lots = conn.execute(select(func.count()).select_from(t.movements).where(
        lots_term(t.movements.c, batch_id))).scalar_one()
    # The table's last rowid: its size (movements are never deleted), read off the b-tree.
    size = conn.execute(text("SELECT max(rowid) FROM movements")).scalar_one() or 0
    return bool(lots < SCAN_SHARE * size)


def whole(statement: Select[Any], org_id: str, batch_id: str | Sequence[str], *,
          by_ids: bool) -> Select[Any]:
    """`statement` (the organization's movements, its org term kept out of the indexes when
    `by_ids`, see trace.event_movements) narrowed to the lots' events' movements."""
    m = t.movements.c
    inner = t.movements.alias("traced").c  # not correlated with the outer movements
    # By ids, the inner reads name the lots only (ids of this organization's trace; the
    # outer read names it): naming it there too made SQLite pick its (org_id, recorded_at)
    # index for them as well.
    traced = (lots_term(inner, batch_id),) if by_ids else \
        (inner.org_id == org_id, lots_term(inner, batch_id))
    shipments = (*traced, inner.kind == MovementKind.SHIPMENT.value, inner.order_id.isnot(None))
    shipped = select(inner.order_id, inner.occurred_at).where(*shipments)
    made = select(inner.transformation_id).where(*traced, inner.transformation_id.isnot(None))
    several = not isinstance(batch_id, str)
    if not by_ids:
        terms = [lots_term(m, batch_id), tuple_(m.order_id, m.occurred_at).in_(shipped)]
        return statement.where(or_(*terms, *([m.transformation_id.in_(made)] if several
                                             else [])))
    part = t.movements.alias("part").c
    ids: list[Select[Any]] = [
        select(part.id).where(lots_term(part, batch_id)),
        select(part.id).where(part.order_id.in_(select(inner.order_id).where(*shipments)),
                              tuple_(part.order_id, part.occurred_at).in_(shipped))]
    if several:
        ids.append(select(part.id).where(part.transformation_id.in_(made)))
    return statement.where(m.id.in_(union(*ids)))
