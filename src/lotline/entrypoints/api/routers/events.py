"""/events: the change feed (DESIGN §9) — every committed change a partner cares about, in
commit order, paged by a cursor that a poller keeps."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from lotline.domain.events import EVENT_TYPES, FEED_LIMIT_MAX
from lotline.entrypoints.api.routers.common import ok
from lotline.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["events"])


class EventOut(BaseModel):
    id: str
    type: str
    occurred_at: str
    organization_id: str
    actor: str
    data: dict[str, Any]


class EventPageOut(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


TypesQuery = Annotated[list[str] | None, Query(description=(
    "event types to return (repeat, or separate by commas); all when absent: "
    + ", ".join(EVENT_TYPES)))]


@router.get("/events", response_model=EventPageOut)
def list_events(svc: ServicesDep, after: str | None = None, types: TypesQuery = None,
                limit: Annotated[int, Query(description=f"1 to {FEED_LIMIT_MAX}")] = 100,
                ) -> Response:
    """Events after the cursor `after` (the `next_cursor` of the previous page; none: from
    the first event), oldest first in commit order. Polling with the last `next_cursor`
    returns every event exactly once, also while other clients write; an empty page keeps
    the cursor given. An unknown type or a cursor that is not this organization's is a 422."""
    page = svc.events.page(after, types, limit)
    return ok({"items": [event.as_dict() for event in page.items],
               "next_cursor": page.next_cursor})
