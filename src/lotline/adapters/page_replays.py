"""The SQLAlchemy side of kept pages (the port is `service_layer/page_replays.py`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, insert, select

from lotline.adapters import tables as t
from lotline.adapters.db import WRITE_OPTION
from lotline.service_layer.page_replays import KeptPage

P = t.page_replays.c


class SqlAlchemyPageStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, key_hash: str, page: KeptPage, *, sweep_before: dt.datetime) -> None:
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, \
                conn.begin():
            conn.execute(delete(t.page_replays).where(P.expires_at < sweep_before))
            conn.execute(insert(t.page_replays).values(
                key_hash=key_hash, owner_hash=page.owner_hash, path=page.path,
                status_code=page.status, headers=page.headers, body=page.body,
                expires_at=page.expires_at))

    def take(self, key_hash: str) -> KeptPage | None:
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, \
                conn.begin():
            row = conn.execute(select(t.page_replays).where(P.key_hash == key_hash)).first()
            if row is None:
                return None
            # Deleted with the read: of two requests with the cookie, one shows the page.
            if conn.execute(delete(t.page_replays).where(P.key_hash == key_hash)).rowcount != 1:
                return None
        return KeptPage(row.owner_hash, row.path, row.status_code, dict(row.headers),
                        bytes(row.body), row.expires_at)
