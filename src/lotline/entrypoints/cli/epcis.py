"""`lotline epcis capture FILE` and `lotline epcis query NAME=VALUE...`: the EPCIS 2.0
repository of DESIGN §9 from the command line, as the REST binding does it (same checks, same
parameters, same documents)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from lotline.entrypoints.cli.output import counted, fail
from lotline.entrypoints.cli.state import services
from lotline.entrypoints.epcis_job import job_body
from lotline.entrypoints.serialize import dumps

app = typer.Typer(help="EPCIS 2.0: capture partners' events, query every event.",
                  no_args_is_help=True)


@app.command("capture")
def capture(ctx: typer.Context,
            file: Annotated[Path, typer.Argument(
                dir_okay=False, allow_dash=True,
                help="An EPCISDocument (JSON-LD); '-' reads standard input.")],
            error_behaviour: Annotated[str, typer.Option(
                "--error-behaviour", help="rollback: store nothing when an event fails "
                                          "(default); proceed: store the others.")
            ] = "rollback") -> None:
    """Capture an EPCISDocument: checked against GS1's EPCIS 2.0 schema first (nothing is
    stored on an error, each named by its JSON path); a supplier's shipping event addressed
    to us opens a receipt (ASN). Prints the capture job as JSON; exit 1 naming the first
    error if any event failed."""
    if str(file) != "-" and not file.is_file():
        raise typer.BadParameter(f"{file} is not a readable file", param_hint="'FILE'")
    svc = services(ctx)
    if str(file) == "-":
        job = svc.epcis_capture.capture(sys.stdin.buffer, error_behaviour)
    else:
        with file.open("rb") as source:
            job = svc.epcis_capture.capture(source, error_behaviour)
    if not job.success:
        first = job.errors[0]
        stored = "nothing stored" if job.captured_count == 0 else \
            f"{counted(job.captured_count, 'event')} stored"
        raise fail("capture_failed", f"capture {job.id}: {counted(len(job.errors), 'error')}, "
                                     f"{stored}; {first['path']}: {first['message']}")
    typer.echo(json.dumps(job_body(job), indent=2))


@app.command("query")
def query(ctx: typer.Context,
          parameters: Annotated[list[str] | None, typer.Argument(
              metavar="NAME=VALUE...",
              help="Standard query parameters: eventType, GE_eventTime, LT_eventTime, "
                   "EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation, WD_readPoint, "
                   "WD_bizLocation, GE_recordTime, LT_recordTime, EQ_action, EQ_eventID, "
                   "EQ_transformationID, "
                   "EXISTS_errorDeclaration, EQ_bizTransaction_{type}, EQ_source_{type}, "
                   "EQ_destination_{type}, MATCH_epc, MATCH_anyEPC, MATCH_epcClass, "
                   "MATCH_anyEPCClass, MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, "
                   "MATCH_inputEPCClass, MATCH_outputEPCClass (identifiers or patterns: "
                   "urn:epc:idpat:sgtin:CP.ITEM.*, a Digital Link ending in /*), orderBy, "
                   "orderDirection, eventCountLimit, maxEventCount, perPage, "
                   "nextPageToken.")] = None,
          every_page: Annotated[bool, typer.Option(
              "--all", help="Follow nextPageToken and print every page's events in one "
                            "document.")] = False) -> None:
    """Print an EPCISQueryDocument of the events (lotline's own and captured) the parameters
    select, oldest first. Without --all, a further page's token goes to standard error."""
    params: dict[str, list[str]] = {}
    for parameter in parameters or []:
        name, has_value, value = parameter.partition("=")
        if not has_value or not name:
            raise typer.BadParameter(f"{parameter!r} is not NAME=VALUE",
                                     param_hint="'NAME=VALUE...'")
        params.setdefault(name, []).append(value)
    epcis = services(ctx).epcis_query
    page = epcis.events(params)
    document, events = page.document, _events(page.document)
    while every_page and page.next_page_token:
        page = epcis.events({**params, "nextPageToken": [page.next_page_token]})
        events.extend(_events(page.document))
    typer.echo(dumps(document, indent=2))
    if page.next_page_token:
        typer.echo(f"more: nextPageToken={page.next_page_token}", err=True)


def _events(document: dict[str, Any]) -> list[Any]:
    return document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]  # type: ignore[no-any-return]
