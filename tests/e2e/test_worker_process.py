"""`lotline worker` and the worker inside `lotline serve` as real processes (issue 17): they
sign a checkpoint of a ledger that moved, and SIGTERM stops them cleanly (exit 0)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from cli_kit import Run, make_cli, ok
from serve_kit import Process, clean_env, free_port

WAIT_SECONDS = 60.0


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, Run, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    cli = make_cli(url)
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    ok(cli("batches", "create", "--product", "OIL", "--number", "L-1", "--quantity", "3"))
    env = clean_env(LOTLINE_LEDGER_KEY_FILE=str(tmp_path / "ledger.key"))
    return url, cli, env


def movement_counts(cli: Run) -> list[int]:
    return [c["movement_count"]
            for c in json.loads(ok(cli("ledger", "checkpoints", "list", "-f", "json")))]


def wait_for_checkpoint(cli: Run, process: Process) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not movement_counts(cli):
        assert time.monotonic() < deadline, f"no checkpoint signed: {process.output()}"
        assert process.popen.poll() is None, process.output()
        time.sleep(0.2)


def test_worker_signs_and_stops_on_sigterm(seeded: tuple[str, Run, dict[str, str]]) -> None:
    url, cli, env = seeded
    worker = Process(["--database-url", url, "worker"], env)
    try:
        assert worker.wait_for_stdout("Worker running") == (
            "Worker running ledger-checkpoints, webhook-delivery; Ctrl+C stops it.")
        wait_for_checkpoint(cli, worker)
    finally:
        code = worker.stop()
    assert code == 0, worker.output()
    assert movement_counts(cli) == [1]
    assert "ledger-checkpoints: signed 1 ledger checkpoint" in worker.output()


def test_serve_runs_the_worker(seeded: tuple[str, Run, dict[str, str]]) -> None:
    url, cli, env = seeded
    port = free_port()
    server = Process(["--database-url", url, "serve", "--port", str(port)], env)
    try:
        server.wait_until_healthy(f"http://127.0.0.1:{port}")
        wait_for_checkpoint(cli, server)
    finally:
        code = server.stop()
    assert code == 0, server.output()
    assert movement_counts(cli) == [1]
