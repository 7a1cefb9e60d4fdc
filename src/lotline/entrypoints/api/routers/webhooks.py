"""/webhooks: endpoints that receive the change feed's events (DESIGN §9), admins only.
Deliveries are made by the worker (`lotline webhooks deliver`), signed per Standard Webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from lotline.entrypoints.api.routers.common import body_fields, created, no_content, ok
from lotline.entrypoints.api.schemas.common import Input
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["webhooks"])


class WebhookIn(Input):
    url: str
    event_types: list[str]
    description: str | None = None


class WebhookPatch(Input):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


class Webhook(BaseModel):
    id: str
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookCreated(Webhook):
    secret: str


class Attempt(BaseModel):
    number: int
    attempted_at: dt.datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    response_body: str | None


class Delivery(BaseModel):
    id: str
    event_id: int | None
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    last_duration_ms: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    attempt_log: list[Attempt]


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
def create_webhook(body: WebhookIn, svc: ServicesDep) -> Response:
    """Register an endpoint for events from now on. The answer holds its `secret`
    (`whsec_…`) — shown this once; receivers verify each delivery's `webhook-signature`
    with it. The URL must be https (http when the installation allows it), at most 2,000
    characters, and not a private, loopback or link-local address."""
    return created(svc.webhooks.create(body.url, body.event_types, body.description))


@router.get("/webhooks", response_model=list[Webhook])
def list_webhooks(svc: ServicesDep) -> Response:
    return ok(svc.webhooks.list())


@router.get("/webhooks/{webhook_id}", response_model=Webhook)
def get_webhook(webhook_id: str, svc: ServicesDep) -> Response:
    """The endpoint; `disabled_reason` says why the worker stopped sending to it."""
    return ok(svc.webhooks.get(webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=Webhook)
def update_webhook(webhook_id: str, body: WebhookPatch, svc: ServicesDep) -> Response:
    """`enabled: true` re-enables a disabled endpoint from the delivery that failed."""
    return ok(svc.webhooks.update(webhook_id, **body_fields(body)))


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: str, svc: ServicesDep) -> Response:
    svc.webhooks.delete(webhook_id)
    return no_content()


@router.get("/webhooks/{webhook_id}/deliveries", response_model=list[Delivery])
def list_deliveries(webhook_id: str, svc: ServicesDep,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Response:
    """Newest first: each delivery's state and its `attempt_log` (oldest first: time, status
    code, duration, error, the first 1,000 characters of the receiver's answer)."""
    return ok(svc.webhooks.deliveries(webhook_id, limit))


@router.post("/webhooks/{webhook_id}/test", response_model=Delivery)
def test_webhook(webhook_id: str, svc: ServicesDep) -> Response:
    """Send a `webhook.test` message to the endpoint now, signed as every delivery, and
    answer the delivery with its outcome (`status` `delivered` or `failed`, `attempt_log`).
    It waits for the receiver (10 s at most); a failed test is not retried."""
    return ok(svc.webhooks.test(webhook_id))


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", response_model=Delivery)
def retry_delivery(webhook_id: str, delivery_id: str, svc: ServicesDep) -> Response:
    """Send a delivery again at the next worker pass (the endpoint is enabled again)."""
    return ok(svc.webhooks.retry(webhook_id, delivery_id))
