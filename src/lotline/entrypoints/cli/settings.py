"""`lotline settings get [KEY]` and `lotline settings set KEY VALUE`: the organization's
settings (`GET|PATCH /api/v1/settings`). Changing one needs an admin and is audited."""

from __future__ import annotations

from typing import Annotated

import typer

from lotline.domain.errors import ValidationError
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, detail_table, emit
from lotline.entrypoints.cli.state import services
from lotline.service_layer.organizations import SETTING_ALIASES, SETTING_PARSERS, settings_dict

settings_app = typer.Typer(help="Organization settings: serial scope, time zone, Digital Link "
                                "domain, FEFO defaults.", no_args_is_help=True)

KEYS = ", ".join(SETTING_PARSERS)


def _show(values: dict[str, object], fmt: OutputFormat) -> None:
    emit(fmt, values, columns=list(values),
         render=lambda: detail_table("Settings", list(values.items())))


@settings_app.command("get")
def get(ctx: typer.Context,
        key: Annotated[str | None, typer.Argument(help=f"One setting: {KEYS}.")] = None,
        fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Show every setting, or the value of one (printed alone, for scripts)."""
    values = settings_dict(services(ctx).settings.get())
    if key is None:
        _show(values, fmt)
        return
    name = SETTING_ALIASES.get(key, key)
    if name not in values:
        raise ValidationError.single(key, f"unknown setting; settings are {KEYS}", key)
    if fmt is OutputFormat.TABLE:
        typer.echo(values[name])
    else:
        _show({name: values[name]}, fmt)


@settings_app.command("set")
def set_(ctx: typer.Context,
         key: Annotated[str, typer.Argument(help=f"The setting: {KEYS}.")],
         value: Annotated[str, typer.Argument(help="Its new value.")],
         fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Change one setting (admin). Prints the settings as they now are."""
    _show(settings_dict(services(ctx).settings.update(**{key: value})), fmt)
