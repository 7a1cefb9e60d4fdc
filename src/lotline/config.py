"""Settings from the environment (LOTLINE_*), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lotline.domain.webhooks import DEFAULT_SCHEDULE, LEASE_SECONDS, parse_schedule

DEFAULT_DATABASE_URL = "sqlite:///lotline.db"


@dataclass(frozen=True, slots=True)
class Config:
    database_url: str
    organization: str = "default"
    sqlite_busy_timeout_ms: int = 30_000


def database_url_from_env(explicit: str | None = None) -> str:
    """An explicit URL wins, then LOTLINE_DATABASE_URL, then ./lotline.db.

    "sqlite://" is an in-memory database; plain "postgresql://" URLs use psycopg 3."""
    url = explicit or os.environ.get("LOTLINE_DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def read_database_url_from_env(primary_url: str, explicit: str | None = None) -> str | None:
    """The streaming replica for reads that may lag (DESIGN §9): an explicit URL, else
    LOTLINE_DATABASE_READ_URL, else None (every read on the primary). PostgreSQL only, for a
    PostgreSQL primary (ValueError otherwise: a replica of a SQLite file does not exist)."""
    url = explicit or os.environ.get("LOTLINE_DATABASE_READ_URL") or None
    if url is None:
        return None
    url = database_url_from_env(url)
    if not url.startswith("postgresql") or not primary_url.startswith("postgresql"):
        raise ValueError("LOTLINE_DATABASE_READ_URL: a read replica needs PostgreSQL URLs for "
                         f"both the primary ({primary_url.split(':', 1)[0]}) and the replica "
                         f"({url.split(':', 1)[0]})")
    return url


def load_config(database_url: str | None = None, organization: str = "default") -> Config:
    timeout = int(os.environ.get("LOTLINE_SQLITE_BUSY_TIMEOUT_MS", "30000"))
    return Config(database_url=database_url_from_env(database_url), organization=organization,
                  sqlite_busy_timeout_ms=timeout)


DEFAULT_CHECKPOINT_INTERVAL_MINUTES = 60.0
LEDGER_KEY_FILE_NAME = "ledger-ed25519.key"


def ledger_key_file() -> Path:
    """The installation's ledger signing key: LOTLINE_LEDGER_KEY_FILE, else
    $XDG_DATA_HOME/lotline/ledger-ed25519.key (~/.local/share/lotline/...). Never beside the
    database: whoever can rewrite the database (or copies its backups) must not hold it."""
    explicit = os.environ.get("LOTLINE_LEDGER_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "lotline" / LEDGER_KEY_FILE_NAME


def checkpoint_interval_minutes() -> float:
    """How often the worker signs the ledger heads: LOTLINE_LEDGER_CHECKPOINT_INTERVAL
    (minutes, > 0; default 60)."""
    raw = os.environ.get("LOTLINE_LEDGER_CHECKPOINT_INTERVAL")
    if raw is None or not raw.strip():
        return DEFAULT_CHECKPOINT_INTERVAL_MINUTES
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1.0
    if not minutes > 0 or minutes == float("inf"):
        raise ValueError(f"LOTLINE_LEDGER_CHECKPOINT_INTERVAL: {raw!r} is not a positive "
                         f"number of minutes")
    return minutes


def webhook_schedule() -> tuple[int, ...]:
    """LOTLINE_WEBHOOKS_RETRY_SCHEDULE: seconds after each failed attempt (ValueError if bad)."""
    text = os.environ.get("LOTLINE_WEBHOOKS_RETRY_SCHEDULE", "")
    return parse_schedule(text) if text.strip() else DEFAULT_SCHEDULE


def webhook_lease_seconds() -> float:
    """LOTLINE_WEBHOOKS_LEASE_SECONDS: how long a worker holds an endpoint (default 60). A
    worker killed mid-delivery leaves its lease behind; the endpoint waits that long before
    another worker sends again. At least 16: the 10 s timeout and a 5 s margin fit in it."""
    raw = os.environ.get("LOTLINE_WEBHOOKS_LEASE_SECONDS", "")
    if not raw.strip():
        return LEASE_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 16 <= seconds <= 3600:
        raise ValueError(f"LOTLINE_WEBHOOKS_LEASE_SECONDS: {raw!r} is not a number of seconds "
                         f"between 16 and 3600")
    return seconds


class SettingError(ValueError):
    """A LOTLINE_* setting that cannot be used (the message names it)."""


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """The connection pool of one process on PostgreSQL (SQLite keeps its own pooling).

    Each server process (each `--workers` worker) has its own pool: the database sees up to
    workers × (size + max_overflow) connections, plus the background worker's."""

    size: int = 10  # LOTLINE_DB_POOL_SIZE: connections kept open
    max_overflow: int = 20  # LOTLINE_DB_MAX_OVERFLOW: opened beyond `size` at peaks, then closed
    timeout: float = 30.0  # LOTLINE_DB_POOL_TIMEOUT: seconds a request waits for a connection
    recycle: int = -1  # LOTLINE_DB_POOL_RECYCLE: seconds before a connection is replaced
    # LOTLINE_DATABASE_PGBOUNCER=1: the URL points at pgbouncer in transaction pooling mode
    # (no server-side prepared statements; no session state across transactions).
    transaction_pooling: bool = False


def _int_setting(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise SettingError(f"{name}: {raw!r} is not a whole number from {low} to {high}")
    return value


def _flag_setting(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingError(f"{name}: {raw!r} is not 1 or 0")


def pool_settings() -> PoolSettings:
    """LOTLINE_DB_POOL_SIZE (default 10), LOTLINE_DB_MAX_OVERFLOW (20), LOTLINE_DB_POOL_TIMEOUT
    (seconds, 30), LOTLINE_DB_POOL_RECYCLE (seconds, -1 = never), LOTLINE_DATABASE_PGBOUNCER
    (1 when the URL is pgbouncer's in transaction mode). SettingError names a bad one."""
    return PoolSettings(
        size=_int_setting("LOTLINE_DB_POOL_SIZE", 10, 1, 1000),
        max_overflow=_int_setting("LOTLINE_DB_MAX_OVERFLOW", 20, 0, 1000),
        timeout=float(_int_setting("LOTLINE_DB_POOL_TIMEOUT", 30, 1, 3600)),
        recycle=_int_setting("LOTLINE_DB_POOL_RECYCLE", -1, -1, 86_400),
        transaction_pooling=_flag_setting("LOTLINE_DATABASE_PGBOUNCER"))
