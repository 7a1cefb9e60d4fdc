"""The serial list names each row's lot by its number, read for the whole page: it does not
build each lot's view (balances and a count of its serials in stock), which at 1,000,000
serials cost a count over 10,000 rows per lot on the page (a search across 50 lots: 414 ms)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from web_kit import World, login, unique


@contextmanager
def _statements(web_app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = web_app.state.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_serial_list_reads_lot_numbers_once_per_page(
        client: TestClient, world: World, web_app: FastAPI) -> None:
    svc = world.svc
    tag = unique("LN")
    lots = [svc.batches.create(product_id=world.ids["scanner"], batch_number=f"{tag}-L{n}",
                               supplier_id=world.ids["supplier"], quantity=2) for n in range(4)]
    for n, lot in enumerate(lots):
        svc.serials.register_many([f"{tag}-S{n}"], batch_id=lot.id)
    login(client, world.usernames["viewer"])
    with _statements(web_app) as seen:
        page = client.get("/serials", params={"q": f"{tag}-S"}).text
    shown = re.findall(rf'<a href="/lots/([^"]+)">({tag}-L\d)</a>', page)
    assert sorted(shown, key=lambda pair: pair[1]) == [(lot.id, lot.batch_number)
                                                       for lot in lots]
    per_lot_counts = [s for s in seen if "count(" in s.lower() and "serials.batch_id IN" in s]
    assert per_lot_counts == []
