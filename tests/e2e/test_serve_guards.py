"""The server's outer guards, over real sockets: an unauthenticated upload is refused before
its body is read (the server's memory barely moves), and a request that fails with a 500
leaves its keep-alive connection usable for the next one."""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from cli_kit import make_cli, ok
from fastapi import FastAPI
from serve_kit import Process, free_port

from lotline.entrypoints.api.app import create_app

UPLOAD_BYTES = 200 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)
MEMORY_BUDGET = 20 * 1024 * 1024


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class PeakRss:
    """The highest resident size of a process while the block runs, sampled every 10 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._done = pid, rss_bytes(pid), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


def stream_upload(port: int, path: str, headers: dict[str, str]) -> tuple[int, int, bytes]:
    """POST a chunked body of up to UPLOAD_BYTES, stopping as soon as the server answers (or
    stops reading); (status, bytes sent, response body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n"
                     f"Content-Type: multipart/form-data; boundary=b\r\n{head}\r\n".encode())
        sent = 0
        sock.settimeout(2)
        try:
            while sent < UPLOAD_BYTES and not select.select([sock], [], [], 0)[0]:
                sock.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                sent += len(CHUNK)
            sock.sendall(b"0\r\n\r\n")
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is waiting
        sock.settimeout(30)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, sent, response.read()


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'guards.db'}"
    ok(make_cli(url)("orgs", "create", "Acme", "--admin", "alice", "--password",
                     "correct horse battery staple"))
    port = free_port()
    server = Process(["--database-url", url, "serve", "--port", str(port), "--no-access-log"])
    try:
        server.wait_until_healthy(f"http://127.0.0.1:{port}")
        with PeakRss(server.popen.pid) as memory:
            before = memory.peak
            status, sent, body = stream_upload(port, "/api/v1/imports/serials",
                                               {"Idempotency-Key": "upload-1"})
        assert status == 401, body
        assert json.loads(body)["code"] == "unauthorized"
        assert sent < UPLOAD_BYTES // 4  # refused long before the end of the body
        assert memory.peak - before < MEMORY_BUDGET, (memory.peak - before) / 2**20
    finally:
        server.stop()


@pytest.fixture
def raising_server(tmp_path: Path) -> Iterator[int]:
    """uvicorn in a thread over an app with one route that raises."""
    app: FastAPI = create_app(f"sqlite:///{tmp_path / 'raising.db'}")

    def explode() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/test-raises", explode)
    app.router.routes.insert(0, app.router.routes.pop())  # before the web UI's pages
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def test_a_500_keeps_the_keep_alive_connection_usable(raising_server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", raising_server, timeout=10)
    connection.request("GET", "/test-raises", headers={"X-Request-ID": "req-boom"})
    failed = connection.getresponse()
    problem = json.loads(failed.read())
    assert (failed.status, failed.getheader("content-type")) == (500, "application/problem+json")
    assert (problem["code"], problem["request_id"]) == ("internal_error", "req-boom")
    assert problem["detail"] == "the server failed to handle this request; it has been logged"
    first_socket = connection.sock
    assert first_socket is not None  # not closed by the server's answer
    connection.request("GET", "/healthz")
    healthy = connection.getresponse()
    assert (healthy.status, json.loads(healthy.read())) == (200, {"status": "ok"})
    assert connection.sock is first_socket
    connection.close()
