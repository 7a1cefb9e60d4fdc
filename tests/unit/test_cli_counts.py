"""Counts in the CLI's sentences take the number of their noun: `1 lot`, `2 lots`."""

from __future__ import annotations

from lotline.entrypoints.cli.output import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [counted(n, "lot") for n in (0, 1, 2)] == ["0 lots", "1 lot", "2 lots"]
    assert counted(1, "FSMA 204 row") == "1 FSMA 204 row"
    assert counted(3, "delivery", "deliveries") == "3 deliveries"
