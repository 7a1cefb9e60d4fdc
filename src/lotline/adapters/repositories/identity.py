"""Users, tokens, API keys and login failures (installation-wide tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Row, Select, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from lotline.adapters import tables as t
from lotline.adapters.db import is_disconnect
from lotline.adapters.types import UTCDateTime
from lotline.domain.identity import ApiKey, User
from lotline.domain.statuses import Role
from lotline.service_layer.ports import KeyPrincipal, TokenPrincipal


def user_from_row(row: Row[Any]) -> User:
    return User(id=row.id, org_id=row.org_id, username=row.username, role=Role(row.role),
                active=row.active, created_at=row.created_at, updated_at=row.updated_at)


def api_key_from_row(row: Row[Any]) -> ApiKey:
    return ApiKey(id=row.id, name=row.name, role=Role(row.role), key_prefix=row.key_prefix,
                  created_by=row.created_by, created_at=row.created_at,
                  last_used_at=row.last_used_at, revoked_at=row.revoked_at)


class IdentityRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- users ---------------------------------------------------------------------------

    def user_row(self, username_folded: str) -> Row[Any] | None:
        return self.conn.execute(select(t.users).where(
            t.users.c.username_folded == username_folded)).first()

    def user_named(self, username_folded: str) -> User | None:
        row = self.user_row(username_folded)
        return None if row is None else user_from_row(row)

    def user(self, org_id: str, user_id: str) -> User | None:
        row = self.conn.execute(select(t.users).where(
            t.users.c.org_id == org_id, t.users.c.id == user_id)).first()
        return None if row is None else user_from_row(row)

    def users(self, org_id: str) -> list[User]:
        rows = self.conn.execute(select(t.users).where(t.users.c.org_id == org_id)
                                 .order_by(t.users.c.username_folded))
        return [user_from_row(row) for row in rows]

    def add_user(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.users).values(**values))

    def update_user(self, user_id: str, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))

    # --- tokens and keys ----------------------------------------------------------------

    def add_token(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.auth_tokens).values(**values))

    def token_principal(self, token_hash: str, now: dt.datetime) -> Row[Any] | None:
        tok, usr = t.auth_tokens.c, t.users.c
        statement: Select[Any] = (select(usr.org_id, usr.username, usr.role)
                     .join_from(t.auth_tokens, t.users, usr.id == tok.user_id)
                     .where(tok.token_hash == token_hash, tok.revoked_at.is_(None),
                            tok.expires_at > now, usr.active.is_(True)))
        return self.conn.execute(statement).first()

    def revoke_token(self, token_hash: str, now: dt.datetime) -> int:
        return self.conn.execute(update(t.auth_tokens).where(
            t.auth_tokens.c.token_hash == token_hash, t.auth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)).rowcount

    def revoke_user_tokens(self, user_id: str, now: dt.datetime) -> None:
        self.conn.execute(update(t.auth_tokens).where(
            t.auth_tokens.c.user_id == user_id, t.auth_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now))

    def add_api_key(self, values: dict[str, Any]) -> None:
        self.conn.execute(insert(t.api_keys).values(**values))

    def api_key_row(self, key_hash: str) -> Row[Any] | None:
        return self.conn.execute(select(t.api_keys).where(
            t.api_keys.c.key_hash == key_hash, t.api_keys.c.revoked_at.is_(None))).first()

    def api_keys(self, org_id: str) -> list[ApiKey]:
        rows = self.conn.execute(select(t.api_keys).where(t.api_keys.c.org_id == org_id)
                                 .order_by(t.api_keys.c.id))
        return [api_key_from_row(row) for row in rows]

    def api_key(self, org_id: str, key_id: str) -> ApiKey | None:
        row = self.conn.execute(select(t.api_keys).where(
            t.api_keys.c.org_id == org_id, t.api_keys.c.id == key_id)).first()
        return None if row is None else api_key_from_row(row)

    def touch_api_key(self, key_id: str, now: dt.datetime) -> None:
        self.conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id)
                          .values(last_used_at=now))

    def revoke_api_key(self, key_id: str, now: dt.datetime) -> None:
        self.conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id)
                          .values(revoked_at=now))

    # --- login throttling ---------------------------------------------------------------

    def failures_since(self, username_folded: str, since: dt.datetime) -> list[dt.datetime]:
        lf = t.login_failures.c
        rows = self.conn.execute(select(lf.failed_at).where(
            lf.username_folded == username_folded, lf.failed_at > since)
            .order_by(lf.failed_at))
        return list(rows.scalars())

    def add_failure(self, failure_id: str, username_folded: str, moment: dt.datetime) -> None:
        self.conn.execute(insert(t.login_failures).values(
            id=failure_id, username_folded=username_folded, failed_at=moment))

    def forget_failures_before(self, moment: dt.datetime) -> None:
        self.conn.execute(delete(t.login_failures).where(t.login_failures.c.failed_at < moment))

    def count_admins(self, org_id: str) -> int:
        return int(self.conn.execute(select(func.count()).where(
            t.users.c.org_id == org_id, t.users.c.role == Role.ADMIN.value,
            t.users.c.active.is_(True))).scalar_one())


# --- the credential check of every API request ------------------------------------------------


class CredentialReads:
    """A bearer token's or an API key's row by its hash, straight on a DBAPI connection: one
    fixed SQL string each, in no transaction (one statement is its own snapshot). Every API
    request makes this check; through Core in a unit of work it took ~0.4 ms (statement cache,
    BEGIN, result metadata, ROLLBACK), a tenth of that here. Timestamps come back as the
    `UTCDateTime` columns return them; validity (revoked, expired, inactive) is the caller's."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        style = dialect.paramstyle
        self.named = style in ("named", "pyformat")
        mark = {"qmark": "?", "format": "%s", "numeric": ":1", "named": ":p0",
                "pyformat": "%(p0)s"}[style]
        q = dialect.identifier_preparer.quote
        tokens, users, keys = (q(t.auth_tokens.name), q(t.users.name), q(t.api_keys.name))
        self.token_sql = (
            f"SELECT u.id, u.org_id, u.username, u.role, u.active, k.expires_at, k.revoked_at "
            f"FROM {tokens} k JOIN {users} u ON u.id = k.user_id WHERE k.token_hash = {mark}")
        self.key_sql = (f"SELECT k.id, k.org_id, k.name, k.role, k.last_used_at, k.revoked_at, "
                        f"k.user_id, u.role, u.active FROM {keys} k "
                        f"LEFT JOIN {users} u ON u.id = k.user_id WHERE k.key_hash = {mark}")
        self._timestamp = UTCDateTime()

    def token(self, connection: PoolProxiedConnection, token_hash: str) -> TokenPrincipal | None:
        row = self._one(connection, self.token_sql, token_hash)
        if row is None:
            return None
        user_id, org_id, username, role, active, expires_at, revoked_at = row
        expires = self._time(expires_at)
        assert expires is not None
        return TokenPrincipal(user_id, org_id, username, role, bool(active), expires,
                              self._time(revoked_at))

    def api_key(self, connection: PoolProxiedConnection, key_hash: str) -> KeyPrincipal | None:
        row = self._one(connection, self.key_sql, key_hash)
        if row is None:
            return None
        key_id, org_id, name, role, last_used_at, revoked_at, user_id, user_role, active = row
        return KeyPrincipal(key_id, org_id, name, role, self._time(last_used_at),
                            self._time(revoked_at), user_id, user_role,
                            None if active is None else bool(active))

    def _time(self, value: Any) -> dt.datetime | None:
        return self._timestamp.process_result_value(value, self.dialect)

    def _one(self, connection: PoolProxiedConnection, sql: str, value: str) -> Any:
        params: Any = {"p0": value} if self.named else (value,)
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchone()
            finally:
                cursor.close()
        except self.dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy reports a driver error; a dropped connection is not reused.
            dropped = is_disconnect(self.dialect, error, connection.dbapi_connection)
            if dropped:
                connection.invalidate(error)
            raise DBAPIError.instance(sql, params, error, self.dialect.loaded_dbapi.Error,
                                      connection_invalidated=dropped,
                                      dialect=self.dialect) from error


_CREDENTIAL_READS: WeakKeyDictionary[Dialect, CredentialReads] = WeakKeyDictionary()


def credential_reads(dialect: Dialect) -> CredentialReads:
    reads = _CREDENTIAL_READS.get(dialect)
    if reads is None:
        reads = _CREDENTIAL_READS[dialect] = CredentialReads(dialect)
    return reads
