"""`lotline worker`: the periodic jobs (signed ledger checkpoints, webhook delivery) until
SIGTERM or Ctrl+C; `--once` runs each job once and exits (for cron)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated, Any

import typer

from lotline.bootstrap import engine_for, ensure_current
from lotline.entrypoints.cli.output import fail
from lotline.entrypoints.cli.state import cli_state
from lotline.worker import Job, Worker, default_jobs

app = typer.Typer()


def jobs_or_fail(engine: Any) -> list[Job]:
    try:
        return default_jobs(engine)
    except ValueError as error:
        raise fail("invalid_setting", str(error)) from None


@app.command("worker")
def worker(ctx: typer.Context, once: Annotated[bool, typer.Option(
        "--once", help="Run every job once and exit (1 if one failed).")] = False) -> None:
    """Run the background jobs on the database of --database-url or LOTLINE_DATABASE_URL:
    signed ledger checkpoints every LOTLINE_LEDGER_CHECKPOINT_INTERVAL minutes (default 60)
    for every organization whose ledger moved, and webhook deliveries (retried on
    LOTLINE_WEBHOOKS_RETRY_SCHEDULE; several workers may run against PostgreSQL). `lotline
    serve` runs them too (unless --no-worker). Logs go to standard error; SIGTERM or Ctrl+C
    stops it (exit 0) once the webhook attempt in flight is finished and recorded."""
    engine = engine_for(cli_state(ctx).database_url)
    try:
        jobs = jobs_or_fail(engine)
        ensure_current(engine)
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s "
                                                          "%(name)s: %(message)s")
        logging.getLogger("lotline.worker").setLevel(logging.INFO)
        if once:
            failed = Worker(jobs).run_once()
            if failed:
                raise fail("job_failed", f"{', '.join(failed)} failed (see the log above)")
            return
        typer.echo(f"Worker running {', '.join(job.name for job in jobs)}; Ctrl+C stops it.")
        run_until_signalled(Worker(jobs))
    finally:
        engine.dispose()


def run_until_signalled(running: Worker) -> None:
    stop = threading.Event()
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda _sig, _frame: stop.set()) for sig in stopping}
    try:
        running.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
