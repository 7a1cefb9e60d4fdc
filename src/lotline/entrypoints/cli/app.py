"""The `lotline` command: the root app, its global options, and the one place where errors
become exit codes.

Exit codes (DESIGN §6): 0 ok; 1 for any error about the data (a `LotlineError`, or a database
that cannot be opened), printed as one line `error: <code>: <message>` on stderr; 2 for a
misused command line (Typer's own usage errors).

Adding a command group is an import and one line at the bottom:
`app.add_typer(module_app, name="...")`, or `app.add_typer(module_app)` without a name for a
module of top-level commands, like `demo`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from typer.core import TyperGroup

from lotline.config import SettingError, database_url_from_env
from lotline.domain.errors import LotlineError
from lotline.domain.values import forbidden_character
from lotline.entrypoints.cli.audit import app as audit_app
from lotline.entrypoints.cli.batches import app as batches_app
from lotline.entrypoints.cli.custom_fields import custom_fields_app
from lotline.entrypoints.cli.db import app as db_app
from lotline.entrypoints.cli.demo import app as demo_app
from lotline.entrypoints.cli.demo_scale import app as demo_scale_app
from lotline.entrypoints.cli.epcis import app as epcis_app
from lotline.entrypoints.cli.events import app as events_app
from lotline.entrypoints.cli.exchange import export_app, import_app, labels_app
from lotline.entrypoints.cli.identity import api_keys_app, orgs_app, users_app
from lotline.entrypoints.cli.ledger import checkpoints_app  # also adds `ledger checkpoint`...
from lotline.entrypoints.cli.locations import locations_app
from lotline.entrypoints.cli.orders import app as orders_app
from lotline.entrypoints.cli.output import fail
from lotline.entrypoints.cli.parties import customers_app, suppliers_app
from lotline.entrypoints.cli.products import app as products_app
from lotline.entrypoints.cli.recall_drill import drill as recall_drill  # noqa: F401 (adds `recall drill`)
from lotline.entrypoints.cli.recalls import recall_app, reports_app
from lotline.entrypoints.cli.receipts import app as receipts_app
from lotline.entrypoints.cli.scan import app as scan_app
from lotline.entrypoints.cli.serials import app as serials_app
from lotline.entrypoints.cli.serve import app as serve_app
from lotline.entrypoints.cli.settings import settings_app
from lotline.entrypoints.cli.state import CliState
from lotline.entrypoints.cli.stock import app as stock_app
from lotline.entrypoints.cli.trace import ledger_app, trace_app, transform_app
from lotline.entrypoints.cli.warehouses import warehouses_app
from lotline.entrypoints.cli.webhooks import app as webhooks_app
from lotline.entrypoints.cli.worker import app as worker_app


class LotlineGroup(TyperGroup):
    """The root group: turns data errors raised anywhere below into exit code 1, and refuses
    arguments that hold text no door takes (docs/decisions.md) before any command runs."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        refuse_forbidden_arguments(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LotlineError as error:
            raise fail(error.code, error.message) from None
        except (ArgumentError, OperationalError) as error:
            raise fail("database_error", _database_message(ctx, error)) from None
        except SettingError as error:
            raise fail("invalid_setting", str(error)) from None


def refuse_forbidden_arguments(args: list[str]) -> None:
    """C0 controls (tab, LF, CR aside) and lone surrogates — what undecodable bytes in argv
    become — are a data error naming the option. GS passes: scans carry it as FNC1, and the
    services refuse it in any text they store."""
    for index, arg in enumerate(args):
        problem = forbidden_character(arg, scan=True)
        if problem is None:
            continue
        option, has_value, _value = arg.partition("=")
        name = (option if arg.startswith("--") and has_value else
                args[index - 1] if index and args[index - 1].startswith("-") else
                f"argument {arg!a}")
        raise fail("validation_error", f"{name}: {problem}")


def _database_message(ctx: Any, error: Exception) -> str:
    state = ctx.obj if isinstance(ctx.obj, CliState) else None
    url = database_url_from_env(state.database_url if state is not None else None)
    detail = str(getattr(error, "orig", None) or error).splitlines()[0]
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = "the database URL"
    return f"cannot use {shown}: {detail}"


app = typer.Typer(
    name="lotline", cls=LotlineGroup, no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Lot (batch) and serial-number traceability: receive, pick FEFO, trace, recall.")


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", envvar="LOTLINE_DATABASE_URL", show_envvar=True,
        help="SQLAlchemy URL; default sqlite:///lotline.db. 'sqlite://' is in memory.")] = None,
    organization: Annotated[str, typer.Option(
        "--organization", help="The organization (tenant) to work in.")] = "default",
) -> None:
    source = ctx.get_parameter_source("database_url")
    state = CliState(database_url=database_url, organization=organization,
                     url_given=source is not None and source.name == "COMMANDLINE")
    ctx.obj = state
    ctx.call_on_close(state.close)


app.add_typer(db_app, name="db")
app.add_typer(products_app, name="products")
app.add_typer(batches_app, name="batches")
app.add_typer(serials_app, name="serials")
app.add_typer(demo_app)
app.add_typer(demo_scale_app)
app.add_typer(scan_app)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(labels_app, name="labels")
app.add_typer(trace_app, name="trace")  # issue 6: traceability
app.add_typer(transform_app)
app.add_typer(recall_app, name="recall")
app.add_typer(reports_app)
app.add_typer(ledger_app, name="ledger")
ledger_app.add_typer(checkpoints_app, name="checkpoints")
app.add_typer(suppliers_app, name="suppliers")  # issue 5: warehouse flows
app.add_typer(customers_app, name="customers")
app.add_typer(warehouses_app, name="warehouses")  # issue 15: addresses and GLNs
app.add_typer(receipts_app, name="receipts")
app.add_typer(orders_app, name="orders")
app.add_typer(stock_app, name="stock")
app.add_typer(locations_app, name="locations")  # issue 16: location holds
app.add_typer(serve_app)
app.add_typer(events_app, name="events")  # issue 14: change feed, webhooks
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(epcis_app, name="epcis")  # issue 15: EPCIS capture and query
app.add_typer(worker_app)  # issue 17: background jobs (signed ledger checkpoints)
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(api_keys_app, name="api-keys")
app.add_typer(audit_app, name="audit")  # issue 14 item 5: the audit log readable
app.add_typer(settings_app, name="settings")  # issue 16: settings door, custom fields
app.add_typer(custom_fields_app, name="custom-fields")


def main() -> None:
    app(prog_name="lotline")
