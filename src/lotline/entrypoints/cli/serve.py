"""`lotline serve`: the HTTP API under uvicorn.

One worker builds the app in this process (a database that cannot be opened fails here, exit
1, before any port is bound). More workers each build their own app from LOTLINE_DATABASE_URL
through the factory `lotline.entrypoints.api.asgi:app_from_environment`, after this process has
migrated the schema once (so workers never race to migrate).

Logs go to standard error: uvicorn's own lines, and one JSON line per request from the
`lotline.access` logger (uvicorn's plain access log is off: ours carries the request id, the
route template and the actor), written in batches: within a second, at once for a 5xx, and all
of them when the server stops. Standard output carries only what the command prints itself.

The background worker's jobs (signed ledger checkpoints) run in a thread of this process,
once per server whatever the number of HTTP workers; `--no-worker` leaves them to a separate
`lotline worker`."""

from __future__ import annotations

import copy
import inspect
import logging.config
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url

from lotline.bootstrap import engine_for, ensure_current
from lotline.config import load_config
from lotline.entrypoints.cli.output import counted
from lotline.entrypoints.cli.state import cli_state
from lotline.entrypoints.cli.worker import jobs_or_fail
from lotline.worker import worker_in_background

FACTORY = "lotline.entrypoints.api.asgi:app_from_environment"
GRACEFUL_SHUTDOWN_SECONDS = 10
WORKER_HEALTHCHECK_SECONDS = 60

app = typer.Typer()

HostOption = Annotated[str, typer.Option(
    "--host", help="Interface to listen on; 0.0.0.0 for every IPv4 interface.")]
PortOption = Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")]
WorkersOption = Annotated[int, typer.Option(
    "--workers", min=1, help="Worker processes, each with its own app and connection pool.")]
AccessLogOption = Annotated[bool, typer.Option(
    "--access-log/--no-access-log", help="One JSON line per request on standard error.")]
WorkerOption = Annotated[bool, typer.Option(
    "--worker/--no-worker", help="Run the background jobs (ledger checkpoints, webhooks) in "
                                 "this process.")]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    access_log: bool = True
    worker: bool = True

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def log_config(access_log: bool) -> dict[str, Any]:
    """uvicorn's logging, plus the `lotline.access` JSON lines (message only) on stderr."""
    import uvicorn.config  # imported when serving: other commands start faster without it

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["lotline_json"] = {"format": "%(message)s"}
    # Buffered as nginx's `buffer=32k flush=1s`: a line is out within a second, all of them
    # at shutdown, a 5xx answer's at once (entrypoints/access_log.py).
    config["handlers"]["lotline_access"] = {
        "formatter": "lotline_json",
        "class": "lotline.entrypoints.access_log.BufferedStreamHandler",
        "stream": "ext://sys.stderr"}
    config["loggers"]["lotline.access"] = {
        "handlers": ["lotline_access"], "level": "INFO" if access_log else "WARNING",
        "propagate": False}
    config["loggers"]["lotline.worker"] = {"handlers": ["default"], "level": "INFO",
                                           "propagate": False}
    return dict(config)


def run_uvicorn(target: Any, options: ServeOptions, *, factory: bool = False) -> None:
    """uvicorn with lotline's logging: `target` is an app, or an import string (required for
    more than one worker), a factory's when `factory`."""
    import uvicorn

    extra: dict[str, Any] = {}
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        # uvicorn kills a worker that does not answer its supervisor's ping within 5 s, and
        # a worker's first answer comes once it has imported lotline and built its app: on
        # a busy machine that takes longer, and the workers were killed and restarted forever.
        extra["timeout_worker_healthcheck"] = WORKER_HEALTHCHECK_SECONDS
    sys.stdout.flush()
    with stop_signals_end_quietly():
        uvicorn.run(target, host=options.host, port=options.port,
                    workers=options.workers if options.workers > 1 else None, factory=factory,
                    log_config=log_config(options.access_log), access_log=False,
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS, **extra)


@contextmanager
def background_jobs(url: str, enabled: bool) -> Iterator[None]:
    """The worker's jobs in a thread while the block runs (not for an in-memory database:
    the worker's own connection would see another, empty one)."""
    if not enabled or is_in_memory(url):
        yield
        return
    engine = engine_for(url)
    try:
        with worker_in_background(jobs_or_fail(engine)):
            yield
    finally:
        engine.dispose()


@contextmanager
def stop_signals_end_quietly() -> Iterator[None]:
    """After a graceful shutdown uvicorn raises the stopping signal again for the handler that
    was there before it: the default one would end the process by SIGTERM, or raise
    KeyboardInterrupt ("Aborted!", exit 1). Ctrl+C and SIGTERM are the normal way to stop a
    server, so here they lead to exit 0."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda _sig, _frame: None) for sig in stopping}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_database(database_url: str | None, options: ServeOptions, *,
                   announce_on_stderr: bool = False) -> None:
    """Serve the API over `database_url` (LOTLINE_DATABASE_URL, else sqlite:///lotline.db)
    until SIGINT or SIGTERM. The line naming the URL goes to stdout, or to stderr when stdout
    carries JSON."""
    url = load_config(database_url).database_url
    shown = make_url(url).render_as_string(hide_password=True)
    if options.workers == 1:
        from lotline.entrypoints.api.app import create_app

        target: Any = create_app(url)
    else:
        engine = engine_for(url)
        try:
            ensure_current(engine)
        finally:
            engine.dispose()
        os.environ["LOTLINE_DATABASE_URL"] = url  # what every worker's factory reads
        target = FACTORY
    workers = counted(options.workers, "worker")
    if options.worker:  # the worker's first lines come before uvicorn configures logging
        logging.config.dictConfig(log_config(options.access_log))
    with background_jobs(url, options.worker):
        typer.echo(f"Serving the lotline API on {options.base_url} ({workers}, database "
                   f"{shown}); docs at {options.base_url}/docs. Ctrl+C stops it.",
                   err=announce_on_stderr)
        run_uvicorn(target, options, factory=options.workers > 1)


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    access_log: AccessLogOption = True,
    worker: WorkerOption = True,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs) on the database of
    --database-url or LOTLINE_DATABASE_URL, until Ctrl+C (or SIGTERM)."""
    state = cli_state(ctx)
    if workers > 1 and is_in_memory(load_config(state.database_url).database_url):
        raise typer.BadParameter(
            "an in-memory SQLite database lives inside one process: each worker would have "
            "its own, empty one; use a database file or PostgreSQL", param_hint="--workers")
    serve_database(state.database_url, ServeOptions(host, port, workers, access_log, worker))


def is_in_memory(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
