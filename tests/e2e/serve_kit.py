"""Helpers of the tests that run `lotline serve` and `lotline demo` as real processes: a free
port, the `lotline` command line, and a process whose output is read line by line while it
runs (so a test can wait for a line, then talk to the server, then stop it)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import httpx

STARTUP_SECONDS = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lotline_command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("lotline")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "lotline", *args]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LOTLINE_DATABASE_URL", "LOTLINE_PASSWORD")}
    return {**env, "COLUMNS": "200", **extra}


class Process:
    """A running `lotline ...`: its stdout and stderr lines are collected by two threads."""

    def __init__(self, args: Sequence[str], env: dict[str, str] | None = None) -> None:
        self.popen = subprocess.Popen(
            lotline_command(*args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env or clean_env())
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._threads = [
            threading.Thread(target=self._pump, args=(self.popen.stdout, self.stdout, True),
                             daemon=True),
            threading.Thread(target=self._pump, args=(self.popen.stderr, self.stderr, False),
                             daemon=True)]
        for thread in self._threads:
            thread.start()

    def _pump(self, stream: IO[str], into: list[str], announce: bool) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))
            if announce:
                self._lines.put(line.rstrip("\n"))
        if announce:
            self._lines.put(None)

    def wait_for_stdout(self, starts_with: str, timeout: float = STARTUP_SECONDS) -> str:
        """The first stdout line starting with the text (earlier lines are in `stdout`)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line {starts_with!r} within {timeout} s: "
                                     f"{self.output()}") from None
            if line is None:
                raise AssertionError(f"exited ({self.popen.wait()}) before {starts_with!r}: "
                                     f"{self.output()}")
            if line.startswith(starts_with):
                return line

    def wait_until_healthy(self, base_url: str, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise AssertionError(f"exited ({self.popen.returncode}): {self.output()}")
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{base_url}/healthz did not answer within {timeout} s")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then the exit code (killed, and the test failed, if it does not stop)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"did not stop on SIGTERM: {self.output()}") from None
        for thread in self._threads:
            thread.join(timeout=5)
        return code

    def output(self) -> str:
        return "\nstdout:\n" + "\n".join(self.stdout) + "\nstderr:\n" + "\n".join(self.stderr)
