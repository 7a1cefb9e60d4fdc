"""`lotline demo --serials N --orders M`: the large demo organization, with progress bars."""

from __future__ import annotations

import typer
from rich.progress import TaskID
from rich.table import Table

from lotline.bootstrap import Services
from lotline.demo_scale import LargeDemoSummary, seed_large_demo
from lotline.entrypoints.cli.output import OutputFormat, emit, progress, table


def large_demo(svc: Services, serials: int | None, orders: int | None,
               fmt: OutputFormat) -> None:
    with progress() as bar:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total or None)
            bar.update(tasks[step], completed=done, total=total or None)

        summary = seed_large_demo(svc, serials=serials or 0, orders=orders or 0,
                                  progress=report)
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
