"""Who is calling: the bearer token or API key becomes an Actor, and the request gets
services bound to that actor's organization (tenancy lives in the service layer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from lotline.bootstrap import Services
from lotline.domain.errors import Unauthorized
from lotline.domain.values import forbidden_character
from lotline.service_layer.context import Actor
from lotline.service_layer.identity import IdentityService

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token or "
                                                  "an API key")


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def current_actor(request: Request, credentials: Credentials) -> Actor:
    """The actor CredentialMiddleware resolved before the body was read (every /api/v1
    route); resolved here only for an app mounted without it. Async: a login token is checked
    by one indexed read, cheaper than the trip through the thread pool a sync dependency
    costs; an API key may be touched (a write), so it goes to the thread pool."""
    state = request.scope.setdefault("state", {})
    principal = state.get("principal")
    if isinstance(principal, Actor):
        refuse_forbidden_parameters(request)
        return principal
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an Authorization: Bearer <token or API key> header is required")
    identity: IdentityService = request.app.state.identity
    secret = credentials.credentials
    if identity.resolves_by_reading(secret):
        actor = identity.resolve(secret)
    else:
        actor = await run_in_threadpool(identity.resolve, secret)
    state["actor"] = actor.name
    refuse_forbidden_parameters(request)
    return actor


def refuse_forbidden_parameters(request: Request) -> None:
    """Path and query parameters follow the text rule of bodies (a 422 naming the parameter).
    Checked once the caller is known, so credentials still answer first. `data` is a barcode
    reading (`GET /trace/scan`), where GS is data."""
    errors = [{"type": "forbidden_character", "loc": (place, name), "msg": problem,
               "input": value}
              for place, values in (("path", request.path_params.items()),
                                    ("query", request.query_params.multi_items()))
              for name, value in values
              if isinstance(value, str)
              and (problem := forbidden_character(value, scan=name == "data"))]
    if errors:
        raise RequestValidationError(errors)


async def services(request: Request, credentials: Credentials) -> Services:
    """The caller's services (built without I/O beyond current_actor's). It calls
    current_actor itself rather than depending on it: each level of dependencies costs every
    request a pass of FastAPI's resolver."""
    return Services(request.app.state.engine, await current_actor(request, credentials),
                    read_engine=request.app.state.read_engine)


ServicesDep = Annotated[Services, Depends(services)]
ActorDep = Annotated[Actor, Depends(current_actor)]
