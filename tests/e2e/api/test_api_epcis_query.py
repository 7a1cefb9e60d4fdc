"""The EPCIS standard query parameters over the REST binding (issue 15, EPCIS 2.0 §8.2.7.1):
each selects exactly its events from a captured document, on SQLite and PostgreSQL; what
lotline cannot answer is a 400 QueryParameterException naming the parameter, more events than
maxEventCount a 413 QueryTooLargeException; paging keeps the direction and the count limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_kit import Api, assert_problem

from epcis_capture_kit import make_buyer
from epcis_query_kit import (
    CAPTURED,
    CASES,
    REFUSED,
    TOO_LARGE,
    TOO_LARGE_MESSAGE,
    case_id,
    query_document,
    result_ids,
)
from lotline.files.epcis_schema import query_document_issues


@pytest.fixture
def captured(api: Api) -> Api:
    make_buyer(api.services())
    response = api.post("/epcis/capture", role="manager",
                        content=json.dumps(query_document()).encode(),
                        headers={"Content-Type": "application/ld+json"})
    assert (response.status_code, response.json()["capturedCount"]) == (202, CAPTURED)
    return api


def selected(api: Api, params: dict[str, Any]) -> tuple[Any, list[str]]:
    response = api.get("/epcis/events", role="viewer", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert query_document_issues(body) == []
    return response, result_ids(body)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_each_parameter_selects_exactly_its_events(captured: Api,
                                                   case: tuple[dict[str, str], list[str]]
                                                   ) -> None:
    params, expected = case
    response, found = selected(captured, params)
    assert found == expected
    assert "link" not in response.headers


@pytest.mark.parametrize("case", REFUSED, ids=case_id)
def test_a_parameter_lotline_cannot_answer_is_a_400_naming_it(
        captured: Api, case: tuple[dict[str, str], str, str]) -> None:
    params, name, message = case
    response = captured.get("/epcis/events", role="viewer", params=params)
    body = assert_problem(response, 400, "QueryParameterException")
    assert [(e["field"], e["message"][:len(message)]) for e in body["errors"]] == [
        (name, message)]


def test_more_events_than_max_event_count_is_a_413(captured: Api) -> None:
    response = captured.get("/epcis/events", role="viewer", params=TOO_LARGE)
    body = assert_problem(response, 413, "QueryTooLargeException")
    assert body["detail"] == TOO_LARGE_MESSAGE


def test_the_link_header_keeps_the_direction_and_the_count_limit(captured: Api) -> None:
    params: dict[str, Any] = {"orderDirection": "DESC", "eventCountLimit": 3, "perPage": 2}
    response, first = selected(captured, params)
    assert first == ["ship-1", "q-5"]
    token = response.headers["GS1-Next-Page-Token"]
    assert response.headers["link"] == (
        f'</api/v1/epcis/events?orderDirection=DESC&eventCountLimit=3&perPage=2'
        f'&nextPageToken={token}>; rel="next"')
    response, second = selected(captured, {**params, "nextPageToken": token})
    assert (second, "link" in response.headers) == (["q-4"], False)
    mixed = captured.get("/epcis/events", role="viewer", params={"nextPageToken": token})
    body = assert_problem(mixed, 400, "QueryParameterException")
    assert body["detail"] == "nextPageToken: belongs to a query in the other orderDirection"
