"""`lotline epcis query NAME=VALUE...` with every EPCIS standard query parameter lotline answers
(issue 15): each prints exactly its events, on SQLite and PostgreSQL; a parameter lotline
cannot answer, or a result over maxEventCount, is one line on stderr and exit 1."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from cli_kit import Run, data_error, make_cli, ok

import lotline
from epcis_query_kit import (
    CASES,
    REFUSED,
    TOO_LARGE,
    TOO_LARGE_MESSAGE,
    capture_query_events,
    case_id,
    result_ids,
)


@pytest.fixture(scope="module")
def cli(database: Any) -> Run:
    """The CLI on the backend's database, in an organization holding the captured events
    (queries change nothing, so the module's tests share it)."""
    organization = f"query-{uuid.uuid4().hex[:12]}"
    svc = lotline.create_services(organization=organization, engine=database.engine)
    capture_query_events(svc)
    run = make_cli(database.url)

    def in_organization(*args: str, stdin: str | None = None) -> Any:
        return run("--organization", organization, *args, stdin=stdin)

    return in_organization


def arguments(params: dict[str, str]) -> list[str]:
    return [f"{name}={value}" for name, value in params.items()]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_parameter_prints_exactly_its_events(cli: Run,
                                                  case: tuple[dict[str, str], list[str]]
                                                  ) -> None:
    params, expected = case
    document = json.loads(ok(cli("epcis", "query", *arguments(params))))
    assert result_ids(document) == \
        expected


@pytest.mark.parametrize("case", REFUSED, ids=case_id)
def test_a_parameter_lotline_cannot_answer_is_one_line(cli: Run,
                                                       case: tuple[dict[str, str], str, str]
                                                       ) -> None:
    params, name, message = case
    line = data_error(cli("epcis", "query", *arguments(params)))
    assert line.startswith(f"error: QueryParameterException: {name}: {message}")


def test_more_events_than_max_event_count_is_one_line(cli: Run) -> None:
    assert data_error(cli("epcis", "query", *arguments(TOO_LARGE))) == (
        f"error: QueryTooLargeException: {TOO_LARGE_MESSAGE}\n")


def test_all_pages_follow_the_direction_and_the_count_limit(cli: Run) -> None:
    document = json.loads(ok(cli("epcis", "query", "orderDirection=DESC", "eventCountLimit=5",
                                 "perPage=2", "--all")))
    assert result_ids(document) == ["ship-1", "q-5", "q-4", "q-3", "q-2"]
