"""Kept pages of the web UI's post/redirect/get (service_layer/page_replays.py) in the database
of each backend: shown once, to their session only, at their path, within KEEP_SECONDS; and
swept once expired. Two PageReplays on one database stand for two server processes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from lotline.adapters import tables as t
from lotline.bootstrap import page_replays
from lotline.service_layer.page_replays import KEEP_SECONDS
from support import FIXED_NOW

HEADERS = {"content-type": "text/html; charset=utf-8"}


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def test_a_page_kept_by_one_process_is_taken_once_by_another(database: Any) -> None:
    keeper, other = page_replays(database.engine), page_replays(database.engine)
    body = b"<p>Line 1: lots add up to 8, the line expects 10</p>" * 200
    key = keeper.keep("llt_session-a", "/receiving/r1", 422, HEADERS, body)
    page = other.take(key, "llt_session-a", "/receiving/r1")
    assert page is not None
    assert (page.status, page.headers, page.body, page.path) == (422, HEADERS, body,
                                                                 "/receiving/r1")
    assert other.take(key, "llt_session-a", "/receiving/r1") is None  # once
    assert keeper.take(key, "llt_session-a", "/receiving/r1") is None


def test_only_its_session_at_its_path_sees_it(database: Any) -> None:
    pages = page_replays(database.engine)
    for owner, path in (("llt_session-b", "/products/new"), ("llt_session-a", "/lots")):
        key = pages.keep("llt_session-a", "/products/new", 422, HEADERS, b"<p>kept</p>")
        assert pages.take(key, owner, path) is None
        assert pages.take(key, "llt_session-a", "/products/new") is None  # spent all the same
    anonymous = pages.keep("", "/login", 401, HEADERS, b"<p>wrong password</p>")
    assert pages.take(anonymous, "llt_session-a", "/login") is None
    assert pages.take("no-such-key", "", "/login") is None


def test_an_expired_page_is_not_shown_and_is_swept(database: Any) -> None:
    clock = Clock(FIXED_NOW)
    pages = page_replays(database.engine, clock)
    late = pages.keep("llt_session-c", "/lots", 422, HEADERS, b"<p>late</p>")
    clock.moment += dt.timedelta(seconds=KEEP_SECONDS + 1)
    assert pages.take(late, "llt_session-c", "/lots") is None
    stale = pages.keep("llt_session-c", "/lots", 422, HEADERS, b"<p>stale</p>")
    clock.moment += dt.timedelta(seconds=KEEP_SECONDS + 1)
    fresh = pages.keep("llt_session-c", "/lots", 422, HEADERS, b"<p>fresh</p>")  # sweeps
    with database.engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(t.page_replays).where(
            t.page_replays.c.expires_at <= FIXED_NOW + dt.timedelta(seconds=2 * KEEP_SECONDS + 1)
        )).scalar_one()
    assert left == 0
    assert pages.take(stale, "llt_session-c", "/lots") is None
    page = pages.take(fresh, "llt_session-c", "/lots")
    assert page is not None and page.body == b"<p>fresh</p>"
