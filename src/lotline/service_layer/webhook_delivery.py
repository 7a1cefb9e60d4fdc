"""The delivery job (DESIGN §9): queue each enabled endpoint's new events, then send them in
order under the endpoint's lease — at least once, never two workers on one endpoint.

Work goes by batches: one short transaction queues new events and reads up to BATCH due
deliveries with their events; they are sent one after the other (one HTTP client, keep-alive)
until the first failure, which the later ones wait behind; one transaction records the
batch (each delivery's state and one attempts-log row per attempt). Stopping (SIGTERM) is
asked between attempts: the attempt in flight is finished and recorded with its batch. A
worker killed outright records nothing of its batch: those deliveries are still pending and
are sent again once the lease ends (a receiver may see one twice, never lose one).

A worker sends to an endpoint for at most `lease - TIMEOUT_SECONDS - LEASE_MARGIN` seconds
after taking its lease, so the lease never ends while an attempt is in flight."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from lotline.domain.events import Event
from lotline.domain.ids import new_id
from lotline.domain.webhooks import (
    DEFAULT_SCHEDULE,
    LEASE_SECONDS,
    TEST_EVENT_TYPE,
    TIMEOUT_SECONDS,
    next_attempt,
    sign,
)
from lotline.service_layer.context import Clock, utc_now
from lotline.service_layer.query_ports import DeliveryQueue
from lotline.service_layer.unit_of_work import UnitOfWorkFactory

LEASE_MARGIN = 5.0
ENDPOINTS_PER_PASS = 50
ATTEMPTS_PER_ENDPOINT = 1000  # then the next endpoint's turn
BATCH = 100
QUEUE_PAGE = 1000


class Sent(Protocol):
    @property
    def status_code(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def response_body(self) -> str | None: ...
    @property
    def delivered(self) -> bool: ...


class Sender(Protocol):
    def send(self, url: str, headers: dict[str, str], body: bytes) -> Sent: ...
    def close(self) -> None: ...


Tried = tuple[Any, Sent, dt.datetime]  # a delivery, what its attempt got, when it was made


def deliver_due(uows: UnitOfWorkFactory, sender: Sender, *,
                schedule: Sequence[int] = DEFAULT_SCHEDULE, clock: Clock = utc_now,
                stop: Callable[[], bool] = lambda: False,
                lease_seconds: float = LEASE_SECONDS) -> int:
    """One pass over the endpoints no other worker holds; the number of attempts made.
    Each endpoint is claimed just before it is served and released after."""
    with uows.delivery_queue() as queue:
        candidates = queue.claimable(clock(), ENDPOINTS_PER_PASS)
    attempts = 0
    for endpoint_id in candidates:
        if stop():
            break
        now, taken = clock(), time.monotonic()
        with uows.delivery_queue() as queue:
            if not queue.claim(endpoint_id, now, now + dt.timedelta(seconds=lease_seconds)):
                continue
        try:
            ends = taken + max(0.0, lease_seconds - TIMEOUT_SECONDS - LEASE_MARGIN)
            attempts += _serve(uows, endpoint_id, sender, schedule, clock,
                               _stopping_at(stop, ends))
        finally:
            with uows.delivery_queue() as queue:
                queue.release(endpoint_id)
    return attempts


def _stopping_at(stop: Callable[[], bool], ends: float) -> Callable[[], bool]:
    return lambda: stop() or time.monotonic() > ends


def _serve(uows: UnitOfWorkFactory, endpoint_id: str, sender: Sender,
           schedule: Sequence[int], clock: Clock, stop: Callable[[], bool]) -> int:
    made = 0
    while made < ATTEMPTS_PER_ENDPOINT and not stop():
        with uows.delivery_queue() as queue:
            endpoint = queue.endpoint(endpoint_id)
            if endpoint is None or not endpoint.enabled:
                return made
            _enqueue_new(queue, endpoint, clock())
            batch = queue.due(endpoint_id, min(BATCH, ATTEMPTS_PER_ENDPOINT - made))
        tried = _send_batch(endpoint, batch, sender, clock, stop)
        if not tried:
            return made
        _record(uows, endpoint, tried, schedule, clock())
        made += len(tried)
        if not tried[-1][1].delivered:
            return made
    return made


def _send_batch(endpoint: Any, batch: Sequence[Any], sender: Sender, clock: Clock,
                stop: Callable[[], bool]) -> list[Tried]:
    """Send in order until one fails, one is not due yet, or the worker is stopping."""
    tried: list[Tried] = []
    for delivery in batch:
        due = delivery.next_attempt_at
        if (tried and stop()) or (due is not None and due > clock()):
            break
        message = delivery_message(delivery)
        body = json.dumps(message, separators=(",", ":")).encode()
        outcome = sender.send(endpoint.url, headers(endpoint.secret, message["id"], body), body)
        tried.append((delivery, outcome, clock()))
        if not outcome.delivered:
            break
    return tried


def _enqueue_new(queue: DeliveryQueue, endpoint: Any, now: dt.datetime) -> None:
    position = (endpoint.cursor_txid, endpoint.cursor_id)
    events = queue.feed_after(endpoint.org_id, position, endpoint.event_types, QUEUE_PAGE)
    if events:
        tail = queue.event(events[-1].id)
        assert tail is not None  # just read from the feed
        queue.enqueue(endpoint, [e.id for e in events], (tail.txid, tail.id), now,
                      [new_id() for _ in events])


def delivery_message(delivery: Any) -> dict[str, Any]:
    """The body of a delivery: its event as the change feed shows it, or a test's own."""
    if delivery.event_id is None:
        return dict(delivery.payload)
    return Event(id=delivery.event_id, type=delivery.event_type,
                 occurred_at=delivery.event_occurred_at, organization_id=delivery.org_id,
                 actor=delivery.event_actor, data=delivery.event_data).as_dict()


def headers(secret: str, message_id: str, body: bytes) -> dict[str, str]:
    """Standard Webhooks headers. `webhook-id` is `evt_<event id>` (the same on every retry,
    for receivers' deduplication). The timestamp is the wall clock, not the scheduling
    clock: receivers compare it with theirs."""
    webhook_id = message_id if message_id.startswith("test_") else f"evt_{message_id}"
    timestamp = int(time.time())
    return {"content-type": "application/json", "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, webhook_id, timestamp, body)}


def attempt_row(delivery: Any, outcome: Sent, at: dt.datetime) -> dict[str, Any]:
    """`number` counts since the delivery was queued, or last retried by hand."""
    return {"delivery_id": delivery.id, "endpoint_id": delivery.endpoint_id,
            "number": delivery.attempts + 1, "attempted_at": at,
            "status_code": outcome.status_code, "duration_ms": outcome.duration_ms,
            "error": outcome.error, "response_body": outcome.response_body}


def outcome_values(delivery: Any, outcome: Sent, at: dt.datetime) -> dict[str, Any]:
    """A delivery's new state after one attempt, as far as it is settled by it alone."""
    values: dict[str, Any] = {
        "delivery_id": delivery.id, "attempts": delivery.attempts + 1,
        "last_status_code": outcome.status_code, "last_error": outcome.error,
        "last_duration_ms": outcome.duration_ms, "status": "pending",
        "delivered_at": None, "next_attempt_at": None}
    if outcome.delivered:
        values.update(status="delivered", delivered_at=at)
    return values


def _record(uows: UnitOfWorkFactory, endpoint: Any, tried: list[Tried],
            schedule: Sequence[int], now: dt.datetime) -> None:
    changes = [outcome_values(delivery, outcome, at) for delivery, outcome, at in tried]
    last, outcome, _ = tried[-1]
    disabled = None
    if not outcome.delivered:
        retry_at = next_attempt(schedule, last.attempts + 1, now)
        changes[-1].update(next_attempt_at=retry_at,
                           status="pending" if retry_at is not None else "failed")
        if retry_at is None:
            disabled = (f"delivery {last.id} (event {last.event_id}) failed "
                        f"{last.attempts + 1} times, the whole retry schedule; last error: "
                        f"{outcome.error}")
    with uows.delivery_queue() as queue:
        queue.record(changes, [attempt_row(d, o, at) for d, o, at in tried])
        if disabled:
            queue.disable(endpoint.id, disabled, now)


def webhook_test_message(delivery_id: str, endpoint_id: str, organization_id: str, actor: str,
                 at: dt.datetime) -> dict[str, Any]:
    """The body of `POST /webhooks/{id}/test`: shaped as a change-feed event, of a type the
    feed never carries."""
    return {"id": f"test_{delivery_id}", "type": TEST_EVENT_TYPE,
            "occurred_at": at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "organization_id": organization_id, "actor": actor,
            "data": {"webhook_id": endpoint_id,
                     "message": "A test delivery from lotline: the endpoint is reachable."}}
