"""Settings from the environment (LOTLINE_*), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass

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


def load_config(database_url: str | None = None, organization: str = "default") -> Config:
    timeout = int(os.environ.get("LOTLINE_SQLITE_BUSY_TIMEOUT_MS", "30000"))
    return Config(database_url=database_url_from_env(database_url), organization=organization,
                  sqlite_busy_timeout_ms=timeout)
