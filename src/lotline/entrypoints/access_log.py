"""The access log's handler: lines kept in memory and written in batches, as nginx's
`access_log ... buffer=32k flush=1s` (docs/decisions.md).

Writing and flushing standard error once a request cost about a third of a serial lookup. Here
a line waits until the buffer holds BUFFER_BYTES, at most FLUSH_SECONDS (a background thread
writes what has waited that long), or until the process ends: logging.shutdown() flushes every
handler at a normal exit, which is also how uvicorn's worker processes end on SIGTERM. A line
logged with `urgent` set (a 5xx answer) goes out at once, with what waited before it."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TextIO

ACCESS_LOGGER = "lotline.access"
BUFFER_BYTES = 32 * 1024
FLUSH_SECONDS = 1.0


class BufferedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """StreamHandler whose lines reach the stream in batches: same text, fewer writes."""

    def __init__(self, stream: TextIO | None = None, buffer_bytes: int = BUFFER_BYTES,
                 flush_seconds: float = FLUSH_SECONDS) -> None:
        super().__init__(stream)
        self.buffer_bytes = buffer_bytes
        self.flush_seconds = flush_seconds
        self._pending: list[str] = []
        self._size = 0
        self._flusher: threading.Thread | None = None
        self._stopping = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + self.terminator
        except Exception:  # as StreamHandler.emit: a bad record is reported, never raised
            self.handleError(record)
            return
        # handle() holds self.lock around emit(): the list and the flusher thread agree.
        self._pending.append(text)
        self._size += len(text)
        if self._size >= self.buffer_bytes or getattr(record, "urgent", False):
            self._write_pending()
        elif self._flusher is None:
            self._start_flusher()

    def write_line(self, line: str, urgent: bool) -> None:
        """emit() of a message already formatted, without building a LogRecord: for a
        message-only formatter (see `takes_lines`) the same text reaches the stream."""
        self.acquire()
        try:
            self._pending.append(line + self.terminator)
            self._size += len(line) + 1
            if self._size >= self.buffer_bytes or urgent:
                self._write_pending()
            elif self._flusher is None:
                self._start_flusher()
        finally:
            self.release()

    def flush(self) -> None:
        self.acquire()
        try:
            self._write_pending()
        finally:
            self.release()

    def close(self) -> None:
        self._stopping.set()
        self.flush()
        super().close()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._size = 0
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:  # a closed or broken stream: say so on stderr, as logging does
            self.handleError(logging.makeLogRecord({"msg": text}))

    def _start_flusher(self) -> None:
        # Started by the first line, in the process that logs it (each uvicorn worker builds
        # its own handler), as a daemon: at exit logging.shutdown() flushes what is left.
        self._flusher = threading.Thread(target=self._flush_periodically,
                                         name="lotline-access-log", daemon=True)
        self._flusher.start()

    def _flush_periodically(self) -> None:
        while not self._stopping.wait(self.flush_seconds):
            self.flush()


def line_sink(logger: logging.Logger) -> BufferedStreamHandler | None:
    """The handler a logger's INFO lines may go to directly, through write_line(): only when
    it is the logger's one handler, writes the message alone, and nothing filters (the
    logger's level is the caller's to check). Else None: go through logger.handle()."""
    handlers = logger.handlers
    if len(handlers) != 1 or logger.filters or logger.propagate:
        return None
    handler = handlers[0]
    if type(handler) is not BufferedStreamHandler or handler.filters \
            or handler.level > logging.INFO or not _message_only(handler.formatter):
        return None
    return handler


def _message_only(formatter: logging.Formatter | None) -> bool:
    return type(formatter) is logging.Formatter and formatter._fmt == "%(message)s" \
        and isinstance(formatter._style, logging.PercentStyle)


@asynccontextmanager
async def flushed_at_shutdown(_app: object) -> AsyncIterator[None]:
    """An ASGI lifespan writing the access log's buffered lines when the server stops: a
    uvicorn worker (--workers N) ends by raising SIGTERM again once its requests are done,
    which would end it before logging.shutdown() could flush them."""
    yield
    for handler in logging.getLogger(ACCESS_LOGGER).handlers:
        handler.flush()
