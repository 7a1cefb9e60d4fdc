"""Pages kept for one replay: the page a browser's form POST answered, shown once at the GET
the browser is sent to next (post/redirect/get, entrypoints/web/replay.py).

Kept in the database, never in a process: with several server processes behind one address,
the GET may reach another process than the POST did. A page is taken at most once (the row is
deleted as it is read), only by the session that made it and at the path it was kept for, and
only within KEEP_SECONDS; expired pages are swept whenever one is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from lotline.service_layer.context import Clock, utc_now

KEEP_SECONDS = 120


@dataclass(frozen=True, slots=True)
class KeptPage:
    owner_hash: str
    path: str
    status: int
    headers: dict[str, str]
    body: bytes
    expires_at: dt.datetime


class PageStore(Protocol):
    def put(self, key_hash: str, page: KeptPage, *, sweep_before: dt.datetime) -> None:
        """Store the page (and delete pages that expired before `sweep_before`)."""

    def take(self, key_hash: str) -> KeptPage | None:
        """The page under this key, deleted in the same transaction, or None."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PageReplays:
    def __init__(self, store: PageStore, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock

    def keep(self, owner: str, path: str, status: int, headers: dict[str, str],
             body: bytes) -> str:
        """Keep a page for `owner` (the session cookie's value, "" before login) at `path`;
        the key to hand the browser (only its hash is stored)."""
        key = secrets.token_urlsafe(18)
        now = self.clock()
        self.store.put(_digest(key), KeptPage(_digest(owner), path, status, dict(headers),
                                              body, now + dt.timedelta(seconds=KEEP_SECONDS)),
                       sweep_before=now)
        return key

    def take(self, key: str, owner: str, path: str) -> KeptPage | None:
        """The page kept under `key`, once, if it is `owner`'s, for `path` and not expired."""
        page = self.store.take(_digest(key))
        if page is None or page.expires_at < self.clock() or page.path != path:
            return None
        return page if secrets.compare_digest(page.owner_hash, _digest(owner)) else None
