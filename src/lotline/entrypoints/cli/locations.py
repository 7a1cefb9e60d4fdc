"""`lotline locations hold|release`: the location holds of `POST /locations/{id}/hold` and
`/release`. A held location lets no stock be allocated from it or moved out of it, except to
a quarantine or returns location with a reason."""

from __future__ import annotations

from typing import Annotated

import typer

from lotline.entrypoints.cli.flow_args import resolve_location
from lotline.entrypoints.cli.state import services

locations_app = typer.Typer(help="Locations: put on hold and release.")

LocationArgument = Annotated[str, typer.Argument(
    metavar="LOCATION", help="The location's id, WAREHOUSE/CODE, or code in the default "
                             "warehouse.")]


@locations_app.command("hold")
def hold(ctx: typer.Context, location: LocationArgument,
         reason: Annotated[str, typer.Option("--reason", help="Why it is held.")],
         kind: Annotated[str, typer.Option(help="quarantine or recall.")] = "quarantine"
         ) -> None:
    """Put a location on hold."""
    svc = services(ctx)
    held = svc.stock.hold_location(resolve_location(svc, location).id, reason, kind)
    typer.echo(f"location {held.code} on {kind} hold: {reason}")


@locations_app.command("release")
def release(ctx: typer.Context, location: LocationArgument) -> None:
    """Release a location's hold."""
    svc = services(ctx)
    released = svc.stock.release_location(resolve_location(svc, location).id)
    typer.echo(f"location {released.code} released")
