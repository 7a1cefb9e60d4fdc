"""The command line refuses text no door takes (C0 controls but tab, LF and CR; lone
surrogates, which undecodable bytes in argv become) with exit 1 and one line naming the option,
and its exports keep formula-like text inert (issue 17, findings 5 and 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    return make_cli(f"sqlite:///{tmp_path / 'cli.db'}")


@pytest.mark.parametrize(("args", "named"), [
    (("products", "add", "SKU-1", "Name", "--gtin=1\x002"), "--gtin"),
    (("products", "add", "SKU-1", "Name", "--uom", "E\x1bA"), "--uom"),
    (("products", "add", "SKU-1", "Bad\x07name"), "argument 'Bad\\x07name'"),
    (("products", "add", "SKU-\udcff", "Name"), "argument 'SKU-\\udcff'"),
])
def test_control_characters_in_arguments_are_a_data_error(cli: Run, args: tuple[str, ...],
                                                          named: str) -> None:
    line = data_error(cli(*args))
    assert line.startswith(f"error: validation_error: {named}: must not contain the ")
    assert ok(cli("products", "list", "--format", "csv")).splitlines()[1:] == []


def test_exports_keep_formula_like_text_inert(cli: Run) -> None:
    ok(cli("products", "add", "EVIL-1", '=HYPERLINK("http://evil")'))
    assert ok(cli("export", "products")).splitlines()[1].startswith(
        'EVIL-1,"\'=HYPERLINK(""http://evil"")"')
    listed = ok(cli("products", "list", "--format", "csv")).splitlines()
    assert "'=HYPERLINK" in listed[1]
