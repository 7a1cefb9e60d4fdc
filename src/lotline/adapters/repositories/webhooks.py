"""Webhook endpoints and their deliveries (DESIGN §9).

A worker sends to an endpoint only while it holds the endpoint's lease (`lease_until`), taken
by a compare-and-set UPDATE in a short transaction of its own (on PostgreSQL after `FOR UPDATE
SKIP LOCKED`, so workers pass over endpoints another is claiming). No transaction stays open
during an HTTP call: an open write transaction would hold back the change feed's horizon."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, or_, select, update

from lotline.adapters import tables as t
from lotline.adapters.repositories.events import EventRepository, Position
from lotline.domain.events import Event

W = t.webhook_endpoints.c
D = t.webhook_deliveries.c
A = t.webhook_attempts.c
E = t.events.c
# What a delivery is sent with: its row, and its event's (None for a test delivery).
DUE_COLUMNS = (*t.webhook_deliveries.c, E.type.label("event_type"),
               E.occurred_at.label("event_occurred_at"), E.actor.label("event_actor"),
               E.data.label("event_data"))


def add_attempts(conn: Connection, attempts: list[dict[str, Any]]) -> None:
    if attempts:
        conn.execute(insert(t.webhook_attempts), attempts)


def update_deliveries(conn: Connection, changes: list[dict[str, Any]]) -> None:
    """Each change is the new values of one delivery, keyed by `delivery_id`; one statement
    executed for all (the same columns in each)."""
    if changes:
        columns = [name for name in changes[0] if name != "delivery_id"]
        conn.execute(update(t.webhook_deliveries).where(D.id == bindparam("delivery_id"))
                     .values({name: bindparam(name) for name in columns}), changes)


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
        self.conn.execute(t.webhook_attempts.delete().where(A.endpoint_id == endpoint_id))
        self.conn.execute(t.webhook_deliveries.delete().where(D.endpoint_id == endpoint_id))
        self.conn.execute(t.webhook_endpoints.delete().where(
            W.org_id == self.org_id, W.id == endpoint_id))

    def deliveries(self, endpoint_id: str, limit: int) -> builtins.list[Row[Any]]:
        return list(self.conn.execute(self._deliveries().where(
            D.org_id == self.org_id, D.endpoint_id == endpoint_id)
            .order_by(D.seq.desc(), D.created_at.desc()).limit(limit)))

    def delivery(self, endpoint_id: str, delivery_id: str) -> Row[Any] | None:
        return self.conn.execute(self._deliveries().where(
            D.org_id == self.org_id, D.endpoint_id == endpoint_id,
            D.id == delivery_id)).first()

    @staticmethod
    def _deliveries() -> Any:
        return select(*DUE_COLUMNS).select_from(t.webhook_deliveries.outerjoin(
            t.events, E.id == D.event_id))

    def attempts(self, delivery_ids: builtins.list[str]) -> builtins.list[Row[Any]]:
        """The attempts of these deliveries, oldest first."""
        if not delivery_ids:
            return []
        return list(self.conn.execute(select(t.webhook_attempts).where(
            A.delivery_id.in_(delivery_ids)).order_by(A.delivery_id, A.id)))

    def next_seq(self, endpoint_id: str) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(D.seq), 0)).where(
            D.endpoint_id == endpoint_id)).scalar_one()) + 1

    def add_delivery(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.webhook_deliveries).values(org_id=self.org_id, **values))

    def requeue_failed(self, endpoint_id: str, now: dt.datetime) -> None:
        """The deliveries that used up the schedule (not test messages) are due again."""
        self.conn.execute(update(t.webhook_deliveries).where(
            D.org_id == self.org_id, D.endpoint_id == endpoint_id, D.status == "failed",
            D.event_id.is_not(None)).values(status="pending", attempts=0,
                                            next_attempt_at=now))

    def add_attempts(self, attempts: builtins.list[dict[str, Any]]) -> None:
        add_attempts(self.conn, attempts)

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

    def due(self, endpoint_id: str, limit: int) -> list[Row[Any]]:
        """The endpoint's oldest undelivered deliveries, in order, with their events:
        nothing after the first is sent before it."""
        return list(self.conn.execute(select(*DUE_COLUMNS).select_from(
            t.webhook_deliveries.outerjoin(t.events, E.id == D.event_id)).where(
            D.endpoint_id == endpoint_id, D.status == "pending")
            .order_by(D.seq).limit(limit)))

    def event(self, event_id: int) -> Row[Any] | None:
        return self.conn.execute(select(t.events).where(t.events.c.id == event_id)).first()

    def feed_after(self, org_id: str, position: Position, types: list[str],
                   limit: int) -> list[Event]:
        return EventRepository(self.conn, org_id).page(position, types, limit)

    def record(self, changes: list[dict[str, Any]], attempts: list[dict[str, Any]]) -> None:
        """The outcome of a batch of attempts: each delivery's new values, and the attempts
        log's rows."""
        update_deliveries(self.conn, changes)
        add_attempts(self.conn, attempts)

    def disable(self, endpoint_id: str, reason: str, now: dt.datetime) -> None:
        self.conn.execute(update(t.webhook_endpoints).where(W.id == endpoint_id).values(
            enabled=False, disabled_reason=reason, updated_at=now, lease_until=None))
