"""`lotline db`: the database schema."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from lotline.bootstrap import current_revisions, engine_for, head_revisions, upgrade
from lotline.config import load_config
from lotline.entrypoints.cli.state import cli_state

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Migrate the database to the newest schema and print its revision."""
    state = cli_state(ctx)
    config = load_config(state.database_url, state.organization)
    engine = engine_for(config.database_url)
    try:
        before = current_revisions(engine)
        upgrade(engine)
        after = current_revisions(engine)
    finally:
        engine.dispose()
    shown = make_url(config.database_url).render_as_string(hide_password=True)
    revision = ", ".join(after)
    head = " (head)" if set(after) == set(head_revisions()) else ""
    if before == after:
        typer.echo(f"{shown} is already at revision {revision}{head}")
    else:
        previous = ", ".join(before) or "an empty database"
        typer.echo(f"{shown} upgraded from {previous} to revision {revision}{head}")
