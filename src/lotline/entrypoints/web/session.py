"""Cookie sessions and CSRF tokens of the web UI.

The session cookie holds the bearer token that `IdentityService.authenticate` issues: the
session lives server-side as that token's row (stored as a SHA-256 hash, 12 h, revoked on
logout or when the user is deactivated), and `IdentityService.resolve` turns it into the same
Actor — and so the same roles — as the API. The CSRF token of a session is derived from the
session token (SHA-256 with a fixed label), so it needs no storage and dies with the session;
before login, the login form's token is a random value in a short-lived cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from lotline.domain.errors import Unauthorized
from lotline.domain.identity import TOKEN_PREFIX
from lotline.domain.statuses import Role
from lotline.service_layer.context import Actor
from lotline.service_layer.identity import IdentityService

SESSION_COOKIE = "lotline_session"
LOGIN_CSRF_COOKIE = "lotline_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
LOGIN_PATH = "/login"
MAX_COOKIE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class WebSession:
    actor: Actor
    token: str
    csrf_token: str

    @property
    def username(self) -> str:
        return self.actor.name

    @property
    def role(self) -> str:
        return self.actor.role.value

    @property
    def can_manage(self) -> bool:
        return self.actor.role.at_least(Role.MANAGER)

    @property
    def is_admin(self) -> bool:
        return self.actor.role.at_least(Role.ADMIN)


def csrf_for(token: str) -> str:
    return hashlib.sha256(b"lotline-web-csrf\x00" + token.encode("utf-8")).hexdigest()


def session_token(request: Request) -> str | None:
    """The cookie's token when it looks like a login token (API keys are not sessions)."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value or not value.startswith(TOKEN_PREFIX) or len(value) > MAX_COOKIE_LENGTH:
        return None
    return value


def load_session(request: Request) -> WebSession | None:
    """The signed-in user of this request, or None (no cookie, expired or revoked)."""
    token = session_token(request)
    if token is None:
        return None
    identity: IdentityService = request.app.state.identity
    try:
        actor = identity.resolve(token)
    except Unauthorized:
        return None
    session = WebSession(actor=actor, token=token, csrf_token=csrf_for(token))
    request.state.web_session = session
    request.state.csrf_token = session.csrf_token
    request.scope.setdefault("state", {})["actor"] = actor.name
    return session


def expected_csrf(request: Request) -> str | None:
    if request.url.path == LOGIN_PATH:
        return request.cookies.get(LOGIN_CSRF_COOKIE) or None
    token = session_token(request)
    return csrf_for(token) if token else None


def csrf_matches(request: Request, submitted: str | None) -> bool:
    expected = expected_csrf(request)
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def set_cookie(response: Response, request: Request, name: str, value: str, *,
               max_age: int, path: str = "/") -> None:
    """HttpOnly, SameSite=Lax, and Secure when the request came over HTTPS."""
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def clear_cookie(response: Response, request: Request, name: str, path: str = "/") -> None:
    response.delete_cookie(name, path=path, httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
