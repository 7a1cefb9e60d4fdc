"""The kept Connections' per-engine record is made once even when threads race for it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from lotline.adapters import kept_connections


def test_threads_starting_at_once_share_one_record_per_engine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    class SlowKept(kept_connections._Kept):
        def __init__(self, keep: int) -> None:
            time.sleep(0.05)  # widen the window a second thread would slip through
            super().__init__(keep)
            made.append(self)

    monkeypatch.setattr(kept_connections, "_Kept", SlowKept)
    engine = create_engine(f"sqlite:///{tmp_path / 'kept.db'}")
    start = threading.Barrier(8)
    seen: list[object] = []

    def first_unit_of_work() -> None:
        start.wait()
        seen.append(kept_connections._kept(engine))

    threads = [threading.Thread(target=first_unit_of_work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert seen == [made[0]] * 8
    conn = kept_connections.open_connection(engine, write=False)
    kept_connections.close_connection(engine, conn, write=False)
    assert made[0].idle[False] == [conn]  # type: ignore[attr-defined]
    engine.dispose()
    assert made[0].idle[False] == []  # type: ignore[attr-defined]
    assert conn.closed
