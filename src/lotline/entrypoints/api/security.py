"""Who is calling: the bearer token or API key becomes an Actor, and the request gets
services bound to that actor's organization (tenancy lives in the service layer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lotline.bootstrap import Services
from lotline.domain.errors import Unauthorized
from lotline.service_layer.context import Actor
from lotline.service_layer.identity import IdentityService

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token or "
                                                  "an API key")


def current_actor(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
                  ) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an Authorization: Bearer <token or API key> header is required")
    identity: IdentityService = request.app.state.identity
    actor = identity.resolve(credentials.credentials)
    request.scope.setdefault("state", {})["actor"] = actor.name
    return actor


async def services(request: Request,
                   actor: Annotated[Actor, Depends(current_actor)]) -> Services:
    """Async: building the services does no I/O, so it runs on the event loop instead of
    costing every request one more trip through the thread pool."""
    return Services(request.app.state.engine, actor)


ServicesDep = Annotated[Services, Depends(services)]
ActorDep = Annotated[Actor, Depends(current_actor)]
