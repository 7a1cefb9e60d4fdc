"""Organizations' people and credentials: users with roles, bearer tokens, API keys.

Tokens and keys are random 256-bit values stored as SHA-256 hashes; passwords use argon2."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from lotline.domain.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthorized,
    ValidationError,
)
from lotline.domain.identity import (
    API_KEY_PREFIX,
    TOKEN_PREFIX,
    ApiKey,
    IssuedToken,
    NewApiKey,
    User,
    new_secret,
    secret_hash,
)
from lotline.domain.ids import new_id
from lotline.domain.model import Organization
from lotline.domain.statuses import Role, parse_enum
from lotline.domain.values import ErrorCollector, required_text
from lotline.passwords import hash_password, verify_password
from lotline.service_layer.audit import record_change
from lotline.service_layer.base import Service
from lotline.service_layer.context import Actor, Clock, utc_now
from lotline.service_layer.credential_cache import cached, forget_credentials, remember
from lotline.service_layer.organizations import create_organization
from lotline.service_layer.query_ports import CredentialLookup, IdentityRepository
from lotline.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

TOKEN_TTL = dt.timedelta(hours=12)
FAILURE_WINDOW = dt.timedelta(minutes=1)
MAX_FAILURES = 10
KEY_TOUCH_INTERVAL = dt.timedelta(minutes=1)
BAD_LOGIN = "unknown username or wrong password"


def _username(value: Any) -> str:
    text = required_text(value, "username")
    if not re.fullmatch(r"[A-Za-z0-9._@+-]{1,200}", text):
        raise ValidationError.single("username", "may hold letters, digits and . _ @ + - only",
                                     value)
    return text


def _password(value: Any) -> str:
    if not isinstance(value, str) or len(value) < 8 or len(value) > 1000:
        raise ValidationError.single("password", "must be 8 to 1000 characters")
    return value


class IdentityService:
    """Installation-wide: logging in and turning a credential into an Actor."""

    def __init__(self, uows: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self.uows = uows
        self.clock = clock
        self._system = Actor(org_id="", name="system", role=Role.ADMIN, clock=clock)

    def _uow(self, write: bool) -> UnitOfWork:
        return self.uows(self._system, write=write)

    def create_organization(self, name: str, admin_username: str | None = None,
                            admin_password: str | None = None) -> Organization:
        if admin_username is not None:  # checked first: no organization left without admin
            errors = ErrorCollector()
            folded = errors.take(_username, admin_username)
            errors.take(_password, admin_password or "")
            errors.raise_if_any()
            with self._uow(write=False) as uow:
                if uow.identity.user_row(str(folded).casefold()) is not None:
                    raise Conflict(f"username {folded!r} is taken", username=folded)
        organization = create_organization(self.uows, name)
        if admin_username is not None:
            admin = Actor(org_id=organization.id, name="system", role=Role.ADMIN,
                          clock=self.clock)
            UserService(self.uows, admin).create_user(admin_username, admin_password or "",
                                                        Role.ADMIN)
        return organization

    def authenticate(self, username: str, password: str) -> IssuedToken:
        """A bearer token for a user; the same error whether the user or password is wrong,
        and 429 after MAX_FAILURES failures within a minute for one username."""
        folded = str(username or "").strip().casefold()
        now = self.clock().astimezone(dt.UTC)
        with self._uow(write=True) as uow:
            repo = uow.identity
            recent = repo.failures_since(folded, now - FAILURE_WINDOW)
            if len(recent) >= MAX_FAILURES:
                retry = recent[-MAX_FAILURES] + FAILURE_WINDOW - now
                raise RateLimited(f"too many failed logins for {username!r}; try again later",
                                  retry_after=max(1, int(retry.total_seconds()) + 1))
            row = repo.user_row(folded)
            valid = verify_password(str(password or ""), row.password_hash if row else None)
            if row is None or not valid or not row.active:
                repo.add_failure(new_id(), folded, now)
                repo.forget_failures_before(now - dt.timedelta(days=1))
        if row is None or not valid or not row.active:
            raise Unauthorized(BAD_LOGIN)
        token = new_secret(TOKEN_PREFIX)
        expires = now + TOKEN_TTL
        with self._uow(write=True) as uow:
            uow.identity.add_token({
                "id": new_id(), "org_id": row.org_id, "user_id": row.id,
                "token_hash": secret_hash(token), "created_at": now, "expires_at": expires})
        return IssuedToken(access_token=token, token_type="bearer", expires_at=expires)

    @staticmethod
    def resolves_by_reading(secret: str) -> bool:
        """Whether resolve(secret) only reads: a login token (valid or not) is judged by its
        row alone; an API key may be touched (last use, a write)."""
        return secret.startswith(TOKEN_PREFIX)

    def resolve(self, secret: str) -> Actor:
        """The actor behind a bearer token or an API key; Unauthorized if it is not valid.

        Every API request comes here: the rows are read by `CredentialReads` (one statement
        each, no transaction) and judged here, as `token_principal` and `api_key_row` would."""
        digest = secret_hash(secret)
        now = self.clock().astimezone(dt.UTC)
        known = cached(self, digest, now)
        if known is not None:
            return known

        def read(reads: CredentialLookup) -> tuple[Any, Any]:
            token = reads.token(digest) if secret.startswith(TOKEN_PREFIX) else None
            user = token if token is not None and token.revoked_at is None \
                and token.expires_at > now and token.active else None
            return user, (reads.api_key(digest) if user is None else None)

        user, key = self.uows.read_credentials(read)
        if user is not None:
            actor = Actor(org_id=user.org_id, name=user.username, role=Role(user.role),
                          clock=self.clock, user_id=user.user_id)
            remember(self, digest, actor, user.expires_at)
            return actor
        if key is None or key.revoked_at is not None or key.user_active is False:
            raise Unauthorized("the bearer token or API key is not valid (expired, revoked, "
                               "or its user deactivated?)")
        if key.last_used_at is None or now - key.last_used_at > KEY_TOUCH_INTERVAL:
            with self._uow(write=True) as uow:
                uow.identity.touch_api_key(key.id, now)
        actor = Actor(org_id=key.org_id, name=f"api-key:{key.name}",
                      role=_key_role(key.role, key.user_role), clock=self.clock,
                      user_id=key.user_id)
        remember(self, digest, actor, None)
        return actor

    def revoke_token(self, token: str) -> None:
        forget_credentials()
        with self._uow(write=True) as uow:
            uow.identity.revoke_token(secret_hash(token),
                                                      self.clock().astimezone(dt.UTC))


def _key_role(key_role: str, user_role: str | None) -> Role:
    """A key never does more than its user may do now: the lower of the two roles."""
    role = Role(key_role)
    if user_role is None:
        return role
    current = Role(user_role)
    return role if current.at_least(role) else current


class UserService(Service):
    """People and API keys of the actor's organization (admin only, except reading oneself)."""

    def create_organization(self, name: str) -> Organization:
        return create_organization(self.uows, name, actor_name=self.actor.name)

    def create_user(self, username: str, password: str, role: Any = Role.VIEWER) -> User:
        self.actor.require(Role.ADMIN, "creating users")
        errors = ErrorCollector()
        name = errors.take(_username, username)
        secret = errors.take(_password, password)
        user_role = errors.take(parse_enum, Role, role, "role")
        errors.raise_if_any()
        assert name is not None and secret is not None and user_role is not None
        password_hash = hash_password(secret)
        now = self.actor.now()
        user_id = new_id()
        with self.writing() as uow:
            repo = uow.identity
            if repo.user_row(name.casefold()) is not None:
                raise Conflict(f"username {name!r} is taken", username=name)
            repo.add_user({"id": user_id, "org_id": self.actor.org_id, "username": name,
                           "username_folded": name.casefold(), "password_hash": password_hash,
                           "role": user_role.value, "active": True, "created_at": now,
                           "updated_at": now})
            self._audit(uow, "user", user_id, "create", None,
                        {"username": name, "role": user_role})
            return self._need_user(repo, user_id)

    def list_users(self) -> list[User]:
        self.actor.require(Role.ADMIN, "listing users")
        with self.reading() as uow:
            return uow.identity.users(self.actor.org_id)

    def get_user(self, user_id: str) -> User:
        self.actor.require(Role.ADMIN, "reading users")
        with self.reading() as uow:
            return self._need_user(uow.identity, user_id)

    def by_username(self, username: str) -> User:
        with self.reading() as uow:
            user = uow.identity.user_named(str(username).strip().casefold())
        if user is None or user.org_id != self.actor.org_id:
            raise NotFound("user", username, "username")
        return user

    def update_user(self, user_id: str, *, role: Any = None, active: bool | None = None,
                    password: str | None = None) -> User:
        self.actor.require(Role.ADMIN, "changing users")
        new_role = None if role is None else parse_enum(Role, role, "role")
        values: dict[str, Any] = {"updated_at": self.actor.now()}
        if new_role is not None:
            values["role"] = new_role.value
        if active is not None:
            values["active"] = bool(active)
        if password is not None:
            values["password_hash"] = hash_password(_password(password))
        with self.writing() as uow:
            repo = uow.identity
            before = self._need_user(repo, user_id)
            demoted = before.role is Role.ADMIN and (new_role not in (None, Role.ADMIN)
                                                    or active is False)
            if demoted and repo.count_admins(self.actor.org_id) <= 1:
                raise Conflict(f"{before.username!r} is the last admin of the organization")
            forget_credentials()
            repo.update_user(user_id, values)
            if active is False or password is not None:
                repo.revoke_user_tokens(user_id, self.actor.now())
            after = self._need_user(repo, user_id)
            self._audit(uow, "user", user_id, "update",
                        _user_fields(before, password_changed=False),
                        _user_fields(after, password_changed=password is not None))
            return after

    def create_api_key(self, username: str | None = None, name: str = "",
                       role: Any = None) -> str:
        """The plaintext key, shown once."""
        return self.issue_api_key(username=username, name=name, role=role).key

    def issue_api_key(self, *, username: str | None = None, name: str = "",
                      role: Any = None) -> NewApiKey:
        self.actor.require(Role.ADMIN, "creating API keys")
        key_name = required_text(name, "name")
        owner = self.by_username(username) if username else None
        ceiling = owner.role if owner else self.actor.role
        key_role = ceiling if role is None else parse_enum(Role, role, "role")
        if not ceiling.at_least(key_role) or not self.actor.role.at_least(key_role):
            raise PermissionDenied(f"an API key cannot carry the {key_role.value} role: it is "
                                   f"higher than {ceiling.value}")
        key = new_secret(API_KEY_PREFIX)
        key_id = new_id()
        with self.writing() as uow:
            repo = uow.identity
            repo.add_api_key({"id": key_id, "org_id": self.actor.org_id, "name": key_name,
                              "role": key_role.value, "key_hash": secret_hash(key),
                              "key_prefix": key[:12], "created_by": self.actor.name,
                              "user_id": owner.id if owner else self.actor.user_id,
                              "created_at": self.actor.now()})
            self._audit(uow, "api_key", key_id, "create", None,
                        {"name": key_name, "role": key_role, "owner": username})
            api_key = repo.api_key(self.actor.org_id, key_id)
        assert api_key is not None
        return NewApiKey(key=key, api_key=api_key)

    def list_api_keys(self) -> list[ApiKey]:
        self.actor.require(Role.ADMIN, "listing API keys")
        with self.reading() as uow:
            return uow.identity.api_keys(self.actor.org_id)

    def revoke_api_key(self, key_id: str) -> ApiKey:
        self.actor.require(Role.ADMIN, "revoking API keys")
        with self.writing() as uow:
            repo = uow.identity
            key = repo.api_key(self.actor.org_id, str(key_id))
            if key is None:
                raise NotFound("api_key", key_id)
            if key.revoked_at is not None:
                raise Conflict(f"API key {key.name!r} is already revoked")
            forget_credentials()
            repo.revoke_api_key(key.id, self.actor.now())
            self._audit(uow, "api_key", key.id, "revoke", {"name": key.name, "revoked": False},
                        {"name": key.name, "revoked": True})
            revoked = repo.api_key(self.actor.org_id, key.id)
        assert revoked is not None
        return revoked

    def _need_user(self, repo: IdentityRepository, user_id: str) -> User:
        user = repo.user(self.actor.org_id, str(user_id))
        if user is None:
            raise NotFound("user", user_id)
        return user

    def _audit(self, uow: UnitOfWork, entity: str, entity_id: str, action: str,
               before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        def clean(values: dict[str, Any]) -> dict[str, Any]:
            return {k: getattr(v, "value", v) for k, v in values.items()}

        record_change(uow, entity, entity_id, action,
                      None if before is None else clean(before), clean(after))


def _user_fields(user: User, *, password_changed: bool) -> dict[str, Any]:
    """What the audit log shows of a user: never the password hash, only that it changed."""
    shown: dict[str, Any] = {"username": user.username, "role": user.role.value,
                             "active": user.active}
    return {**shown, "password": "changed"} if password_changed else shown
