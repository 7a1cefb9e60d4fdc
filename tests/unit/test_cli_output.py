"""How the CLI's sentences and tables read: counts take their noun's number (`1 lot`,
`2 lots`); a table keeps ids and lot numbers on one line while the columns of words beside
them can wrap instead."""

from __future__ import annotations

import io

from rich.console import Console

from lotline.entrypoints.cli.output import counted, table, whole_columns


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [counted(n, "lot") for n in (0, 1, 2)] == ["0 lots", "1 lot", "2 lots"]
    assert counted(1, "FSMA 204 row") == "1 FSMA 204 row"
    assert counted(3, "delivery", "deliveries") == "3 deliveries"


LOT_ID = "01a2534c-b6bc-74b6-b80a-1a42ab80440e"
HEADERS = ("Lot", "Supplier", "State", "ID")
ROWS = [("OL-2311", "Olivar del Sur S.L.", "on quarantine hold", LOT_ID),
        ("R-000001", None, "active", "01a2534c-b6a6-7215-af09-ff7867e6eb28")]


def _rendered(width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width).print(table("Lots", HEADERS, ROWS, width=width))
    return out.getvalue().splitlines()


def test_ids_stay_whole_and_words_wrap_when_the_words_still_fit() -> None:
    # Lot 7 + the longest words "Supplier" 8 and "quarantine" 10 + ID 36, borders 13: 74.
    assert whole_columns(HEADERS, [["OL-2311", "Olivar del Sur S.L.", "on quarantine hold",
                                    LOT_ID]], 74) == {0, 3}
    lines = _rendered(80)
    assert any(LOT_ID in line for line in lines)
    assert any("Olivar" in line and "Sur" not in line for line in lines)  # wrapped by words


def test_a_terminal_too_narrow_for_that_folds_every_column_as_rich_does() -> None:
    assert whole_columns(HEADERS, [["OL-2311", "Olivar del Sur S.L.", "on quarantine hold",
                                    LOT_ID]], 73) == frozenset()
    lines = _rendered(60)
    assert not any(LOT_ID in line for line in lines)
    assert all(len(line) <= 60 for line in lines)
