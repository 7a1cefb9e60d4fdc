"""`lotline recall ...`, `lotline reports NAME` and `lotline export epcis`."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import RenderableType
from rich.table import Table

from lotline.bootstrap import Services
from lotline.domain.errors import NotFound
from lotline.domain.reports import PAGED_REPORTS, REPORT_NAMES, Report
from lotline.entrypoints.cli.exchange import export_app
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    cell,
    counted,
    detail_table,
    emit,
    table,
    write_out,
)
from lotline.entrypoints.cli.record_reports import record_filters, run_record_report
from lotline.entrypoints.cli.state import (
    SupplierOption,
    resolve_batch,
    resolve_product,
    resolve_supplier,
    services,
)
from lotline.entrypoints.recall_export import export_recall
from lotline.entrypoints.report_files import report_bytes
from lotline.entrypoints.serialize import dumps
from lotline.service_layer.recalls import RecallView

recall_app = typer.Typer(help="Recalls: affected customers, orders and stock; hold, notes, "
                              "export, close.", no_args_is_help=True)
reports_app = typer.Typer()

RecallArgument = Annotated[str, typer.Argument(metavar="RECALL",
                                               help="The recall's reference or id.")]
SUMMARY_COLUMNS = ["id", "reference", "status", "held", "shipped_quantity",
                   "recovered_quantity", "effectiveness", "reason", "created_at", "closed_at"]


class FileFormat(str, Enum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class ReportFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def resolve_recall(svc: Services, ref: str) -> RecallView:
    """A recall by id, else by reference (RC-000001)."""
    ref = ref.strip()
    try:
        return svc.recalls.get(ref)
    except NotFound:
        pass
    for recall in svc.recalls.list():
        if recall.reference.casefold() == ref.casefold():
            return svc.recalls.get(recall.id)
    raise NotFound("recall", ref, "reference")


def _percent(recall: RecallView) -> str:
    if recall.effectiveness is None:
        return "— (nothing shipped)"
    return f"{recall.effectiveness * 100:.2f} %"


def recall_tables(recall: RecallView) -> list[RenderableType]:
    report = recall.report
    held = len(report.get("held_lots", []))
    details = detail_table(f"Recall {recall.reference} ({recall.status})", [
        ("Reason", recall.reason),
        ("Lots", f"{len(report['lots'])} affected"
                 + (f", {held} put on recall hold" if recall.held else "")),
        ("Customers", len(report["customers"])),
        ("Shipped", recall.shipped_quantity), ("Recovered", recall.recovered_quantity),
        ("Effectiveness", _percent(recall)), ("Created", recall.created_at),
        ("Closed", recall.closed_at), ("ID", recall.id)])
    shown: list[RenderableType] = [details]
    shown.append(table("Affected lots", ("Lot", "Product", "Supplier", "Depth", "Expiry"), [
        (lot["batch_number"], lot["product_sku"], lot["supplier_name"], lot["depth"],
         lot["expiry_date"]) for lot in report["lots"]]))
    rows = [(entry["customer"]["name"], order["order_reference"], delivery["batch_number"],
             delivery["quantity"], delivery["returned_quantity"], _units(delivery))
            for entry in report["customers"] for order in entry["orders"]
            for delivery in order["deliveries"]]
    rows += [(None, d.get("order_reference"), d.get("batch_id"), d["quantity"],
              d["returned_quantity"], _units(d)) for d in report.get("unattributed", [])]
    shown.append(table("Shipped to", ("Customer", "Order", "Lot", "Quantity", "Returned",
                                      "Serial numbers"), rows))
    if report["on_hand"]:
        shown.append(table("On hand", ("Lot", "Location", "Quantity", "Allocated"), [
            (s["batch_number"], s["location_code"], s["quantity"], s["allocated"])
            for s in report["on_hand"]]))
    if report["pending"]:
        shown.append(table("Allocated, not shipped", ("Order", "Status", "Quantity",
                                                      "Serial numbers"), [
            (p["order_reference"], p["status"], p["quantity"],
             " ".join(p["serial_numbers"]) or None) for p in report["pending"]]))
    if report.get("installed"):
        shown.append(table("Installed in assemblies", ("Lot", "Serial number", "Assembly",
                                                       "Status", "Location"), [
            (i["batch_number"], i["serial_number"], i["assembly_serial_number"],
             i["assembly_status"], i["assembly_location_code"]) for i in report["installed"]]))
    if recall.notes:
        shown.append(table("Notes", ("When", "Who", "Note"),
                           [(n["at"], n["by"], n["text"]) for n in recall.notes]))
    return shown


def _units(delivery: dict[str, Any]) -> str | None:
    """The serial numbers shipped, and the assemblies they left inside, if any."""
    numbers = " ".join(delivery["serial_numbers"])
    inside = delivery.get("inside_assemblies")
    return (f"{numbers} inside {' '.join(inside)}" if inside else numbers) or None


def _show(fmt: OutputFormat, recall: RecallView) -> None:
    emit(fmt, recall, columns=SUMMARY_COLUMNS, render=lambda: recall_tables(recall))


@recall_app.command("create")
def create(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option("--reason", help="Why (shown on the hold and the "
                                                         "recall).")],
    batches: Annotated[list[str] | None, typer.Option(
        "--batch", metavar="LOT", help="A lot recalled (id or number); repeat for more.")]
    = None,
    product: Annotated[str | None, typer.Option(
        "--product", help="The product of the lot numbers (SKU or id), when several "
                          "products use a number.")] = None,
    supplier: Annotated[str | None, typer.Option(
        "--supplier", help="Every lot of this supplier (code, name or id) received in "
                           "--received-from .. --received-to.")] = None,
    received_from: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")] = None,
    received_to: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")] = None,
    hold: Annotated[bool, typer.Option("--hold", help="Put every affected lot on recall "
                                                      "hold in the same transaction.")] = False,
    reference: Annotated[str | None, typer.Option(help="Default RC-000001, ...")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Start a recall: every lot named and every lot made from them, the customers and orders
    that received units (with serials), stock on hand, allocations not shipped."""
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    batch_ids = [resolve_batch(svc, ref, product_id).id for ref in batches] \
        if batches else None
    supplier_id = resolve_supplier(svc, supplier).id if supplier else None
    recall = svc.recalls.create(reason=reason, batch_ids=batch_ids, supplier_id=supplier_id,
                                received_from=received_from, received_to=received_to,
                                hold=hold, reference=reference)
    _show(fmt, recall)


@recall_app.command("show")
def show(ctx: typer.Context, recall: RecallArgument,
         fmt: FormatOption = OutputFormat.TABLE) -> None:
    """A recall: affected lots, customers and orders, stock, recoveries and notes."""
    _show(fmt, resolve_recall(services(ctx), recall))


@recall_app.command("list")
def list_recalls(ctx: typer.Context,
                 status: Annotated[str | None, typer.Option(help="open or closed.")] = None,
                 fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Every recall, newest first."""
    recalls = services(ctx).recalls.list(status)
    summaries = [{name: getattr(r, name) for name in SUMMARY_COLUMNS} for r in recalls]
    emit(fmt, summaries, columns=SUMMARY_COLUMNS, render=lambda: table("Recalls", (
        "Reference", "Status", "Held", "Shipped", "Recovered", "Effectiveness", "Reason",
        "Created"), [(r.reference, r.status, r.held, r.shipped_quantity, r.recovered_quantity,
                      _percent(r), r.reason, r.created_at) for r in recalls]))


@recall_app.command("note")
def note(ctx: typer.Context, recall: RecallArgument,
         text: Annotated[str, typer.Argument(help="The note.")]) -> None:
    """Add a note to a recall (who and when are recorded)."""
    svc = services(ctx)
    updated = svc.recalls.add_note(resolve_recall(svc, recall).id, text)
    typer.echo(f"recall {updated.reference}: {len(updated.notes)} notes")


@recall_app.command("close")
def close(ctx: typer.Context, recall: RecallArgument,
          note_text: Annotated[str | None, typer.Option("--note", help="A closing note.")]
          = None) -> None:
    """Close a recall; returns after this no longer count as recovered."""
    svc = services(ctx)
    closed = svc.recalls.close(resolve_recall(svc, recall).id, note_text)
    typer.echo(f"recall {closed.reference} closed: {cell(closed.recovered_quantity)} of "
               f"{cell(closed.shipped_quantity)} recovered ({_percent(closed)})")


@recall_app.command("export")
def export(ctx: typer.Context, recall: RecallArgument,
           file_format: Annotated[FileFormat, typer.Option(
               "--format", "-f", case_sensitive=False, help="csv, xlsx or json.")] =
           FileFormat.CSV,
           output: Annotated[Path | None, typer.Option(
               "--output", "-o", dir_okay=False, help="File to write (default: standard "
                                                      "output; xlsx needs a file).")] = None
           ) -> None:
    """The recall as a call list: one row per delivery with the customer's contact details
    and serials, stock on hand, allocations not shipped (json: the whole recall)."""
    if output is None and file_format is FileFormat.XLSX:
        raise typer.BadParameter("an XLSX export needs --output FILE", param_hint="'--output'")
    found = resolve_recall(services(ctx), recall)
    data = (dumps(found, indent=2) + "\n").encode("utf-8") \
        if file_format is FileFormat.JSON else export_recall(found, file_format.value)
    write_out(data, output, f"recall {found.reference}")


# --- reports ---------------------------------------------------------------------------------


@reports_app.command("reports")
def reports(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help=", ".join(REPORT_NAMES))],
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", "-f", case_sensitive=False, help="table, json, csv or xlsx (xlsx needs "
                                                     "--output).")] = ReportFormat.TABLE,
    output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False,
                                                help="File to write.")] = None,
    days: Annotated[int | None, typer.Option(help="expiring: the window in days.")] = None,
    as_of: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD",
                                              help="expiring, expired: the day.")] = None,
    serial: Annotated[str | None, typer.Option(help="serial-history: the number.")] = None,
    batch: Annotated[str | None, typer.Option(help="lot-history, fsma204: the lot (id or "
                                                   "number).")] = None,
    product: Annotated[str | None, typer.Option(help="The product of --serial or --batch "
                                                     "(SKU or id).")] = None,
    start: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD",
                                              help="fsma204, lot-movement-history: first "
                                                   "day.")] = None,
    end: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD",
                                            help="fsma204, lot-movement-history: last "
                                                 "day.")] = None,
    supplier: Annotated[str | None, typer.Option(help="The supplier of --batch (code, name "
                                                      "or id), when suppliers share a lot "
                                                      "number.")] = None,
    status: Annotated[str | None, typer.Option(help="serial-number-location: only this "
                                                    "status (or alias).")] = None,
    warehouse: Annotated[str | None, typer.Option(help="serial-number-location: the "
                                                       "warehouse (code or id).")] = None,
    location: Annotated[str | None, typer.Option(help="serial-number-location, "
                                                      "lot-movement-history: the location "
                                                      "(code, WAREHOUSE/CODE or id).")] = None,
    kind: Annotated[str | None, typer.Option(help="lot-movement-history: the movement kind "
                                                  "(receipt, transfer, ...).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, max=500, help="serial-number-location, "
                                              "lot-movement-history: rows in the table "
                                              "(files hold every row); default 100.")] = None,
) -> None:
    """Run a report: expiring, expired, lot-inventory, serial-inventory, serial-history,
    lot-history, supplier-performance, valuation, fsma204, serial-number-location,
    lot-movement-history."""
    if name not in REPORT_NAMES:
        raise typer.BadParameter(f"{name!r} is not one of {', '.join(REPORT_NAMES)}",
                                 param_hint="'NAME'")
    if fmt is ReportFormat.XLSX and output is None:
        raise typer.BadParameter("an XLSX report needs --output FILE", param_hint="'--output'")
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    given: dict[str, Any] = {"days": days, "as_of": as_of, "start": start, "end": end}
    if serial is not None:
        given.update(serial_number=serial, product_id=product_id)
    if batch is not None:
        given["batch_id"] = resolve_batch(svc, batch, product_id, supplier).id
    if name in PAGED_REPORTS:
        given.update(product_id=product_id, status=status, kind=kind, limit=limit)
        filters = record_filters(svc, name, given, warehouse, location)
        run_record_report(svc, name, filters, fmt.value, output, report_table)
        return
    named = {"status": status, "warehouse": warehouse, "location": location, "kind": kind,
             "limit": limit}
    if any(value is not None for value in named.values()):
        raise typer.BadParameter(f"report {name} takes no " + ", ".join(
            key for key, value in named.items() if value is not None))
    accepted = _parameters(name)
    unused = sorted(k for k, v in given.items() if v is not None and k not in accepted)
    if unused:
        raise typer.BadParameter(f"report {name} takes no {', '.join(unused)}")
    report = svc.reports.run(name, **{k: v for k, v in given.items() if k in accepted})
    if fmt is ReportFormat.TABLE and output is None:
        emit(OutputFormat.TABLE, report.rows, columns=report.columns,
             render=lambda: report_table(report))
        return
    chosen = "json" if fmt is ReportFormat.TABLE else fmt.value
    write_out(report_bytes(report, chosen), output,
              f"report {name} ({counted(len(report.rows), 'row')})")


def report_table(report: Report) -> Table:
    shown = ", ".join(f"{k} {cell(v)}" for k, v in report.parameters.items() if v is not None)
    more = ("; more rows: --limit, or --format csv|json|xlsx for every row"
            if report.next_cursor else "")
    result = Table(title=f"Report {report.name}", title_justify="left",
                   caption=counted(len(report.rows), "row") + (f"; {shown}" if shown else "")
                   + more)
    for name in report.columns:
        numeric = any(isinstance(row.get(name), int | Decimal) and
                      not isinstance(row.get(name), bool) for row in report.rows)
        result.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for row in report.rows:
        result.add_row(*(cell(row.get(name)) for name in report.columns))
    return result


def _parameters(name: str) -> set[str]:
    return {"expiring": {"days", "as_of"}, "expired": {"as_of"},
            "serial-history": {"serial_number", "product_id"}, "lot-history": {"batch_id"},
            "fsma204": {"batch_id", "start", "end"}}.get(name, set())


# --- export epcis ----------------------------------------------------------------------------


@export_app.command("epcis")
def export_epcis(ctx: typer.Context,
                 since: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD",
                                                           help="First day.")] = None,
                 until: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD",
                                                           help="Last day.")] = None,
                 batch: Annotated[str | None, typer.Option(help="Only this lot (id or "
                                                                "number).")] = None,
                 supplier: SupplierOption = None,
                 output: Annotated[Path | None, typer.Option(
                     "--output", "-o", dir_okay=False, help="File to write (default: "
                                                            "standard output).")] = None
                 ) -> None:
    """An EPCIS 2.0 JSON-LD document: receipts, shipments, returns, scrapping,
    transformations, holds and recalls, each with its eventID (the GS1 event hash)."""
    svc = services(ctx)
    batch_id = resolve_batch(svc, batch, None, supplier).id if batch else None
    document = svc.epcis.events(since=since, until=until, batch_id=batch_id)
    count = len(document["epcisBody"]["eventList"])
    write_out((dumps(document, indent=2) + "\n").encode("utf-8"), output,
              f"{count} EPCIS events")

