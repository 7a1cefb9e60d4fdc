"""Route matching that passes over a whole router by the first segment of the path.

FastAPI tries the routes of every included router in turn, and matches a request twice
through each router's routes (once to find the router, once inside it): a request for a route
of the tenth router pays for the ninety routes before it. Measured on `GET /api/v1/serials/
lookup/{n}` behind ~150 routes, that matching was the largest cost after the token check. A
`SegmentRouter` wraps one router and answers "no match" at once when the path's first segment
under the prefix is none of its routes' (`serials` for `/api/v1/serials/...`), so each request
meets only the routes of its own resource. Routes, OpenAPI, dependencies and error handling are
the wrapped router's, unchanged."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope


def _first_segment(path: str) -> str | None:
    """`serials` of `/serials/lookup/{serial_number:path}`; None when it is a parameter."""
    segment = path.lstrip("/").split("/", 1)[0]
    return None if "{" in segment else segment


class SegmentRouter(APIRouter):
    """`router`, to be included under `prefix`, skipped fast by paths it cannot match."""

    def __init__(self, router: APIRouter, prefix: str) -> None:
        super().__init__()
        self.include_router(router)
        self.path_prefix = prefix.rstrip("/") + "/"
        segments = [_first_segment(getattr(route, "path", "{}")) for route in router.routes]
        # A route whose first segment is a parameter (or a nested router) could match any
        # path: then nothing is skipped.
        self.segments: frozenset[str] | None = (
            None if any(s is None for s in segments) else frozenset(s for s in segments if s))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.segments is not None and not scope.get("root_path"):
            path = str(scope.get("path", ""))
            if not path.startswith(self.path_prefix):
                return Match.NONE, {}
            rest = path[len(self.path_prefix):]
            if rest.split("/", 1)[0] not in self.segments:
                return Match.NONE, {}
        return super().matches(scope)
