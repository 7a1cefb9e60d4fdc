"""The webhook sender's HTTP rules (DESIGN §9) against real servers on 127.0.0.1: a redirect
is not followed, a slow receiver times out, a refused connection is a failed attempt, at
most RESPONSE_BODY_MAX bytes of an answer are read, and successive deliveries reuse one
kept-alive connection."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lotline.adapters.webhook_http import HttpSender

BODY = b'{"id":"1"}'


class Server:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["content-length"]))
                server.paths.append(self.path)
                if self.path == "/slow":
                    time.sleep(1.5)
                answer = b"x" * 1_000_000 if self.path == "/huge" else b"fine"
                self.send_response(302 if self.path == "/moved" else 200)
                if self.path == "/moved":
                    self.send_header("location", "/elsewhere")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                try:
                    self.wfile.write(answer)
                except OSError:
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[Server]:
    made = Server()
    yield made
    made.http.shutdown()
    made.http.server_close()


def test_deliveries_reuse_one_connection(server: Server) -> None:
    sender = HttpSender()
    outcomes = [sender.send(f"{server.base}/hook?n={n}", {"webhook-id": "evt_1"}, BODY)
                for n in range(5)]
    sender.close()
    assert [(o.status_code, o.error, o.response_body) for o in outcomes] == [
        (200, None, "fine")] * 5
    assert server.paths == [f"/hook?n={n}" for n in range(5)]
    assert server.connections == 1


def test_a_redirect_is_a_failed_attempt(server: Server) -> None:
    sender = HttpSender()
    outcome = sender.send(f"{server.base}/moved", {}, BODY)
    sender.close()
    assert (outcome.status_code, outcome.error, outcome.delivered) == (
        302, "HTTP 302: fine", False)
    assert server.paths == ["/moved"]


def test_a_huge_answer_is_read_no_further_than_the_limit(server: Server) -> None:
    sender = HttpSender()
    huge = sender.send(f"{server.base}/huge", {}, BODY)
    after = sender.send(f"{server.base}/hook", {}, BODY)  # on a new connection
    sender.close()
    assert (huge.status_code, huge.response_body) == (200, "x" * 1000)
    assert (after.status_code, after.response_body) == (200, "fine")
    assert server.connections == 2


def test_a_slow_receiver_times_out(server: Server) -> None:
    sender = HttpSender(timeout=0.3)
    outcome = sender.send(f"{server.base}/slow", {}, BODY)
    sender.close()
    assert (outcome.status_code, outcome.error) == (None, "TimeoutError: timed out")
    assert outcome.duration_ms >= 300


def test_a_refused_connection_is_a_failed_attempt() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens on it once closed
    outcome = HttpSender().send(f"http://127.0.0.1:{port}/hook", {}, BODY)
    assert outcome.status_code is None
    assert outcome.error == "ConnectionRefusedError: [Errno 111] Connection refused"
