"""Tokens, users and API keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from lotline.entrypoints.api.schemas.common import Input, Output, Text


class TokenRequest(Input):
    username: Annotated[str, Field(max_length=200)]
    password: Annotated[str, Field(max_length=1000)]


class Token(Output):
    access_token: str
    token_type: str
    expires_at: dt.datetime


class UserIn(Input):
    username: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=8, max_length=1000)]
    role: Annotated[str, Field(max_length=20, description="admin, manager or viewer (gestor, "
                               "consultor)")] = "viewer"


class UserPatch(Input):
    role: Annotated[str, Field(max_length=20)] | None = None
    active: bool | None = None
    password: Annotated[str, Field(min_length=8, max_length=1000)] | None = None


class User(Output):
    id: str
    username: str
    role: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ApiKeyIn(Input):
    name: Text
    role: Annotated[str, Field(max_length=20)] | None = None
    username: Annotated[str, Field(max_length=200)] | None = None


class ApiKey(Output):
    id: str
    name: str
    role: str
    key_prefix: str
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewApiKey(ApiKey):
    key: Annotated[str, Field(description="the key itself, shown this once")]
