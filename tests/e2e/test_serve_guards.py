"""The server's outer guards, over real sockets to uvicorn: an unauthenticated upload is
refused before its body is read (the memory traced while it is sent barely moves), and a
request that fails with a 500 leaves its keep-alive connection usable for the next one."""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from serve_kit import free_port

from lotline.entrypoints.api.app import create_app

UPLOAD_BYTES = 200 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)
MEMORY_BUDGET = 20 * 1024 * 1024


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


@pytest.fixture(scope="module")
def server_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """uvicorn in a thread (in this process, so tracemalloc sees the server's allocations)
    over an app with one more route, which raises."""
    app: FastAPI = create_app(f"sqlite:///{tmp_path_factory.mktemp('guards') / 'api.db'}")

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


def test_an_unauthenticated_upload_is_refused_before_its_body_is_read(server_port: int) -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        status, sent, body = stream_upload(server_port, "/api/v1/imports/serials",
                                           {"Idempotency-Key": "upload-1"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 401, body
    assert json.loads(body)["code"] == "unauthorized"
    assert peak - before < MEMORY_BUDGET, (peak - before) / 2**20
    assert sent < UPLOAD_BYTES // 4  # answered long before the end of the body


def test_a_500_keeps_the_keep_alive_connection_usable(server_port: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
    connection.request("GET", "/test-raises", headers={"X-Request-ID": "req-boom"})
    failed = connection.getresponse()
    problem = json.loads(failed.read())
    assert (failed.status, failed.getheader("content-type")) == (500, "application/problem+json")
    first_socket = connection.sock
    assert first_socket is not None  # not closed by the server's answer
    connection.request("GET", "/healthz")
    healthy = connection.getresponse()
    assert (healthy.status, json.loads(healthy.read())) == (200, {"status": "ok"})
    assert connection.sock is first_socket
    connection.close()
    assert (problem["code"], problem["request_id"]) == ("internal_error", "req-boom")
    assert problem["detail"] == "the server failed to handle this request; it has been logged"
