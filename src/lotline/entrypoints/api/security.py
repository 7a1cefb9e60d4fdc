"""Who is calling: the bearer token or API key becomes an Actor, and the request gets
services bound to that actor's organization (tenancy lives in the service layer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from lotline.bootstrap import Services
from lotline.domain.errors import Unauthorized
from lotline.service_layer.context import Actor
from lotline.service_layer.identity import IdentityService

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token or "
                                                  "an API key")


async def current_actor(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None,
                                               Depends(bearer)]) -> Actor:
    """The actor CredentialMiddleware resolved before the body was read (every /api/v1
    route); resolved here only for an app mounted without it."""
    state = request.scope.setdefault("state", {})
    principal = state.get("principal")
    if isinstance(principal, Actor):
        return principal
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an Authorization: Bearer <token or API key> header is required")
    identity: IdentityService = request.app.state.identity
    actor = await run_in_threadpool(identity.resolve, credentials.credentials)
    state["actor"] = actor.name
    return actor


async def services(request: Request,
                   actor: Annotated[Actor, Depends(current_actor)]) -> Services:
    """Async: building the services does no I/O, so it runs on the event loop instead of
    costing every request one more trip through the thread pool."""
    return Services(request.app.state.engine, actor)


ServicesDep = Annotated[Services, Depends(services)]
ActorDep = Annotated[Actor, Depends(current_actor)]
