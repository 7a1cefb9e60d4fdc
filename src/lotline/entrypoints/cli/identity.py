"""`lotline orgs`, `lotline users`, `lotline api-keys`: organizations, their people and keys.

Passwords come from --password, else LOTLINE_PASSWORD, else the terminal (asked twice, not
echoed), else the first line of standard input; none of them is ever printed. An API key is
printed once, when it is created; listings show its first characters only."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.table import Table

from lotline.bootstrap import engine_for, ensure_current
from lotline.domain.identity import ApiKey, NewApiKey, User
from lotline.domain.model import Organization
from lotline.entrypoints.cli.output import (
    FormatOption,
    OutputFormat,
    detail_table,
    emit,
    field_names,
    table,
)
from lotline.entrypoints.cli.state import cli_state, services
from lotline.service_layer.identity import IdentityService

orgs_app = typer.Typer(help="Organizations (tenants), each created with its first admin.",
                       no_args_is_help=True)
users_app = typer.Typer(help="Users of the organization (--organization) and their roles.",
                        no_args_is_help=True)
api_keys_app = typer.Typer(help="API keys of the organization: shown once, stored hashed.",
                           no_args_is_help=True)

PASSWORD_ENV = "LOTLINE_PASSWORD"
ROLE_HELP = "admin, manager (alias gestor) or viewer (alias consultor)"
PasswordOption = Annotated[str | None, typer.Option(
    "--password", envvar=PASSWORD_ENV, show_envvar=True, show_default=False,
    help="8 to 1000 characters. Without it: asked on the terminal, or the first line of "
         "standard input.")]
USER_COLUMNS = ["id", "username", "role", "active", "created_at", "updated_at"]
API_KEY_COLUMNS = field_names(ApiKey)


def read_password(given: str | None, what: str) -> str:
    """The password given, else asked for (twice) on a terminal, else read from stdin."""
    if given:
        return given
    if sys.stdin is not None and sys.stdin.isatty():
        return str(typer.prompt(f"Password for {what}", hide_input=True,
                                confirmation_prompt=True))
    line = sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""
    if not line:
        raise typer.BadParameter(
            f"no password for {what}: give --password, set {PASSWORD_ENV}, or type it on a "
            "terminal or standard input", param_hint="'--password'")
    return line


# --- orgs ------------------------------------------------------------------------------------


@orgs_app.command("create")
def create_org(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The organization's name.")],
    admin: Annotated[str, typer.Option(
        "--admin", help="Username of its first admin (unique in the installation).")],
    password: PasswordOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create an organization with its default warehouse MAIN and its first admin."""
    secret = read_password(password, admin)
    state = cli_state(ctx)
    engine = engine_for(state.database_url)
    try:
        ensure_current(engine)
        organization = IdentityService(engine).create_organization(
            name, admin_username=admin, admin_password=secret)
    finally:
        engine.dispose()
    record = {"id": organization.id, "name": organization.name, "slug": organization.slug,
              "admin": admin, "created_at": organization.created_at}
    emit(fmt, record, columns=list(record), render=lambda: org_detail(organization, admin))


def org_detail(organization: Organization, admin: str) -> Table:
    return detail_table(f"Organization {organization.name}", [
        ("Name", organization.name), ("Slug (--organization)", organization.slug),
        ("Admin", admin), ("ID", organization.id), ("Created", organization.created_at)])


# --- users -----------------------------------------------------------------------------------


def user_record(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in USER_COLUMNS}


def users_table(users: Sequence[User], title: str = "Users") -> Table:
    return table(title, ("Username", "Role", "Active", "Created", "ID"),
                 [(u.username, u.role, u.active, u.created_at, u.id) for u in users])


@users_app.command("create")
def create_user(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(
        metavar="USERNAME", help="Letters, digits and . _ @ + -; unique in the installation.")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)] = "viewer",
    password: PasswordOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create a user in the organization."""
    secret = read_password(password, username)
    user = services(ctx).users.create_user(username, secret, role)
    emit(fmt, user_record(user), columns=USER_COLUMNS,
         render=lambda: users_table([user], f"User {user.username} created"))


@users_app.command("list")
def list_users(ctx: typer.Context, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The organization's users, by username."""
    users = services(ctx).users.list_users()
    emit(fmt, [user_record(u) for u in users], columns=USER_COLUMNS,
         render=lambda: users_table(users))


# --- api-keys --------------------------------------------------------------------------------


def api_keys_table(keys: Sequence[ApiKey], title: str = "API keys") -> Table:
    return table(title, ("Name", "Role", "Key starts", "Created by", "Created", "Last used",
                         "Revoked", "ID"),
                 [(k.name, k.role, f"{k.key_prefix}…", k.created_by, k.created_at,
                   k.last_used_at, k.revoked_at, k.id) for k in keys])


@api_keys_app.command("create")
def create_api_key(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="What the key is for (scanner-1, erp).")],
    role: Annotated[str | None, typer.Option(
        "--role", help=f"{ROLE_HELP}; default the owner's role, never higher.")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="Username whose role caps the key's (default: no cap below admin).")]
    = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Create an API key and print it, this once: only its SHA-256 hash is stored."""
    issued = services(ctx).users.issue_api_key(username=user, name=name, role=role)
    record = {**{n: getattr(issued.api_key, n) for n in API_KEY_COLUMNS}, "key": issued.key}
    emit(fmt, record, columns=[*API_KEY_COLUMNS, "key"], render=lambda: new_key_lines(issued))


def new_key_lines(issued: NewApiKey) -> Table:
    """The key on a line of its own, printed plainly (Rich could wrap it), then the record."""
    key = issued.api_key
    typer.echo(f"API key {key.name!r} ({key.role.value}), shown this once, store it now:")
    typer.echo(issued.key)
    return api_keys_table([key], "Created")


@api_keys_app.command("list")
def list_api_keys(ctx: typer.Context, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The organization's API keys, revoked ones included (never the keys themselves)."""
    keys = services(ctx).users.list_api_keys()
    emit(fmt, keys, columns=API_KEY_COLUMNS, render=lambda: api_keys_table(keys))


@api_keys_app.command("revoke")
def revoke_api_key(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id (api-keys list).")],
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Revoke an API key: requests carrying it answer 401 from now on."""
    key = services(ctx).users.revoke_api_key(key_id)
    emit(fmt, key, columns=API_KEY_COLUMNS, render=lambda: api_keys_table([key], "Revoked"))
