"""`lotline demo-scale` (issue 18's cost-curve generator) on a database it cannot load."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli_kit import make_cli, usage_error


def test_demo_scale_on_sqlite_is_a_usage_error(tmp_path: Path) -> None:
    cli = make_cli(f"sqlite:///{tmp_path / 'scale.db'}")
    message = usage_error(cli("demo-scale", "--serials", "1000"))
    assert message == ("error: usage: demo-scale loads with PostgreSQL's COPY; give "
                       "--database-url postgresql+psycopg://...\n")
