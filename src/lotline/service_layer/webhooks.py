"""Registering webhook endpoints and reading their deliveries (DESIGN §9), admins only."""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Callable
from typing import Any

from lotline.domain.errors import FieldError, NotFound, ValidationError
from lotline.domain.ids import new_id
from lotline.domain.statuses import Role
from lotline.domain.values import clean_text
from lotline.domain.webhooks import TEST_EVENT_TYPE, check_url, new_secret
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor
from lotline.service_layer.events import check_types
from lotline.service_layer.query_ports import WebhookRepository
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory
from lotline.service_layer.webhook_delivery import (
    Sender,
    attempt_row,
    headers,
    outcome_values,
    webhook_test_message,
)

ENDPOINT_FIELDS = ("id", "url", "description", "event_types", "enabled", "disabled_reason",
                   "created_at", "updated_at")
DELIVERY_FIELDS = ("id", "event_id", "event_type", "status", "attempts", "next_attempt_at",
                   "last_status_code", "last_error", "last_duration_ms", "created_at",
                   "delivered_at")
ATTEMPT_FIELDS = ("number", "attempted_at", "status_code", "duration_ms", "error",
                  "response_body")


def _flag(name: str) -> bool:
    return os.environ.get(name, "") in ("1", "true", "yes")


def valid_url(url: object) -> str:
    return check_url(url, allow_http=_flag("LOTLINE_WEBHOOKS_ALLOW_HTTP")
                     or _flag("LOTLINE_WEBHOOKS_ALLOW_PRIVATE"),
                     allow_private=_flag("LOTLINE_WEBHOOKS_ALLOW_PRIVATE"))


def valid_types(event_types: object) -> list[str]:
    if not isinstance(event_types, list) or not event_types \
            or not all(isinstance(name, str) for name in event_types):
        raise ValidationError.single("event_types", "must be a non-empty list of event types")
    try:
        return check_types(event_types)
    except ValidationError as error:  # the same message, under this field's name
        raise ValidationError([FieldError("event_types", e.message, e.value)
                               for e in error.errors]) from error


class WebhookService(Service):
    def __init__(self, uows: UnitOfWorkFactory, actor: Actor,
                 sender: Callable[[], Sender] | None = None) -> None:
        super().__init__(uows, actor)
        self.sender = sender  # makes the HTTP client of a test delivery

    def _repository(self, uow: UnitOfWork) -> WebhookRepository:
        return uow.webhooks

    def create(self, url: object, event_types: object,
               description: str | None = None) -> dict[str, Any]:
        """The endpoint with its `secret` — the only answer that shows it."""
        self.actor.require(Role.ADMIN, "registering webhooks")
        values = {"url": valid_url(url), "event_types": valid_types(event_types),
                  "description": clean_text(description, "description", max_length=2000)}
        endpoint_id, now, secret = new_id(), self.actor.now(), new_secret()
        with self.writing() as uow:
            start = uow.events.repository.end_position()  # events from now on
            self._repository(uow).add({
                "id": endpoint_id, **values, "secret": secret, "enabled": True,
                "cursor_txid": start[0], "cursor_id": start[1],
                "created_at": now, "updated_at": now})
            return {**self._view(uow, endpoint_id), "secret": secret}

    def _view(self, uow: UnitOfWork, endpoint_id: str) -> dict[str, Any]:
        row = self._repository(uow).get(endpoint_id)
        if row is None:
            raise NotFound("webhook", endpoint_id)
        return {name: getattr(row, name) for name in ENDPOINT_FIELDS}

    def get(self, endpoint_id: str) -> dict[str, Any]:
        self.actor.require(Role.ADMIN, "reading webhooks")
        with self.reading() as uow:
            return self._view(uow, endpoint_id)

    def list(self) -> builtins.list[dict[str, Any]]:
        self.actor.require(Role.ADMIN, "reading webhooks")
        with self.reading() as uow:
            return [{name: getattr(row, name) for name in ENDPOINT_FIELDS}
                    for row in self._repository(uow).list()]

    def update(self, endpoint_id: str, **changes: Any) -> dict[str, Any]:
        """url, event_types, description, enabled (true re-enables a disabled endpoint:
        its pending deliveries are tried again from the one that failed)."""
        self.actor.require(Role.ADMIN, "changing webhooks")
        values: dict[str, Any] = {}
        if "url" in changes:
            values["url"] = valid_url(changes["url"])
        if "event_types" in changes:
            values["event_types"] = valid_types(changes["event_types"])
        if "description" in changes:
            values["description"] = clean_text(changes["description"], "description",
                                               max_length=2000)
        if "enabled" in changes:
            if not isinstance(changes["enabled"], bool):
                raise ValidationError.single("enabled", "must be true or false")
            values["enabled"] = changes["enabled"]
            if changes["enabled"]:
                values["disabled_reason"] = None
        with self.writing() as uow:
            was_enabled = self._view(uow, endpoint_id)["enabled"]
            self._repository(uow).update(endpoint_id, {**values,
                                                       "updated_at": self.actor.now()})
            if values.get("enabled") and not was_enabled:
                self._repository(uow).requeue_failed(endpoint_id, self.actor.now())
            return self._view(uow, endpoint_id)

    def delete(self, endpoint_id: str) -> None:
        self.actor.require(Role.ADMIN, "deleting webhooks")
        with self.writing() as uow:
            self._view(uow, endpoint_id)
            self._repository(uow).delete(endpoint_id)

    def deliveries(self, endpoint_id: str, limit: int = 100) -> builtins.list[dict[str, Any]]:
        """Newest first: each delivery with its attempts (`attempt_log`, oldest first: when,
        status code, duration, error, the start of the receiver's answer)."""
        self.actor.require(Role.ADMIN, "reading webhooks")
        with self.reading() as uow:
            self._view(uow, endpoint_id)
            rows = self._repository(uow).deliveries(endpoint_id, limit)
            return _with_attempts(self._repository(uow), rows)

    def test(self, endpoint_id: str) -> dict[str, Any]:
        """Send a `webhook.test` message to the endpoint now (enabled or not), signed and
        logged as any delivery, outside its queue; the delivery with its outcome. A failed
        test is not retried and does not count towards disabling the endpoint."""
        self.actor.require(Role.ADMIN, "testing webhooks")
        if self.sender is None:
            raise RuntimeError("this WebhookService was built without a sender")
        delivery_id, now = new_id(), self.actor.now()
        message = webhook_test_message(delivery_id, endpoint_id, self.actor.org_id,
                                       self.actor.name, now)
        with self.writing() as uow:
            repository = self._repository(uow)
            endpoint = repository.get(endpoint_id)
            if endpoint is None:
                raise NotFound("webhook", endpoint_id)
            repository.add_delivery({
                "id": delivery_id, "endpoint_id": endpoint_id, "event_id": None,
                "payload": message, "seq": repository.next_seq(endpoint_id),
                "status": "testing", "attempts": 0, "created_at": now})
            delivery = repository.delivery(endpoint_id, delivery_id)
        body = json.dumps(message, separators=(",", ":")).encode()
        sender = self.sender()
        try:
            outcome = sender.send(endpoint.url, headers(endpoint.secret, message["id"], body),
                                  body)
        finally:
            sender.close()
        at = self.actor.now()
        values = outcome_values(delivery, outcome, at)
        values["status"] = "delivered" if outcome.delivered else "failed"
        with self.writing() as uow:
            repository = self._repository(uow)
            repository.update_delivery(delivery_id, {k: v for k, v in values.items()
                                                     if k != "delivery_id"})
            repository.add_attempts([attempt_row(delivery, outcome, at)])
            row = repository.delivery(endpoint_id, delivery_id)
            return _with_attempts(repository, [row])[0]

    def retry(self, endpoint_id: str, delivery_id: str) -> dict[str, Any]:
        """A failed (or pending) delivery is tried again now; its endpoint is enabled."""
        self.actor.require(Role.ADMIN, "retrying webhook deliveries")
        with self.writing() as uow:
            repository = self._repository(uow)
            self._view(uow, endpoint_id)
            if repository.delivery(endpoint_id, delivery_id) is None:
                raise NotFound("delivery", delivery_id)
            repository.update_delivery(delivery_id, {
                "status": "pending", "attempts": 0, "next_attempt_at": self.actor.now()})
            repository.update(endpoint_id, {"enabled": True, "disabled_reason": None,
                                            "updated_at": self.actor.now()})
            row = repository.delivery(endpoint_id, delivery_id)
            return _with_attempts(repository, [row])[0]


def _with_attempts(repository: WebhookRepository,
                   rows: builtins.list[Any]) -> builtins.list[dict[str, Any]]:
    log: dict[str, builtins.list[dict[str, Any]]] = {row.id: [] for row in rows}
    for attempt in repository.attempts(builtins.list(log)):
        log[attempt.delivery_id].append({name: getattr(attempt, name)
                                         for name in ATTEMPT_FIELDS})
    return [{**{name: getattr(row, name) for name in DELIVERY_FIELDS},
             "event_type": row.event_type or TEST_EVENT_TYPE, "attempt_log": log[row.id]}
            for row in rows]
