"""A real HTTP receiver of webhooks on 127.0.0.1 for the tests (integration and end to end):
it keeps every request as it arrives (headers, body, the code it answers), answers 500 to
the next `fail_next` requests (all of them while `fail_always`), can sleep before answering
(until `wake` is set), and speaks HTTP/1.1 so a sender's keep-alive connection is reused."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    code: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self, answer: bytes = b"") -> None:
        self.requests: list[Received] = []
        self.fail_next = 0
        self.fail_always = False
        self.sleep_seconds = 0.0
        self.answer = answer  # the body of every answer
        self.arrived = threading.Event()  # set at each request's arrival
        self.wake = threading.Event()  # ends every sleep at once
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                code = receiver.take(dict(self.headers.items()), body)
                receiver.arrived.set()
                if receiver.sleep_seconds:
                    receiver.wake.wait(receiver.sleep_seconds)
                try:
                    self.send_response(code)
                    self.send_header("content-length", str(len(receiver.answer)))
                    self.end_headers()
                    self.wfile.write(receiver.answer)
                except OSError:  # the sender is gone (killed mid-delivery)
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def take(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            failing = self.fail_always or self.fail_next > 0
            self.fail_next -= 1 if self.fail_next > 0 else 0
            code = 500 if failing else 200 if self.answer else 204
            self.requests.append(Received({k.lower(): v for k, v in headers.items()}, body,
                                          code))
            return code

    def delivered(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.json for r in self.requests if r.code < 300]

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        """Until `count` requests were answered 2xx."""
        deadline = time.monotonic() + timeout
        while len(self.delivered()) < count:
            assert time.monotonic() < deadline, (
                f"{len(self.delivered())} deliveries of {count} within {timeout} s")
            time.sleep(0.05)

    def ids(self) -> list[str]:
        """The `webhook-id` of every request, in arrival order."""
        with self.lock:
            return [r.headers["webhook-id"] for r in self.requests]

    def close(self) -> None:
        self.wake.set()
        self.server.shutdown()
        self.server.server_close()
