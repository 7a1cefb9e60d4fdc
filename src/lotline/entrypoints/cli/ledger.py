"""`lotline ledger checkpoint | checkpoints list | checkpoints export | keygen | public-key`:
signed checkpoints of the ledger's chain heads (issue 17); `ledger verify` is in `trace`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from lotline.config import ledger_key_file
from lotline.domain.checkpoints import Checkpoint
from lotline.domain.errors import LedgerKeyUnavailable, ValidationError
from lotline.entrypoints.cli.output import FormatOption, OutputFormat, emit, table
from lotline.entrypoints.cli.state import services
from lotline.entrypoints.cli.trace import ledger_app
from lotline.entrypoints.serialize import dumps
from lotline.service_layer.checkpoint_verify import CheckpointSet, read_checkpoint_set
from lotline.service_layer.checkpoints import checkpoint_record, installation_key

checkpoints_app = typer.Typer(help="Signed checkpoints of the ledger's chain heads.",
                              no_args_is_help=True)

CHECKPOINT_COLUMNS = ["id", "created_at", "stream_count", "movement_count", "key_id",
                      "heads_digest"]


def _show(fmt: OutputFormat, checkpoint: Checkpoint) -> None:
    emit(fmt, checkpoint_record(checkpoint), columns=CHECKPOINT_COLUMNS,
         render=lambda: [f"checkpoint {checkpoint.id}: {checkpoint.stream_count} streams, "
                         f"{checkpoint.movement_count} movements, signed "
                         f"{checkpoint.created_at.isoformat()} with key "
                         f"{checkpoint.key_id[:16]}"])


@ledger_app.command("checkpoint")
def checkpoint(ctx: typer.Context, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Sign every stream's head now with the installation key (LOTLINE_LEDGER_KEY_FILE,
    created on first use) and store the checkpoint. Export them to keep them elsewhere."""
    _show(fmt, services(ctx).checkpoints.create())


@checkpoints_app.command("list")
def list_checkpoints(ctx: typer.Context, limit: Annotated[int, typer.Option(
        "--limit", min=1, max=500, help="How many, newest first.")] = 50,
        fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The stored checkpoints, newest first."""
    found = services(ctx).checkpoints.list(limit=limit)
    records = [checkpoint_record(c) for c in found]
    emit(fmt, records, columns=CHECKPOINT_COLUMNS, render=lambda: [table(
        "Ledger checkpoints", ("Id", "Signed at", "Streams", "Movements", "Key"),
        [(c.id, c.created_at, c.stream_count, c.movement_count, c.key_id[:16])
         for c in found])])


@checkpoints_app.command("export")
def export(ctx: typer.Context, file: Annotated[Path, typer.Argument(
        help="Where to write them (JSON); '-' for standard output.")]) -> None:
    """Write every checkpoint, oldest first, with the public key, as one JSON document that
    `ledger verify --checkpoints` reads: keep it away from the database."""
    document = services(ctx).checkpoints.export()
    text = dumps(document, indent=2) + "\n"
    if str(file) == "-":
        typer.echo(text, nl=False)
        return
    file.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(document['checkpoints'])} checkpoints to {file}")


@ledger_app.command("keygen")
def keygen() -> None:
    """Create the installation's Ed25519 ledger key (mode 0600) at LOTLINE_LEDGER_KEY_FILE
    (default ~/.local/share/lotline/ledger-ed25519.key); an existing key is kept."""
    key, created = installation_key(create=True)
    assert key is not None
    typer.echo(f"{'created a new' if created else 'kept the existing'} ledger key {key.path} "
               f"(key id {key.key_id})")


@ledger_app.command("public-key")
def public_key(output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the PEM to this file instead of printing it.")] = None,
        fmt: FormatOption = OutputFormat.TABLE) -> None:
    """The installation's public key (PEM, SubjectPublicKeyInfo) that checks checkpoints."""
    path = ledger_key_file()
    key, _created = installation_key(create=False, key_file=path)
    if key is None:
        raise LedgerKeyUnavailable(f"no ledger key at {path}; `lotline ledger keygen` or "
                                   f"`lotline ledger checkpoint` creates one")
    if output is not None:
        output.write_text(key.public_pem(), encoding="utf-8")
    data: dict[str, Any] = {"key_id": key.key_id, "key_file": str(path),
                            "public_key": key.public_pem()}
    emit(fmt, data, columns=list(data), render=lambda: [
        f"wrote the public key (key id {key.key_id}) to {output}" if output is not None
        else key.public_pem().rstrip("\n")])


def read_checkpoint_file(path: Path) -> CheckpointSet:
    """`--checkpoints FILE` of `ledger verify`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError.single("checkpoints", f"{path} is not a readable JSON file "
                                     f"({error})") from error
    return read_checkpoint_set(raw)
