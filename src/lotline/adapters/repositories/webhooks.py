"""Webhook endpoints and their deliveries (DESIGN §9).

A worker sends to an endpoint only while it holds the endpoint's lease (`lease_until`), taken
by a compare-and-set UPDATE in a short transaction of its own (on PostgreSQL after `FOR UPDATE
SKIP LOCKED`, so workers pass over endpoints another is claiming). No transaction stays open
during an HTTP call: an open write transaction would hold back the change feed's horizon."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, func, insert, or_, select, update

from lotline.adapters import tables as t
from lotline.adapters.repositories.events import EventRepository, Position
from lotline.domain.events import Event

W = t.webhook_endpoints.c
D = t.webhook_deliveries.c


class WebhookRepository:
    def __init__(self, conn: Connection, org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    def add(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.webhook_endpoints).values(org_id=self.org_id, **values))

    def get(self, endpoint_id: str) -> Row[Any] | None:
        return self.conn.execute(select(t.webhook_endpoints).where(
            W.org_id == self.org_id, W.id == endpoint_id)).first()

    def list(self) -> builtins.list[Row[Any]]:
        return list(self.conn.execute(select(t.webhook_endpoints).where(
            W.org_id == self.org_id).order_by(W.created_at, W.id)))

    def update(self, endpoint_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.webhook_endpoints).where(
            W.org_id == self.org_id, W.id == endpoint_id).values(**values))

    def delete(self, endpoint_id: str) -> None:
        self.conn.execute(t.webhook_deliveries.delete().where(D.endpoint_id == endpoint_id))
        self.conn.execute(t.webhook_endpoints.delete().where(
            W.org_id == self.org_id, W.id == endpoint_id))

    def deliveries(self, endpoint_id: str, limit: int) -> builtins.list[Row[Any]]:
        return list(self.conn.execute(select(t.webhook_deliveries).where(
            D.org_id == self.org_id, D.endpoint_id == endpoint_id)
            .order_by(D.seq.desc()).limit(limit)))

    def delivery(self, endpoint_id: str, delivery_id: str) -> Row[Any] | None:
        return self.conn.execute(select(t.webhook_deliveries).where(
            D.org_id == self.org_id, D.endpoint_id == endpoint_id,
            D.id == delivery_id)).first()

    def update_delivery(self, delivery_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.webhook_deliveries).where(
            D.id == delivery_id).values(**values))


class DeliveryQueue:
    """Installation-wide: what the worker reads and writes across organizations."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def claimable(self, now: dt.datetime, limit: int) -> list[str]:
        statement = (select(W.id).where(W.enabled.is_(True),
                                        or_(W.lease_until.is_(None), W.lease_until < now))
                     .order_by(W.id).limit(limit))
        if self.conn.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        return list(self.conn.execute(statement).scalars())

    def claim(self, endpoint_id: str, now: dt.datetime, until: dt.datetime) -> bool:
        """Compare-and-set: True for the one worker whose UPDATE took the lease."""
        result = self.conn.execute(update(t.webhook_endpoints).where(
            W.id == endpoint_id, W.enabled.is_(True),
            or_(W.lease_until.is_(None), W.lease_until < now)).values(lease_until=until))
        return result.rowcount == 1

    def release(self, endpoint_id: str) -> None:
        self.conn.execute(update(t.webhook_endpoints).where(W.id == endpoint_id)
                          .values(lease_until=None))

    def endpoint(self, endpoint_id: str) -> Row[Any] | None:
        return self.conn.execute(select(t.webhook_endpoints).where(
            W.id == endpoint_id)).first()

    def enqueue(self, endpoint: Row[Any], event_ids: list[int], position: Position,
                now: dt.datetime, new_ids: list[str]) -> None:
        last = self.conn.execute(select(func.coalesce(func.max(D.seq), 0)).where(
            D.endpoint_id == endpoint.id)).scalar_one()
        if event_ids:
            self.conn.execute(insert(t.webhook_deliveries), [
                {"id": delivery_id, "org_id": endpoint.org_id, "endpoint_id": endpoint.id,
                 "event_id": event_id, "seq": last + i + 1, "status": "pending",
                 "attempts": 0, "next_attempt_at": now, "created_at": now}
                for i, (event_id, delivery_id) in enumerate(zip(event_ids, new_ids,
                                                                strict=True))])
        self.conn.execute(update(t.webhook_endpoints).where(W.id == endpoint.id).values(
            cursor_txid=position[0], cursor_id=position[1]))

    def head(self, endpoint_id: str) -> Row[Any] | None:
        """The endpoint's oldest undelivered delivery: nothing after it is sent before it."""
        return self.conn.execute(select(t.webhook_deliveries).where(
            D.endpoint_id == endpoint_id, D.status == "pending")
            .order_by(D.seq).limit(1)).first()

    def event(self, event_id: int) -> Row[Any] | None:
        return self.conn.execute(select(t.events).where(t.events.c.id == event_id)).first()

    def feed_after(self, org_id: str, position: Position, types: list[str],
                   limit: int) -> list[Event]:
        return EventRepository(self.conn, org_id).page(position, types, limit)

    def record(self, delivery_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.webhook_deliveries).where(D.id == delivery_id)
                          .values(**values))

    def disable(self, endpoint_id: str, reason: str, now: dt.datetime) -> None:
        self.conn.execute(update(t.webhook_endpoints).where(W.id == endpoint_id).values(
            enabled=False, disabled_reason=reason, updated_at=now, lease_until=None))
