"""/auth/token, /users and /api-keys. People and keys are the admin's business."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request
from starlette.responses import Response

from lotline.entrypoints.api.error_docs import problem_responses
from lotline.entrypoints.api.routers.common import body_fields, created, ok
from lotline.entrypoints.api.schemas import identity as s
from lotline.entrypoints.api.schemas.common import Page
from lotline.entrypoints.api.security import ServicesDep
from lotline.service_layer.identity import IdentityService

router = APIRouter()


@router.post("/auth/token", response_model=s.Token, tags=["auth"],
             responses=problem_responses(401, 429))
def issue_token(body: s.TokenRequest, request: Request) -> Response:
    identity: IdentityService = request.app.state.identity
    return ok(identity.authenticate(body.username, body.password))


@router.post("/users", status_code=201, response_model=s.User, tags=["users"])
def create_user(body: s.UserIn, svc: ServicesDep) -> Response:
    return created(svc.users.create_user(body.username, body.password, body.role))


@router.get("/users", response_model=Page[s.User], tags=["users"])
def list_users(svc: ServicesDep) -> Response:
    return ok({"items": svc.users.list_users(), "next_cursor": None})


@router.get("/users/{user_id}", response_model=s.User, tags=["users"])
def get_user(user_id: str, svc: ServicesDep) -> Response:
    return ok(svc.users.get_user(user_id))


@router.patch("/users/{user_id}", response_model=s.User, tags=["users"])
def update_user(user_id: str, body: s.UserPatch, svc: ServicesDep) -> Response:
    return ok(svc.users.update_user(user_id, **body_fields(body)))


@router.post("/api-keys", status_code=201, response_model=s.NewApiKey, tags=["api-keys"])
def create_api_key(body: s.ApiKeyIn, svc: ServicesDep) -> Response:
    issued = svc.users.issue_api_key(username=body.username, name=body.name, role=body.role)
    return created({**dataclasses.asdict(issued.api_key), "key": issued.key})


@router.get("/api-keys", response_model=Page[s.ApiKey], tags=["api-keys"])
def list_api_keys(svc: ServicesDep) -> Response:
    return ok({"items": svc.users.list_api_keys(), "next_cursor": None})


@router.post("/api-keys/{key_id}/revoke", response_model=s.ApiKey, tags=["api-keys"])
def revoke_api_key(key_id: str, svc: ServicesDep) -> Response:
    return ok(svc.users.revoke_api_key(key_id))
