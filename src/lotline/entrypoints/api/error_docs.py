"""The problem answers each operation documents, derived from the route itself, so the
OpenAPI document lists every status code an operation can answer and no other:

- 401 and 403 when the route depends on `current_actor` or `services` (credentials, then
  the role the services check); 404 and 409 as well, since every such route names records;
- 413 when it takes a body (POST, PUT, PATCH: the body limit), 422 when it takes a body or
  any path or query parameter;
- 503 for every API route (each one uses the database, which may be unreachable);
- what a route declares itself (`responses=`, e.g. the login's 401 and 429) is kept."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from lotline.entrypoints.api.schemas.common import PROBLEM
from lotline.entrypoints.api.security import current_actor, services

DESCRIPTIONS = {401: "No or bad credentials", 403: "Role too low",
                404: "Unknown id", 409: "Conflict with the current state",
                413: "Body too large", 422: "Invalid input", 429: "Too many requests",
                503: "Database unavailable; retry later"}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


# Seed 003's surface answers errors in its own envelope (compat_zoho.errors), not a problem.
ENVELOPE: dict[str, Any] = {"content": {"application/json": {"schema": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "integer"}, "message": {"type": "string"},
                   "errors": {"type": "array", "items": {"type": "object"}}}}}}}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {**PROBLEM, "description": DESCRIPTIONS[code]} for code in codes}


def envelope_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {**ENVELOPE, "description": DESCRIPTIONS[code]} for code in codes}


def _calls(dependant: Dependant) -> Iterable[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def error_codes(route: APIRoute) -> list[int]:
    dependant = route.dependant
    codes = {503}
    if any(call is current_actor or call is services for call in _calls(dependant)):
        codes |= {401, 403, 404, 409}
    takes_body = bool((route.methods or set()) & BODY_METHODS)
    if takes_body:
        codes.add(413)
    if takes_body or dependant.path_params or dependant.query_params \
            or any(d.path_params or d.query_params for d in dependant.dependencies):
        codes.add(422)
    return sorted(codes)


def document_errors(router: APIRouter, *, envelope: bool = False) -> APIRouter:
    """Adds each route's error answers to its `responses` (idempotent): problems, or seed
    003's envelope on its compatibility surface."""
    described = envelope_responses if envelope else problem_responses
    for route in router.routes:
        if isinstance(route, APIRoute):
            route.responses = {**described(*error_codes(route)), **route.responses}
    return router
