"""`lotline demo --serials N --orders M`: the large demo organization, with progress bars;
`lotline demo-scale --serials N`: the cost-curve organization (issue 18), PostgreSQL, COPY."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import Progress, TaskID
from rich.table import Table

from lotline.bootstrap import Services
from lotline.demo_scale import LargeDemoSummary, grow_scale_demo, seed_large_demo
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, emit, progress, table
from lotline.entrypoints.cli.state import services

app = typer.Typer()


@app.command("demo-scale")
def demo_scale(
    ctx: typer.Context,
    serials: Annotated[int, typer.Option(
        "--serials", min=1, max=100_000_000,
        help="Grow the organization to this many serials (whole lots of 100).")] = 10_000_000,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Grow the organization to N serials for the cost curve: lots of 100 serials, 10 orders
    a lot (8 shipped, 3 units each) with their shipments and hash-chained ledger rows, the
    status counts and balances, loaded with COPY in one transaction (PostgreSQL only).
    10,000,000 serials are 100,000 lots and 1,000,000 orders. What is already there is kept:
    run it with 10000, then 1000000, to grow the same organization."""
    svc = services(ctx)
    if svc.engine.dialect.name != "postgresql":
        typer.echo("error: usage: demo-scale loads with PostgreSQL's COPY; give --database-url "
                   "postgresql+psycopg://...", err=True)
        raise typer.Exit(2)
    began = time.perf_counter()
    with progress() as bar:
        phases = grow_scale_demo(svc, serials, progress=_bar_report(bar))
    summary = {"serials": serials, "seconds": round(time.perf_counter() - began, 1),
               **{f"{name}_seconds": round(value, 1) for name, value in phases.items()}}
    emit(fmt, summary, columns=list(summary),
         render=lambda: table("Cost-curve organization", ("What", "Value"), summary.items()))


def _bar_report(bar: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, TaskID] = {}

    def report(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total or None)
        bar.update(tasks[step], completed=done, total=total or None)
    return report


def large_demo(svc: Services, serials: int | None, orders: int | None,
               fmt: OutputFormat) -> None:
    with progress() as bar:
        summary = seed_large_demo(svc, serials=serials or 0, orders=orders or 0,
                                  progress=_bar_report(bar))
    if fmt is OutputFormat.TABLE:
        typer.echo(f"Seeded a large demo organization: {summary.serials} serials, "
                   f"{summary.orders} orders.")
    emit(fmt, summary, columns=["suppliers", "customers", "lots", "serials", "orders",
                                "order_lines"], render=lambda: summary_table(summary))


def summary_table(summary: LargeDemoSummary) -> Table:
    rows = [("Suppliers", summary.suppliers), ("Customers", summary.customers),
            *((f"Products ({mode})", count) for mode, count in summary.products.items()),
            ("Lots", summary.lots), ("Serials", summary.serials), ("Orders", summary.orders),
            ("Order lines", summary.order_lines)]
    return table("Large demo", ("What", "Count"), rows)
