"""`lotline ledger checkpoint | checkpoints export | verify --checkpoints | public-key |
keygen` and `lotline worker --once` (issue 17, finding 14): exit 0 when the chains prove,
1 with the problems when they do not, 2 for a misused command line."""

from __future__ import annotations

import dataclasses
import json
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok, usage_error
from sqlalchemy import select, text, update

from lotline.adapters import tables as t
from lotline.adapters.db import make_engine
from lotline.adapters.repositories.movements import movement_from_row
from lotline.domain.ledger import recompute_hash


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "ledger.key"
    monkeypatch.setenv("LOTLINE_LEDGER_KEY_FILE", str(path))
    return path


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def cli(db_url: str, key_file: Path) -> Run:
    run = make_cli(db_url)
    ok(run("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    ok(run("batches", "create", "--product", "OIL", "--number", "L-1", "--quantity", "10"))
    return run


def rewrite_receipt(db_url: str, quantity: Decimal) -> None:
    """Behind the application's back: the receipt's quantity, its hash, the head, the
    balance — everything the unkeyed chain check looks at, made consistent again."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for action in ("update", "delete"):
            conn.execute(text(f"DROP TRIGGER movements_no_{action}"))
        row = conn.execute(select(t.movements)).one()
        forged = dataclasses.replace(movement_from_row(row), quantity=quantity)
        forged = dataclasses.replace(forged, hash=recompute_hash(forged))
        conn.execute(update(t.movements).values(quantity=quantity, hash=forged.hash))
        conn.execute(update(t.batches).values(chain_head=forged.hash))
        conn.execute(update(t.lot_balances).values(balance_quantity=quantity,
                                                   in_quantity=quantity))
    engine.dispose()


def test_checkpoint_export_and_verify(cli: Run, key_file: Path, tmp_path: Path,
                                      db_url: str) -> None:
    assert data_error(cli("ledger", "public-key")) == (
        f"error: ledger_key_unavailable: no ledger key at {key_file}; `lotline ledger "
        f"keygen` or `lotline ledger checkpoint` creates one\n")
    assert ok(cli("ledger", "checkpoint")).startswith("checkpoint ")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    public = ok(cli("ledger", "public-key"))
    assert public.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert "created" not in ok(cli("ledger", "keygen"))
    exported = tmp_path / "checkpoints.json"
    assert ok(cli("ledger", "checkpoints", "export", str(exported))) == (
        f"wrote 1 checkpoints to {exported}\n")
    document = json.loads(exported.read_text())
    assert document["public_key"] == public
    assert ok(cli("ledger", "verify", "--checkpoints", str(exported))).startswith(
        "ledger: 2 streams, 1 movements, 0 serials, 1 lot balances, 1 checkpoints checked: "
        "ok")

    rewrite_receipt(db_url, Decimal(7))
    assert ok(cli("ledger", "verify")).startswith("ledger: 2 streams, 1 movements")
    caught = cli("ledger", "verify", "--checkpoints", str(exported), "-f", "json")
    assert caught.exit_code == 1, caught.output
    assert caught.stderr == "error: ledger_mismatch: 1 problem found; nothing was repaired\n"
    (problem,) = json.loads(caught.stdout)["problems"]
    lot_id = json.loads(ok(cli("batches", "list", "-f", "json")))[0]["id"]
    assert (problem["kind"], problem["stream_id"]) == ("checkpoint_mismatch", lot_id)


def test_verify_checkpoints_misuse(cli: Run, tmp_path: Path) -> None:
    assert "does not exist" in usage_error(cli("ledger", "verify", "--checkpoints",
                                               str(tmp_path / "missing.json")))
    not_json = tmp_path / "notes.txt"
    not_json.write_text("hello")
    assert data_error(cli("ledger", "verify", "--checkpoints", str(not_json))).startswith(
        f"error: validation_error: checkpoints: {not_json} is not a readable JSON file")
    no_key = tmp_path / "no-key.json"
    no_key.write_text('{"checkpoints": []}')
    assert data_error(cli("ledger", "verify", "--checkpoints", str(no_key))) == (
        "error: validation_error: public_key: the checkpoints carry no public key and this "
        "installation has no ledger key file\n")


def test_worker_once_signs_what_changed_when_due(cli: Run, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    monkeypatch.setenv("LOTLINE_LEDGER_CHECKPOINT_INTERVAL", "0")
    assert data_error(cli("worker", "--once")) == (
        "error: invalid_setting: LOTLINE_LEDGER_CHECKPOINT_INTERVAL: '0' is not a positive "
        "number of minutes\n")
    monkeypatch.setenv("LOTLINE_LEDGER_CHECKPOINT_INTERVAL", "0.0001")
    ok(cli("worker", "--once"))
    ok(cli("worker", "--once"))  # nothing moved since: no second checkpoint
    listed = json.loads(ok(cli("ledger", "checkpoints", "list", "-f", "json")))
    assert [c["movement_count"] for c in listed] == [1]
