"""Read-your-writes for reads that may lag (DESIGN §9: a streaming replica).

Reads that may lag (lists, search, trace, reports, EPCIS queries) can be served by a replica;
a client that has just written must still see its write there. A `ReadSession` is that
client's chain of requests: after one of its writes commits, the adapter notes how to learn
the primary's write position (`wrote`); the position is asked for only when it is needed —
when a read that may lag follows, or when a door hands it to the client as a consistency
token — and a replica serves the chain's reads only once it has replayed that far.

The token is the database's position in its own text form (PostgreSQL's LSN, `16/B374D848`),
opaque to everything above the adapter. One session per library `Services` object (and so per
CLI process); one per HTTP request, seeded with the token the request carries
(`LOTLINE-Consistency-Token` header or the web UI's cookie) and set for the request by
`reading_session` so every unit of work of the request finds it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# PostgreSQL's pg_lsn text: two hexadecimal numbers of up to 32 bits each.
TOKEN_SHAPE = re.compile(r"[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")


def valid_token(token: str) -> bool:
    return TOKEN_SHAPE.fullmatch(token) is not None


class ReadSession:
    """What one client has written, for its reads that may lag."""

    def __init__(self, token: str | None = None) -> None:
        self._token = token
        self._position: Callable[[], str] | None = None
        self._lock = threading.Lock()

    def wrote(self, position: Callable[[], str]) -> None:
        """A write of this client committed; `position()` reads the primary's position now
        (at or past that commit), when a token is next needed."""
        self._position = position

    @property
    def pending(self) -> bool:
        """A write committed whose position has not been read yet."""
        return self._position is not None

    def token(self) -> str | None:
        """The position a replica must have replayed to show this client its writes (None:
        nothing written, any replica will do)."""
        with self._lock:
            position = self._position
            if position is not None:
                self._token = position()  # a later position than any token before it
                self._position = None
            return self._token


_SESSION: ContextVar[ReadSession | None] = ContextVar("lotline_read_session", default=None)


def current_session() -> ReadSession | None:
    """The session a door opened for the running request, if any."""
    return _SESSION.get()


@contextmanager
def reading_session(session: ReadSession) -> Iterator[ReadSession]:
    """Every unit of work inside the block belongs to `session` (a door's request)."""
    reset = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(reset)
