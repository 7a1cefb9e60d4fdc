"""`lotline webhooks deliver`: the webhook delivery job (until `lotline worker` runs it)."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Annotated

import typer

from lotline.bootstrap import HttpSender
from lotline.config import webhook_schedule
from lotline.entrypoints.cli.output import fail
from lotline.entrypoints.cli.state import services
from lotline.service_layer.webhook_delivery import deliver_due

app = typer.Typer(help="Webhook delivery.", no_args_is_help=True)


@app.command("deliver")
def deliver(ctx: typer.Context,
            loop: Annotated[bool, typer.Option(
                "--loop", help="Keep delivering until SIGTERM or Ctrl-C.")] = False,
            interval: Annotated[float, typer.Option(
                help="Seconds between passes with --loop when nothing was due.",
                min=0.01)] = 1.0) -> None:
    """Send the webhook deliveries that are due (all organizations), in order per endpoint.
    On SIGTERM the attempt in flight is finished and recorded, then the command exits.
    The retry schedule is LOTLINE_WEBHOOKS_RETRY_SCHEDULE (seconds, comma-separated)."""
    try:
        schedule = webhook_schedule()
    except ValueError as error:
        raise fail("invalid_setting", str(error)) from error
    uows = services(ctx).uows
    stopping: list[int] = []

    def stop(signum: int, _: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    sender = HttpSender()
    try:
        while not stopping:
            made = deliver_due(uows, sender, schedule=schedule, stop=lambda: bool(stopping))
            if not loop:
                typer.echo(f"{made} attempts made")
                return
            if not made:
                time.sleep(interval)
    except KeyboardInterrupt:
        return
    finally:
        sender.close()
