"""GET /api/v1/events: the change feed over HTTP — pages in commit order, a cursor that a
poller keeps, and named 422s for unknown types and foreign cursors."""

from __future__ import annotations

import time
from typing import Any

from api_kit import Api, field_names

from lotline.domain.events import EVENT_TYPES


def all_events(api: Api, after: str | None = None, **params: Any) -> tuple[list[Any], str]:
    """Every visible event after `after`, waiting (10 s at most) for at least one batch
    event: on PostgreSQL the feed waits for older transactions of other clients."""
    deadline = time.monotonic() + 10
    while True:
        items, cursor = [], after
        while True:
            query = {**params, **({"after": cursor} if cursor else {})}
            body = api.get("/events", params=query, role="viewer").json()
            items.extend(body["items"])
            if not body["items"]:
                break
            cursor = body["next_cursor"]
        if any(e["type"].startswith("batch.") for e in items) or time.monotonic() > deadline:
            return items, cursor or ""
        time.sleep(0.05)


def test_the_feed_pages_in_order_with_a_cursor(api: Api) -> None:
    product = api.product()
    first = api.batch(product["id"], "FEED-1", quantity=5)
    items, cursor = all_events(api, limit=1)
    assert [e["type"] for e in items] == ["batch.created"]
    event = items[0]
    assert event["data"]["batch_id"] == first["id"]
    assert event["data"]["lot_number"] == "FEED-1"
    assert event["data"]["product"]["sku"] == product["sku"]
    assert event["organization_id"] == api.tenant.org_id
    assert cursor == event["id"]
    api.post(f"/batches/{first['id']}/hold", json={"reason": "smell"}).raise_for_status()
    later, _ = all_events(api, cursor)
    assert [e["type"] for e in later] == ["batch.hold_changed"]
    assert later[0]["data"]["hold"] == {"kind": "quarantine", "reason": "smell"}
    only, _ = all_events(api, types="batch.hold_changed")
    assert [e["id"] for e in only] == [later[0]["id"]]
    empty = api.get("/events", params={"after": later[0]["id"]}).json()
    assert empty == {"items": [], "next_cursor": later[0]["id"]}


def test_bad_feed_requests_are_named(api: Api, other: Api) -> None:
    api.batch(api.product()["id"], "FEED-2", quantity=1)
    unknown = api.get("/events", params={"types": "batch.created,batch.melted"})
    assert field_names(unknown) == ["types"]
    assert ", ".join(EVENT_TYPES) in unknown.json()["errors"][0]["message"]
    own, _ = all_events(api)
    foreign = other.get("/events", params={"after": own[-1]["id"]})
    assert field_names(foreign) == ["after"]
    assert field_names(api.get("/events", params={"after": "x1"})) == ["after"]
    assert field_names(api.get("/events", params={"limit": 5000})) == ["limit"]
