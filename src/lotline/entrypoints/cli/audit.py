"""`lotline audit list`: who changed which master data or setting, before and after, and
why (DESIGN §9) — a page as a table or JSON, or the whole selection as CSV or XLSX."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lotline.domain.audit import AUDIT_ENTITIES, AUDIT_LIMIT_MAX, field_changes
from lotline.domain.model import AuditEntry, Page
from lotline.entrypoints.cli.output import NONE_SHOWN, cell, console, write_out
from lotline.entrypoints.cli.state import services
from lotline.entrypoints.report_files import report_bytes
from lotline.entrypoints.serialize import dumps

app = typer.Typer(help="The audit log: master data and settings, before and after.",
                  no_args_is_help=True)


class AuditFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def changes_text(entry: AuditEntry) -> str:
    """One line per field: `name: before → after` (a creation shows only the values)."""
    lines = []
    for change in field_changes(entry.before, entry.after):
        if entry.before is None:
            lines.append(f"{change.field}: {change.after}")
        elif entry.after is None:
            lines.append(f"{change.field}: {change.before} (deleted)")
        else:
            lines.append(f"{change.field}: {change.before or NONE_SHOWN} → "
                         f"{change.after or NONE_SHOWN}")
    return "\n".join(lines)


def audit_table(page: Page[AuditEntry]) -> Table:
    caption = (f"{len(page.items)} entries" if page.next_cursor is None else
               f"{len(page.items)} entries, more with --cursor {page.next_cursor}")
    result = Table(title="Audit log (newest first)", caption=caption, title_justify="left")
    for header in ("When", "Actor", "Entity", "Record", "Action", "Changes", "Reason"):
        result.add_column(header, overflow="fold")
    for entry in page.items:
        result.add_row(cell(entry.occurred_at), entry.actor, entry.entity, entry.entity_id,
                       entry.action, changes_text(entry), cell(entry.reason))
    return result


@app.command("list")
def list_audit(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Option(
        help="Only this kind of record: " + ", ".join(AUDIT_ENTITIES) + ".")] = None,
    entity_id: Annotated[str | None, typer.Option(help="Only this record (its id).")] = None,
    actor: Annotated[str | None, typer.Option(help="Only changes by this user or key.")]
    = None,
    action: Annotated[str | None, typer.Option(
        help="Only this action (create, update, delete, hold, release, status, ...).")]
    = None,
    since: Annotated[str | None, typer.Option(
        metavar="DATETIME", help="From this ISO 8601 date-time or date (inclusive; UTC "
                                 "when no offset).")] = None,
    until: Annotated[str | None, typer.Option(
        metavar="DATETIME", help="Before this date-time or date (exclusive).")] = None,
    limit: Annotated[int, typer.Option(
        help=f"Entries per page, 1 to {AUDIT_LIMIT_MAX} (table and json).")] = 50,
    cursor: Annotated[str | None, typer.Option(
        help="Continue after the page that printed this cursor.")] = None,
    fmt: Annotated[AuditFormat, typer.Option(
        "--format", "-f", case_sensitive=False,
        help="table or json: one page; csv or xlsx: every entry the filters select (xlsx "
             "needs --output).")] = AuditFormat.TABLE,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, help="File to write instead of standard output.")]
    = None,
) -> None:
    """Audit entries newest first: who changed which record, the fields before and after,
    and the reason given. Admins only."""
    if fmt is AuditFormat.XLSX and output is None:
        raise typer.BadParameter("an XLSX export needs --output FILE", param_hint="'--output'")
    audit = services(ctx).audit
    filters = {"entity": entity, "entity_id": entity_id, "actor": actor, "action": action,
               "since": since, "until": until}
    if fmt in (AuditFormat.CSV, AuditFormat.XLSX):
        report = audit.export(**filters, cursor=cursor)
        write_out(report_bytes(report, fmt.value), output, f"{len(report.rows)} audit entries")
        return
    page = audit.list(**filters, limit=limit, cursor=cursor)
    if fmt is AuditFormat.JSON:
        write_out((dumps(page, indent=2) + "\n").encode("utf-8"), output,
               f"{len(page.items)} audit entries")
    elif output is not None:
        with output.open("w", encoding="utf-8") as target:
            Console(file=target, highlight=False, width=160).print(audit_table(page))
        typer.echo(f"wrote {len(page.items)} audit entries to {output}")
    else:
        console().print(audit_table(page))


