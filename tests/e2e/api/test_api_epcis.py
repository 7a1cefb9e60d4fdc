"""The EPCIS 2.0 REST binding over HTTP (issue 15 items 3 and 4): capture answers 202 with the
job's Location, schema errors are a 422 listing JSON paths, the job says what failed; the
standard query answers an EPCISQueryDocument that validates against GS1's schema, filtered
exactly, paged by nextPageToken (Link header), and names unknown parameters."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

import pytest
from api_kit import Api, assert_problem

from epcis_capture_kit import EPCIS, document, make_buyer, observe_event, shipping_event
from lotline.files.epcis_schema import query_document_issues

LD_JSON = {"Content-Type": "application/ld+json"}


def capture(api: Api, doc: dict[str, Any], role: str = "manager", **headers: str) -> Any:
    return api.post("/epcis/capture", role=role, content=json.dumps(doc).encode(),
                    headers={**LD_JSON, **headers})


def events(api: Api, **params: Any) -> Any:
    response = api.get("/epcis/events", role="viewer", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    body = response.json()
    assert query_document_issues(body) == []
    return response, body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_capture_answers_202_with_the_jobs_location(api: Api) -> None:
    buyer = make_buyer(api.services())
    response = capture(api, document(shipping_event(), observe_event(1)))
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/v1/epcis/capture/{job['captureID']}"
    assert (job["success"], job["running"], job["captureErrorBehaviour"], job["errors"],
            job["eventCount"], job["capturedCount"]) == (True, False, "rollback", [], 2, 2)
    again = api.get(response.headers["location"].removeprefix("/api/v1"), role="viewer")
    assert again.status_code == 200
    assert again.json() == job
    receipt = api.get(f"/receipts/{job['receiptIds'][0]}").json()
    assert (receipt["reference"], receipt["supplier_id"]) == ("DA-77", buyer.ids["farm"])
    assert job["expectedLots"] == [{"receiptId": receipt["id"], "productId": buyer.ids["lettuce"],
                                    "lot": "L-7", "quantity": "30"}]


def test_schema_errors_are_a_422_listing_json_paths(api: Api) -> None:
    bad = observe_event(2)
    bad["eventTimeZoneOffset"] = "+1:00"
    response = capture(api, document(observe_event(1), bad))
    assert_problem(response, 422, "validation_error")
    assert [e["field"] for e in response.json()["errors"]] == [
        "$.epcisBody.eventList[1].eventTimeZoneOffset"]
    broken = api.post("/epcis/capture", role="manager", content=b'{"type": "EPCISDocument", '
                      b'"epcisBody": {"eventList": [{"type": ', headers=LD_JSON)
    assert_problem(broken, 422, "validation_error")
    assert broken.json()["errors"][0]["field"] == "$.epcisBody.eventList[0]"
    assert events(api)[1] == []


def test_a_failed_capture_is_a_job_that_says_why(api: Api) -> None:
    make_buyer(api.services())
    unknown = shipping_event()
    unknown["epcList"] = ["https://id.gs1.org/01/09506000134390/21/X-1"]
    response = capture(api, document(observe_event(1), unknown))
    assert response.status_code == 202
    job = api.get(f"/epcis/capture/{response.json()['captureID']}").json()
    assert (job["success"], job["capturedCount"], job["errors"]) == (False, 0, [
        {"path": "$.epcisBody.eventList[1].epcList[0]",
         "message": "GTIN 09506000134390 is not one of our products"}])
    proceed = capture(api, document(observe_event(1), unknown),
                      **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert (proceed.json()["success"], proceed.json()["capturedCount"]) == (False, 1)
    assert_problem(capture(api, document(), **{"GS1-Capture-Error-Behaviour": "maybe"}),
                   422, "validation_error")
    assert_problem(api.get("/epcis/capture/nope"), 404, "not_found")


def test_viewers_cannot_capture(api: Api) -> None:
    assert_problem(capture(api, document(observe_event(1)), role="viewer"), 403, "forbidden")


def test_the_query_filters_exactly_and_pages(api: Api) -> None:
    steps = ["inspecting", "shipping", "inspecting", "receiving", "inspecting"]
    doc = document(*[observe_event(i, biz_step=step) for i, step in enumerate(steps)])
    assert capture(api, doc).json()["capturedCount"] == 5
    ids = [f"urn:uuid:observe-{i}" for i in range(5)]
    assert [e["eventID"] for e in events(api)[1]] == ids
    assert [e["eventID"] for e in events(api, EQ_bizStep="inspecting")[1]] == ids[0::2]
    assert [e["eventID"] for e in events(
        api, EQ_bizStep="https://ref.gs1.org/cbv/BizStep-shipping,receiving")[1]] == [
        ids[1], ids[3]]
    assert [e["eventID"] for e in events(
        api, GE_eventTime="2026-04-10T09:01:00Z", LT_eventTime="2026-04-10T09:03:00Z")[1]] == \
        ids[1:3]
    pen = "urn:epc:id:sgtin:9506000.013437.S-3"  # the Digital Link of observe-3 as a URN
    assert [e["eventID"] for e in events(api, MATCH_epc=pen)[1]] == [ids[3]]
    assert [e["eventID"] for e in events(api, MATCH_anyEPC=pen, eventType="ObjectEvent")[1]] \
        == [ids[3]]
    assert events(api, MATCH_epc=pen, eventType="AggregationEvent")[1] == []
    assert [e["eventID"] for e in events(
        api, EQ_readPoint="https://id.gs1.org/414/4012345000009/254/DOCK")[1]] == ids
    seen, params, pages = [], {"perPage": 2}, 0
    while True:
        response, page = events(api, **params)
        seen += [e["eventID"] for e in page]
        pages += 1
        if "link" not in response.headers:
            break
        token = response.headers["GS1-Next-Page-Token"]
        assert response.headers["link"] == (
            f'</api/v1/epcis/events?perPage=2&nextPageToken={token}>; rel="next"')
        params = {"perPage": 2, "nextPageToken": token}
    assert (seen, pages) == (ids, 3)


def test_unknown_parameters_and_bad_values_are_named(api: Api) -> None:
    response = api.get("/epcis/events", params={"EQ_bizStepp": "shipping", "limit": "3"})
    assert_problem(response, 400, "QueryParameterException")
    body = response.json()
    assert body["type"] == "urn:lotline:problem:QueryParameterException"
    assert [e["field"] for e in body["errors"]] == ["EQ_bizStepp", "limit"]
    for params, field in (({"GE_eventTime": "yesterday"}, "GE_eventTime"),
                          ({"perPage": "0"}, "perPage"), ({"eventType": "Thing"}, "eventType"),
                          ({"nextPageToken": "bogus"}, "nextPageToken")):
        response = api.get("/epcis/events", params=params)
        assert_problem(response, 400, "QueryParameterException")
        assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_bundled_schema_is_gs1s_unchanged() -> None:
    bundled = resources.files("lotline.files").joinpath("epcis/EPCIS-JSON-Schema.json")
    digest = hashlib.sha256(bundled.read_bytes()).hexdigest()
    assert digest == "ed3228d7867198b4a5be9748fe77f473457c6ed98224fab28a950b4ce634a041"
    if not (EPCIS / "EPCIS-JSON-Schema.json").exists():
        pytest.skip(f"the GS1 EPCIS schema is not in {EPCIS}")
    assert bundled.read_bytes() == (EPCIS / "EPCIS-JSON-Schema.json").read_bytes()


def test_a_document_over_the_limit_is_a_413(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from lotline.entrypoints.api import middleware

    monkeypatch.setattr(middleware, "EPCIS_BODY_LIMIT", 2_000)  # 50 MB in production
    doc = document(*[observe_event(i) for i in range(20)])
    assert len(json.dumps(doc)) > 2_000
    assert_problem(capture(api, doc), 413, "payload_too_large")
    assert events(api)[1] == []
    small = capture(api, document(observe_event(1)))
    assert small.status_code == 202


def test_our_own_events_answer_the_query_and_validate(api: Api) -> None:
    buyer = make_buyer(api.services())
    api.batch(buyer.ids["lettuce"], "OWN-1", quantity=5)
    capture(api, document(observe_event(1)))
    _response, found = events(api)  # validated against the schema inside
    # The API's clock stands before the captured event's time: ours comes first.
    assert [(e["type"], e.get("bizStep")) for e in found] == [
        ("ObjectEvent", "commissioning"), ("ObjectEvent", "inspecting")]
    assert found[0]["quantityList"] == [{
        "epcClass": "https://id.gs1.org/01/09506000134352/10/OWN-1", "quantity": 5,
        "uom": "EA"}]
