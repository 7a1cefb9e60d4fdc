"""Units of a lot installed in other units (status INSTALLED): trace and recall follow them
through their parents, so the customer who received an assembly is found from the lot of a
component inside it. The parent chain is walked with a recursive CTE from the lots' installed
units (the `batch_id, status` index finds them), so lots with none cost one index probe."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, literal, select

from lotline.adapters import tables as t
from lotline.domain.statuses import MovementKind, SerialStatus
from lotline.service_layer.ports import InstalledUnit

MAX_DEPTH = 64  # assemblies are acyclic by construction; the walk is bounded anyway


@dataclass(slots=True)
class _Carried:
    """What one order received of one lot inside assemblies."""

    components: set[str] = field(default_factory=set)
    serials: set[str] = field(default_factory=set)
    assemblies: set[str] = field(default_factory=set)
    returned: set[str] = field(default_factory=set)
    times: list[dt.datetime] = field(default_factory=list)


def installed_units(conn: Connection, org_id: str,
                    batch_ids: Sequence[str]) -> list[InstalledUnit]:
    s = t.serials.c
    seed = select(s.id.label("component_id"), s.batch_id, s.serial_number,
                  s.parent_serial_id.label("assembly_id"), literal(1).label("depth")).where(
        s.batch_id.in_(list(batch_ids)), s.status == SerialStatus.INSTALLED.value,
        s.parent_serial_id.isnot(None))
    up = seed.cte("up", recursive=True)
    parent = t.serials.alias("parent")
    up = up.union_all(
        select(up.c.component_id, up.c.batch_id, up.c.serial_number,
               parent.c.parent_serial_id, up.c.depth + 1)
        .join(parent, parent.c.id == up.c.assembly_id)
        .where(parent.c.org_id == org_id, parent.c.parent_serial_id.isnot(None),
               up.c.depth < MAX_DEPTH))
    chains: dict[str, list[tuple[int, str]]] = defaultdict(list)
    first: dict[str, tuple[str, str]] = {}
    for component_id, batch_id, number, assembly_id, depth in conn.execute(select(up)):
        chains[component_id].append((depth, assembly_id))
        first[component_id] = (batch_id, number)
    return [InstalledUnit(batch_id=first[c][0], component_id=c, serial_number=first[c][1],
                          assembly_ids=tuple(a for _, a in sorted(chain)))
            for c, chain in sorted(chains.items(), key=lambda item: first[item[0]][1])]


def components_within(conn: Connection, org_id: str,
                      serial_id: str) -> list[tuple[str, str | None]]:
    """(id, batch_id) of every unit installed in this one, at any depth."""
    s = t.serials.c
    seed = select(s.id, s.batch_id, literal(1).label("depth")).where(
        s.parent_serial_id == serial_id, s.org_id == org_id)
    down = seed.cte("down", recursive=True)
    child = t.serials.alias("child")
    down = down.union_all(
        select(child.c.id, child.c.batch_id, down.c.depth + 1)
        .join(down, child.c.parent_serial_id == down.c.id)
        .where(child.c.org_id == org_id, down.c.depth < MAX_DEPTH))
    return [(row.id, row.batch_id) for row in conn.execute(
        select(down.c.id, down.c.batch_id).order_by(down.c.id))]


def carried_deliveries(conn: Connection, org_id: str, units: Sequence[InstalledUnit],
                       as_of: dt.datetime | None = None) -> list[tuple[Any, ...]]:
    """Per lot and order, the components that left inside a shipped assembly: rows of
    (batch_id, order_id, quantity, returned, serial numbers, assembly numbers, first, last)."""
    assembly_ids = sorted({a for unit in units for a in unit.assembly_ids})
    if not assembly_ids:
        return []
    events = _assembly_events(conn, org_id, assembly_ids, as_of)
    numbers = dict(conn.execute(select(t.serials.c.id, t.serials.c.serial_number).where(
        t.serials.c.id.in_(assembly_ids))).all())
    carried: dict[tuple[str, str | None], _Carried] = defaultdict(_Carried)
    for unit in units:
        for assembly_id in unit.assembly_ids:
            for kind, order_id, occurred_at in events.get(assembly_id, []):
                entry = carried[(unit.batch_id, order_id)]
                if kind == MovementKind.RETURN.value:
                    entry.returned.add(unit.component_id)
                    continue
                entry.components.add(unit.component_id)
                entry.serials.add(unit.serial_number)
                entry.assemblies.add(numbers[assembly_id])
                entry.times.append(occurred_at)
    return [(batch_id, order_id, Decimal(len(c.components)),
             Decimal(len(c.returned & c.components)), sorted(c.serials), sorted(c.assemblies),
             min(c.times), max(c.times))
            for (batch_id, order_id), c in sorted(carried.items(), key=_order_key)
            if c.components]


def _order_key(item: tuple[tuple[str, str | None], _Carried]) -> tuple[str, str]:
    (batch_id, order_id), _ = item
    return batch_id, order_id or ""


def _assembly_events(conn: Connection, org_id: str, assembly_ids: Sequence[str],
                     as_of: dt.datetime | None) -> dict[str, list[tuple[str, str | None, Any]]]:
    """Shipments and returns of the assemblies, reversed ones left out."""
    m, rev = t.movements.c, t.movements.alias("rev").c
    reversed_ids = select(rev.reverses_id).where(rev.serial_id.in_(list(assembly_ids)),
                                                 rev.reverses_id.isnot(None))
    if as_of is not None:
        reversed_ids = reversed_ids.where(rev.recorded_at <= as_of)
    statement = select(m.serial_id, m.kind, m.order_id, m.occurred_at).where(
        m.org_id == org_id, m.serial_id.in_(list(assembly_ids)),
        m.kind.in_([MovementKind.SHIPMENT.value, MovementKind.RETURN.value]),
        m.id.not_in(reversed_ids))
    if as_of is not None:
        statement = statement.where(m.recorded_at <= as_of)
    events: dict[str, list[tuple[str, str | None, Any]]] = defaultdict(list)
    for serial_id, kind, order_id, occurred_at in conn.execute(statement.order_by(m.id)):
        events[serial_id].append((kind, order_id, occurred_at))
    return events


def top_assemblies(conn: Connection, units: Sequence[InstalledUnit]) -> dict[str, Any]:
    """The outermost unit of each chain: its number, status and location code, by id."""
    ids = sorted({unit.assembly_ids[-1] for unit in units})
    s, loc = t.serials.c, t.locations.c
    rows = conn.execute(select(s.id, s.serial_number, s.status, loc.code)
                        .outerjoin(t.locations, loc.id == s.location_id)
                        .where(s.id.in_(ids)))
    return {row.id: row for row in rows}

