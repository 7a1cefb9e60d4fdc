"""`lotline events tail`: the change feed as JSON lines, one event a line, in commit order."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from lotline.domain.events import FEED_LIMIT_MAX
from lotline.entrypoints.cli.state import services

app = typer.Typer(help="The change feed: every committed change, in commit order.",
                  no_args_is_help=True)


@app.command("tail")
def tail(ctx: typer.Context,
         after: Annotated[str | None, typer.Option(
             help="Start after this cursor (an event id; the last line's `id`).")] = None,
         types: Annotated[list[str] | None, typer.Option(
             "--type", help="Only this event type (repeat for several).")] = None,
         limit: Annotated[int, typer.Option(
             help=f"Events per page (1 to {FEED_LIMIT_MAX}); without --follow, at most "
                  "this many are printed.")] = 100,
         follow: Annotated[bool, typer.Option(
             "--follow", "-f", help="Keep polling for new events until interrupted.")] = False,
         interval: Annotated[float, typer.Option(
             help="Seconds between polls with --follow.", min=0.05)] = 1.0) -> None:
    """Print events after --after (from the first without it) as JSON lines; resume a later
    run with --after set to the last line's `id`."""
    feed = services(ctx).events
    cursor = after
    try:
        while True:
            page = feed.page(cursor, types, limit)
            for event in page.items:
                typer.echo(json.dumps(event.as_dict(), separators=(",", ":"), sort_keys=True))
            cursor = page.next_cursor
            if not follow:
                return
            if len(page.items) < limit:
                time.sleep(interval)
    except KeyboardInterrupt:  # --follow ends with Ctrl-C; every line printed is whole
        return
