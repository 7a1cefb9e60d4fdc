"""What the routers share: the JSON response helpers and list query parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.responses import Response

from lotline.entrypoints.api.responses import LotlineJSONResponse

Limit = Annotated[int, Query(ge=1, le=500, description="page size, at most 500")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the previous "
                                                                  "page")]
Q = Annotated[str | None, Query(max_length=100, description="partial match")]


def ok(content: Any, status: int = 200) -> LotlineJSONResponse:
    return LotlineJSONResponse(content, status_code=status)


def created(content: Any) -> LotlineJSONResponse:
    return LotlineJSONResponse(content, status_code=201)


def no_content() -> Response:
    return Response(status_code=204)


def body_fields(model: Any) -> dict[str, Any]:
    """The fields a client actually sent (PATCH semantics), nested models as dicts."""
    return dict(model.model_dump(exclude_unset=True))
