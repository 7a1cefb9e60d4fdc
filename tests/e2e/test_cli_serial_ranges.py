"""`lotline serials register` with a range past the per-call limit (issue 17, finding 8): one
line on stderr naming the limit, exit 1, nothing registered."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok, seed_catalogue


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    return make_cli(f"sqlite:///{tmp_path / 'cli.db'}")


def test_a_range_past_the_limit_is_refused_naming_it(cli: Run) -> None:
    seed_catalogue(cli)
    error = data_error(cli("serials", "register", "RG-000001..RG-150000", "--product", "SCAN-1"))
    assert error == ("error: validation_error: serial_numbers.0: a range holds at most 100000 "
                     "numbers; this one holds 150000\n")
    error = data_error(cli("serials", "register", "A-000001..A-060000", "B-000001..B-060000",
                           "--product", "SCAN-1"))
    assert "holds 120000 serial numbers once its ranges are expanded; at most 100000" in error
    assert "registered 3 serial numbers of SCAN-1" in ok(cli(
        "serials", "register", "OK-1..OK-3", "--product", "SCAN-1"))
