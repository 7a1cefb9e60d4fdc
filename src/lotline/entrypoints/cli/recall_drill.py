"""`lotline recall drill --lot X --output DIR`: a recall drill (changes nothing)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from lotline.entrypoints.cli.output import counted
from lotline.entrypoints.cli.recalls import recall_app
from lotline.entrypoints.cli.state import SupplierOption, resolve_batch, resolve_product, services
from lotline.entrypoints.recall_drill_files import FSMA_FORMATS, drill_files


@recall_app.command("drill")
def drill(
    ctx: typer.Context,
    lot: Annotated[str, typer.Option("--lot", help="The lot drilled (id or number).")],
    output: Annotated[Path, typer.Option("--output", "-o", file_okay=False, help=(
        "Directory to write fsma204.xlsx (or .csv), customers.csv and epcis.json into "
        "(created if missing)."))],
    product: Annotated[str | None, typer.Option(
        "--product", help="The product of the lot number (SKU or id), when several "
                          "products use it.")] = None,
    supplier: SupplierOption = None,
    fsma_format: Annotated[str, typer.Option(
        "--fsma-format", help="xlsx or csv.")] = "xlsx",
) -> None:
    """Rehearse a recall of a lot without changing anything (no hold, no recall): for its
    whole forward trace, the FSMA 204 spreadsheet, the customers with contacts and what
    they received, and the EPCIS document; prints how long it took."""
    if fsma_format not in FSMA_FORMATS:
        raise typer.BadParameter("must be xlsx or csv", param_hint="--fsma-format")
    started = time.perf_counter()
    svc = services(ctx)
    product_id = resolve_product(svc, product).id if product else None
    batch = resolve_batch(svc, lot, product_id, supplier)
    result = svc.recalls.drill(batch.id)
    output.mkdir(parents=True, exist_ok=True)
    for name, content in drill_files(result, fsma_format).items():
        (output / name).write_bytes(content)
    total = (time.perf_counter() - started) * 1000
    orders = sum(len(c["orders"]) for c in result.customers)
    typer.echo(f"recall drill of lot {result.batch_number}: "
               f"{counted(len(result.lots), 'lot')} traced, "
               f"{counted(len(result.customers), 'customer')}, {counted(orders, 'order')}, "
               f"shipped {result.shipped_quantity}; "
               f"{counted(len(result.fsma204.rows), 'FSMA 204 row')}, "
               f"{counted(result.epcis_event_count, 'EPCIS event')}")
    typer.echo(f"built in {result.elapsed_ms:.0f} ms ({total:.0f} ms with the files), "
               f"written to {output}; nothing was changed")
