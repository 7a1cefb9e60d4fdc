"""Reading an EPCISDocument as a stream: the events of `epcisBody.eventList` one at a time, the
rest (context, header, body fields) kept as the header. A 50 MB document of 100,000 events is
read in bounded memory: only the buffer (one chunk plus the event being decoded) is held, never
the whole text (DESIGN §9, capture)."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 1 << 16
WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class DocumentSyntaxError(ValueError):
    """The text is not JSON, or not an object with an `epcisBody.eventList` array."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class EpcisDocumentStream:
    """`events()` yields (index, event); afterwards `header` holds every other member, with
    `epcisBody` holding the body's other members and an empty `eventList`."""

    def __init__(self, source: IO[bytes], chunk: int = CHUNK) -> None:
        self._source = source
        self._chunk = chunk
        self._decode = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self.header: dict[str, Any] = {}
        self.event_count = 0
        self.bytes_read = 0

    # --- the buffer -------------------------------------------------------------------------

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._source.read(self._chunk)
        self.bytes_read += len(data)
        try:
            text = self._decode.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise DocumentSyntaxError("$", f"not UTF-8 text ({error.reason})") from None
        self._buffer = self._buffer[self._pos:] + text
        self._pos = 0
        self._eof = not data
        return True

    def _peek(self) -> str:
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer) or not self._fill():
                return self._buffer[self._pos:self._pos + 1]

    def _expect(self, allowed: str, path: str) -> str:
        char = self._peek()
        if not char or char not in allowed:
            found = repr(char) if char else "the end of the document"
            raise DocumentSyntaxError(path, f"expected {' or '.join(map(repr, allowed))}, "
                                            f"found {found}")
        self._pos += 1
        return char

    def _value(self, path: str) -> Any:
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                # Cut off by the end of the buffer: read more. Anywhere else: a syntax error.
                cut = error.pos >= len(self._buffer) - 1 or error.msg.startswith("Unterminated")
                if cut and self._fill():
                    continue
                raise DocumentSyntaxError(path, f"invalid JSON: {error.msg}") from None
            # A number or literal may go on in the next chunk.
            if end >= len(self._buffer) and not self._eof and self._fill():
                continue
            self._pos = end
            return value

    def _key(self, path: str) -> str:
        if self._peek() != '"':
            self._expect('"', path)
        key = self._value(path)
        self._expect(":", f"{path}.{key}")
        return str(key)

    # --- the document -----------------------------------------------------------------------

    def _members(self, path: str) -> Iterator[str]:
        """The keys of an object, the reader left on each member's value."""
        self._expect("{", path)
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            yield self._key(path)
            if self._expect(",}", path) == "}":
                return

    def events(self) -> Iterator[tuple[int, Any]]:
        found = False
        for key in self._members("$"):
            if key != "epcisBody":
                self.header[key] = self._value(f"$.{key}")
                continue
            body: dict[str, Any] = {}
            for member in self._members("$.epcisBody"):
                if member == "eventList":
                    found = True
                    body["eventList"] = []
                    yield from self._event_list()
                else:
                    body[member] = self._value(f"$.epcisBody.{member}")
            self.header["epcisBody"] = body
        if self._peek():
            raise DocumentSyntaxError("$", "text after the end of the document")
        if not found:
            raise DocumentSyntaxError("$.epcisBody.eventList", "is required")

    def _event_list(self) -> Iterator[tuple[int, Any]]:
        path = "$.epcisBody.eventList"
        self._expect("[", path)
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.event_count, self._value(f"{path}[{self.event_count}]")
            self.event_count += 1
            if self._expect(",]", path) == "]":
                return
