"""The read-your-writes session (service_layer/consistency.py) on its own."""

from __future__ import annotations

from lotline.service_layer.consistency import (
    ReadSession,
    current_session,
    reading_session,
    valid_token,
)


def test_a_read_session_reads_the_position_once_and_only_when_asked() -> None:
    positions = iter(["0/16B3748", "0/16B9000"])
    asked: list[str] = []

    def position() -> str:
        asked.append("primary")
        return next(positions)

    session = ReadSession("0/100")
    assert session.token() == "0/100" and not session.pending
    session.wrote(position)
    session.wrote(position)  # two writes, one question when the token is wanted
    assert session.pending and asked == []
    assert session.token() == "0/16B3748"
    assert session.token() == "0/16B3748" and asked == ["primary"]


def test_a_door_sets_the_session_of_its_request() -> None:
    outer = ReadSession()
    assert current_session() is None
    with reading_session(outer):
        assert current_session() is outer
    assert current_session() is None


def test_tokens_are_postgresql_positions() -> None:
    assert [valid_token(t) for t in ("0/16B3748", "FFFFFFFF/0", "16/b374d848")] == [True] * 3
    assert [valid_token(t) for t in ("", "16B3748", "0/16B3748/1", "1/123456789", "x/1",
                                     " 0/1")] == [False] * 6
