"""Users, API keys and tokens as the library returns them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from lotline.domain.statuses import Role

TOKEN_PREFIX = "llt_"
API_KEY_PREFIX = "llk_"


@dataclass(frozen=True, slots=True)
class User:
    id: str
    org_id: str
    username: str
    role: Role
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role
    key_prefix: str
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    token_type: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key as created: the plaintext `key` is shown this once and never stored."""

    key: str
    api_key: ApiKey


def new_secret(prefix: str) -> str:
    """A random 256-bit value, URL-safe, with a prefix that says what it is."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
