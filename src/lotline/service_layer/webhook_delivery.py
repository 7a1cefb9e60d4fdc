"""The delivery job (DESIGN §9): queue each enabled endpoint's new events, then send them in
order, one attempt at a time, under the endpoint's lease — at least once, never two workers
on one endpoint. `deliver_due` is one pass; `lotline webhooks deliver` runs it (in a loop with
`--loop`). Stopping (SIGTERM) is asked between attempts: the attempt in flight is finished and
recorded; a worker killed outright leaves its attempt pending, sent again once the lease ends."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from lotline.domain.events import Event
from lotline.domain.ids import new_id
from lotline.domain.webhooks import DEFAULT_SCHEDULE, next_attempt, sign
from lotline.service_layer.context import Clock, utc_now
from lotline.service_layer.query_ports import DeliveryQueue
from lotline.service_layer.unit_of_work import UnitOfWorkFactory

LEASE = dt.timedelta(seconds=60)  # > the 10 s timeout: a lease never ends mid-attempt
ENDPOINTS_PER_PASS = 50
ATTEMPTS_PER_ENDPOINT = 500
QUEUE_PAGE = 1000


class Sent(Protocol):
    @property
    def status_code(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def delivered(self) -> bool: ...


class Sender(Protocol):
    def send(self, url: str, headers: dict[str, str], body: bytes) -> Sent: ...


def deliver_due(uows: UnitOfWorkFactory, sender: Sender, *,
                schedule: Sequence[int] = DEFAULT_SCHEDULE, clock: Clock = utc_now,
                stop: Callable[[], bool] = lambda: False) -> int:
    """One pass over the endpoints no other worker holds; the number of attempts made."""
    now = clock()
    with uows.delivery_queue() as queue:
        claimed = [endpoint_id for endpoint_id in queue.claimable(now, ENDPOINTS_PER_PASS)
                   if queue.claim(endpoint_id, now, now + LEASE)]
    attempts = 0
    for endpoint_id in claimed:
        try:
            if not stop():
                attempts += _serve(uows, endpoint_id, sender, schedule, clock, stop)
        finally:
            with uows.delivery_queue() as queue:
                queue.release(endpoint_id)
    return attempts


def _serve(uows: UnitOfWorkFactory, endpoint_id: str, sender: Sender,
           schedule: Sequence[int], clock: Clock, stop: Callable[[], bool]) -> int:
    _enqueue_new(uows, endpoint_id, clock())
    for attempts in range(ATTEMPTS_PER_ENDPOINT):
        if stop():
            return attempts
        now = clock()
        with uows.delivery_queue() as queue:
            endpoint = queue.endpoint(endpoint_id)
            head = queue.head(endpoint_id)
            if endpoint is None or not endpoint.enabled or head is None \
                    or head.next_attempt_at > now:
                return attempts
            event = queue.event(head.event_id)
        assert event is not None
        body = json.dumps(_event(event).as_dict(), separators=(",", ":")).encode()
        outcome = sender.send(endpoint.url, _headers(endpoint.secret, event.id, body), body)
        _record(uows, endpoint, head, outcome, schedule, clock())
    return ATTEMPTS_PER_ENDPOINT


def _enqueue_new(uows: UnitOfWorkFactory, endpoint_id: str, now: dt.datetime) -> None:
    with uows.delivery_queue() as queue:
        endpoint = queue.endpoint(endpoint_id)
        if endpoint is None:
            return
        position = (endpoint.cursor_txid, endpoint.cursor_id)
        events = queue.feed_after(endpoint.org_id, position, endpoint.event_types,
                                  QUEUE_PAGE)
        if events:
            tail = _position(queue, events[-1].id)
            queue.enqueue(endpoint, [e.id for e in events], tail, now,
                          [new_id() for _ in events])


def _position(queue: DeliveryQueue, event_id: int) -> tuple[int, int]:
    row = queue.event(event_id)
    assert row is not None  # just read from the feed
    return (row.txid, row.id)


def _headers(secret: str, event_id: int, body: bytes) -> dict[str, str]:
    # The wall clock, not the scheduling clock: receivers compare it with theirs.
    message_id, timestamp = f"evt_{event_id}", int(time.time())
    return {"content-type": "application/json", "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body)}


def _event(row: Any) -> Event:
    return Event(id=row.id, type=row.type, occurred_at=row.occurred_at,
                 organization_id=row.org_id, actor=row.actor, data=row.data)


def _record(uows: UnitOfWorkFactory, endpoint: Any, head: Any, outcome: Sent,
            schedule: Sequence[int], now: dt.datetime) -> None:
    attempts = head.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "last_status_code": outcome.status_code,
                              "last_error": outcome.error,
                              "last_duration_ms": outcome.duration_ms}
    with uows.delivery_queue() as queue:
        if outcome.delivered:
            queue.record(head.id, {**values, "status": "delivered", "delivered_at": now,
                                   "next_attempt_at": None})
            return
        retry_at = next_attempt(schedule, attempts, now)
        if retry_at is not None:
            queue.record(head.id, {**values, "next_attempt_at": retry_at})
            return
        queue.record(head.id, {**values, "status": "failed", "next_attempt_at": None})
        queue.disable(endpoint.id, f"delivery {head.id} (event {head.event_id}) failed "
                                   f"{attempts} times, the whole retry schedule; last error: "
                                   f"{outcome.error}", now)
