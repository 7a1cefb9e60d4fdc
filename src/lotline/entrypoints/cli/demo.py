"""`lotline demo`: seed a demo database, show what is in it and who can log in, then serve
the API on it (`--no-serve` stops after printing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import RenderableType
from rich.table import Table
from sqlalchemy.engine import make_url

import lotline
from lotline.demo import DEMO_STEPS, DemoSummary, seed_demo
from lotline.demo_access import DemoAccess, ensure_demo_access
from lotline.domain.statuses import CANONICAL_STATUSES
from lotline.entrypoints.cli.demo_scale import large_demo
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, emit, progress, table
from lotline.entrypoints.cli.serve import HostOption, PortOption, ServeOptions, serve_database
from lotline.entrypoints.cli.state import cli_state
from lotline.entrypoints.serialize import to_jsonable

DEMO_DATABASE_URL = "sqlite:///lotline-demo.db"

app = typer.Typer()


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for in-memory databases and other backends."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def reset(url: str) -> None:
    path = sqlite_file(url)
    if path is None:
        shown = make_url(url).render_as_string(hide_password=True)
        raise typer.BadParameter(f"--reset deletes a SQLite database file; {shown} is not one",
                                 param_hint="'--reset'")
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def summary_tables(summary: DemoSummary) -> list[RenderableType]:
    products = table(
        f"Products ({summary.suppliers} suppliers, {summary.customers} customers, "
        f"{summary.orders} orders)", ("SKU", "Name", "Tracking", "Lots", "On hand", "Serials"),
        [(p.sku, p.name, p.tracking, p.lots, p.on_hand, p.serials) for p in summary.products])
    lots = table(
        f"Lots (today is {summary.today})",
        ("Product", "Lot", "Supplier", "Expiry", "Days left", "State", "Qty", "On hand"),
        [(lot.sku, lot.batch_number, lot.supplier, lot.expiry_date, lot.days_to_expiry,
          lot.state, lot.quantity, lot.balance_quantity) for lot in summary.lots])
    counts = summary.serial_counts
    serials = table("Serials per status", ("Status", "Count"),
                    [(s.value, counts.get(s.value, 0)) for s in CANONICAL_STATUSES
                     if counts.get(s.value)] + [("ALL", counts.get("ALL", 0))])
    return [products, lots, serials]


def access_table(access: DemoAccess) -> Table:
    return table("Demo users (new passwords on every run)", ("Username", "Role", "Password"),
                 [(login.username, login.role, login.password) for login in access.users])


def print_api_key(access: DemoAccess) -> None:
    """On a line of its own, plainly: Rich could wrap it."""
    typer.echo(f"API key {access.api_key_name!r} ({access.api_key_role.value}; the previous "
               "demo key is revoked):")
    typer.echo(access.api_key)


def print_curl_hint(base_url: str, access: DemoAccess) -> None:
    login = access.users[0]
    typer.echo(f"Try: curl -s -X POST {base_url}/api/v1/auth/token -H 'Content-Type: "
               f"application/json' -d '{{\"username\": \"{login.username}\", \"password\": "
               f"\"{login.password}\"}}'")


@app.command("demo")
def demo(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="Where to put the demo; default LOTLINE_DATABASE_URL, else "
        f"{DEMO_DATABASE_URL} (an organization that has data is never seeded).",
    )] = None,
    reset_first: Annotated[bool, typer.Option(
        "--reset", help="Delete the SQLite database file first and seed afresh.")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    serials: Annotated[int | None, typer.Option(
        "--serials", min=0, help="Seed a large organization with this many serials.")] = None,
    orders: Annotated[int | None, typer.Option(
        "--orders", min=0, help="... and this many orders (bulk paths).")] = None,
    serve: Annotated[bool, typer.Option(
        "--serve/--no-serve", help="Serve the API on the demo database afterwards.")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Seed demo data, print it and the demo logins, then serve the API on it.

    Fills a database with demo data (products of every tracking mode, lots expired, near and
    far from expiry, serials in many statuses), prints what it holds and the demo users
    (admin, gestor, consultor) with new passwords and a new API key, then serves the API on
    it until Ctrl+C (--no-serve stops after printing).

    An organization that already has data is left as it is, so running this twice is safe.
    --serials/--orders seed a large organization instead, and stop there."""
    state = cli_state(ctx)
    url = database_url or state.database_url or DEMO_DATABASE_URL  # the root's, or its env
    state.database_url = url  # what error messages name
    if reset_first:
        reset(url)
    svc = lotline.create_services(url, state.organization)
    if serials is not None or orders is not None:
        try:
            large_demo(svc, serials, orders, fmt)
        finally:
            svc.engine.dispose()
        return
    try:
        with progress() as bar:
            task = bar.add_task("seeding demo data", total=len(DEMO_STEPS) + 1)
            summary = seed_demo(svc, on_step=lambda label: bar.update(
                task, advance=1, description=f"seeded {label}"))
            access = ensure_demo_access(svc)
            bar.update(task, advance=1, description="demo users and API key")
    finally:
        svc.engine.dispose()
    shown = make_url(url).render_as_string(hide_password=True)
    if fmt is OutputFormat.TABLE:
        typer.echo(f"Seeded demo data into {shown} (organization {state.organization})."
                   if summary.seeded else
                   f"{shown} (organization {state.organization}) already has data; nothing "
                   "was added (--reset starts over).")
    emit(fmt, {**to_jsonable_dict(summary), "access": to_jsonable(access)},
         columns=["seeded", "today", "suppliers", "customers", "orders", "products", "lots",
                  "serial_counts", "access"],
         render=lambda: [*summary_tables(summary), access_table(access)])
    options = ServeOptions(host=host, port=port)
    if fmt is OutputFormat.TABLE:
        print_api_key(access)
        if serve:
            print_curl_hint(options.base_url, access)
    if serve:
        serve_database(url, options, announce_on_stderr=fmt is not OutputFormat.TABLE)


def to_jsonable_dict(summary: DemoSummary) -> dict[str, Any]:
    record = to_jsonable(summary)
    assert isinstance(record, dict)
    return record
