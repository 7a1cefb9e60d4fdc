"""`lotline webhooks deliver` (the delivery job, which `lotline worker` also runs),
`lotline webhooks test ID` and `lotline webhooks deliveries ID` (the attempts log)."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Annotated, Any

import typer

from lotline.bootstrap import HttpSender
from lotline.config import webhook_schedule
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, emit, fail, table
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


ATTEMPT_COLUMNS = ["delivery_id", "event_type", "event_id", "status", "attempt",
                   "attempted_at", "status_code", "duration_ms", "error", "response_body"]


def attempt_rows(deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per attempt, oldest first within each delivery (a delivery not yet tried
    has one row with no attempt)."""
    rows = []
    for delivery in deliveries:
        head = {"delivery_id": delivery["id"], "event_type": delivery["event_type"],
                "event_id": delivery["event_id"], "status": delivery["status"]}
        for attempt in delivery["attempt_log"] or [{}]:
            rows.append({**head, "attempt": attempt.get("number"),
                         **{name: attempt.get(name) for name in ATTEMPT_COLUMNS[5:]}})
    return rows


def show_deliveries(fmt: OutputFormat, deliveries: list[dict[str, Any]], title: str) -> None:
    rows = attempt_rows(deliveries)
    emit(fmt, deliveries if fmt is OutputFormat.JSON else rows, columns=ATTEMPT_COLUMNS,
         render=lambda: table(title, ["Delivery", "Event", "Status", "Try", "At", "Code",
                                      "ms", "Error"],
                              [[r["delivery_id"], f"{r['event_type']} {r['event_id'] or ''}",
                                r["status"], r["attempt"], r["attempted_at"],
                                r["status_code"], r["duration_ms"], r["error"]]
                               for r in rows]))


@app.command("test")
def send_test(ctx: typer.Context, webhook_id: str, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Send a `webhook.test` message to the endpoint now (signed as every delivery) and show
    the attempt; exit 1 when the receiver did not answer 2xx."""
    delivery = services(ctx).webhooks.test(webhook_id)
    show_deliveries(fmt, [delivery], f"Test delivery to webhook {webhook_id}")
    if delivery["status"] != "delivered":
        raise fail("test_failed", f"the test delivery failed: {delivery['last_error']}")


@app.command("deliveries")
def deliveries(ctx: typer.Context, webhook_id: str,
               limit: Annotated[int, typer.Option(help="Newest deliveries shown (1 to 500).",
                                                  min=1, max=500)] = 20,
               fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The endpoint's deliveries, newest first, each with its attempts (time, status code,
    duration, error; JSON and CSV also hold the start of the receiver's answer)."""
    shown = services(ctx).webhooks.deliveries(webhook_id, limit)
    show_deliveries(fmt, shown, f"Deliveries of webhook {webhook_id}")
