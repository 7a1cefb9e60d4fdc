"""The buffered access log (entrypoints/access_log.py): the same text as a plain
StreamHandler, written when the buffer is full, within the flush interval, at once for an
urgent (5xx) line, and at close; and the access line written by hand is json's."""

from __future__ import annotations

import io
import json
import logging
import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lotline.entrypoints.access_log import BufferedStreamHandler, line_sink
from lotline.entrypoints.api.middleware import _access_line

MESSAGE_ONLY = logging.Formatter("%(message)s")


def _logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"test.access.{name}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def _handler(stream: io.StringIO, **options: Any) -> BufferedStreamHandler:
    handler = BufferedStreamHandler(stream, **options)
    handler.setFormatter(MESSAGE_ONLY)
    return handler


def test_the_text_is_a_stream_handlers_once_flushed() -> None:
    plain, buffered = io.StringIO(), io.StringIO()
    reference = logging.StreamHandler(plain)
    reference.setFormatter(MESSAGE_ONLY)
    handler = _handler(buffered)
    lines = ['{"a": 1}', "é ünïcode", '{"b": "x"}']
    for index, line in enumerate(lines):
        _logger("plain", reference).info(line)
        if index % 2:
            _logger("same", handler).info(line)
        else:
            handler.write_line(line, False)
    assert buffered.getvalue() == ""  # kept until a bound is reached
    handler.close()
    assert buffered.getvalue() == plain.getvalue() == "".join(f"{line}\n" for line in lines)


def test_a_full_buffer_is_written_at_once() -> None:
    stream = io.StringIO()
    handler = _handler(stream, buffer_bytes=100, flush_seconds=60)
    logger = _logger("full", handler)
    logger.info("x" * 60)
    assert stream.getvalue() == ""
    logger.info("y" * 60)
    assert stream.getvalue() == "x" * 60 + "\n" + "y" * 60 + "\n"
    handler.close()


def test_an_urgent_line_goes_out_with_what_waited_before_it() -> None:
    stream = io.StringIO()
    handler = _handler(stream, flush_seconds=60)
    logger = _logger("urgent", handler)
    logger.info("first")
    handler.write_line("second", False)
    assert stream.getvalue() == ""
    logger.info("a 5xx", extra={"urgent": True})
    assert stream.getvalue() == "first\nsecond\na 5xx\n"
    handler.write_line("another 5xx", True)
    assert stream.getvalue().endswith("a 5xx\nanother 5xx\n")
    handler.close()


def test_lines_are_written_within_the_flush_interval() -> None:
    stream = io.StringIO()
    handler = _handler(stream, flush_seconds=0.2)
    logger = _logger("timed", handler)
    for round_no in range(2):
        logged = time.monotonic()
        logger.info(f"line {round_no}")
        while f"line {round_no}\n" not in stream.getvalue():
            assert time.monotonic() - logged < 5, "the line was not written in time"
            time.sleep(0.01)
    handler.close()
    assert stream.getvalue() == "line 0\nline 1\n"


def test_only_a_lone_message_only_buffered_handler_takes_lines_directly() -> None:
    handler = _handler(io.StringIO())
    logger = _logger("sink", handler)
    assert line_sink(logger) is handler
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    assert line_sink(logger) is None
    handler.setFormatter(MESSAGE_ONLY)
    handler.addFilter(lambda record: True)
    assert line_sink(logger) is None
    plain = logging.StreamHandler(io.StringIO())
    plain.setFormatter(MESSAGE_ONLY)
    assert line_sink(_logger("plain-sink", plain)) is None
    two = _logger("two", _handler(io.StringIO()))
    two.addHandler(logging.NullHandler())
    assert line_sink(two) is None


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@given(ts=_text, request_id=_text, method=_text, path=_text, route=_text,
       status=st.integers(100, 599), duration=st.floats(0, 1e7, allow_nan=False),
       actor=st.none() | _text, pid=st.integers(1, 2**31))
def test_the_hand_written_line_is_json_dumps(ts: str, request_id: str, method: str, path: str,
                                             route: str, status: int, duration: float,
                                             actor: str | None, pid: int) -> None:
    duration_ms = round(duration, 3)
    expected = json.dumps({
        "ts": ts, "request_id": request_id, "method": method, "path": path, "route": route,
        "status": status, "duration_ms": duration_ms, "actor": actor, "pid": pid},
        ensure_ascii=False)
    assert _access_line(ts, request_id, method, path, route, status, duration_ms, actor,
                        pid) == expected
