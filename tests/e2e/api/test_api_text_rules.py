"""Text that cannot be stored is refused at the door with a 422 naming the field: C0 control
characters (tab, LF and CR aside) and lone surrogates, in bodies (nested too), path and query
parameters. An echo of such input never breaks the problem that answers it (issue 17, 4-6)."""

from __future__ import annotations

import json

import pytest
from api_kit import API, Api


def send(api: Api, method: str, path: str, raw_json: str) -> tuple[int, dict]:
    response = api.call(method, path, content=raw_json.encode(),
                        headers={"content-type": "application/json"})
    return response.status_code, response.json()


def test_a_lone_surrogate_in_a_login_is_a_422_naming_the_field(api: Api) -> None:
    response = api.client.post(API + "/auth/token", content=b'{"username":"\\ud800",'
                               b'"password":"x"}', headers={"content-type": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["username"]
    assert body["errors"][0]["value"] == "\ufffd"
    assert "lone surrogate" in body["errors"][0]["message"]


@pytest.mark.parametrize("escape", ["\\u0000", "\\u0001", "\\u001f", "\\b", "\\f", "\\udfff"])
def test_control_characters_in_a_nested_body_field_are_refused(api: Api, escape: str) -> None:
    status, body = send(api, "POST", "/customers",
                        '{"name":"Ana","address":{"street":"Rua ' + escape + '1"}}')
    assert status == 422
    assert [e["field"] for e in body["errors"]] == ["address.street"]
    assert api.get("/customers").json()["items"] == []


def test_tab_newline_and_carriage_return_stay_allowed(api: Api) -> None:
    status, body = send(api, "POST", "/customers",
                        '{"name":"Ana","address":{"street":"Rua 1\\r\\nBloco\\t2"}}')
    assert status == 201
    assert body["address"]["street"] == "Rua 1\r\nBloco\t2"


def test_a_control_character_in_a_list_item_names_the_list_and_item(api: Api) -> None:
    product = api.product(tracking="serial")
    status, body = send(api, "POST", "/serials/bulk", json.dumps(
        {"product_id": product["id"], "serial_numbers": ["SN-1", "SN-\u00002"]}))
    assert status == 422
    assert body["errors"][0]["field"] == "serial_numbers"
    assert body["errors"][0]["message"] == "1: must not contain the control character U+0000"


@pytest.mark.parametrize(("path", "field"), [
    ("/serials?q=%00", "q"), ("/products/%00", "product_id"), ("/products/a%1Fb", "product_id"),
    ("/batches?q=x%07", "q"), ("/serials/lookup/SN%00", "serial_number"),
])
def test_control_characters_in_path_and_query_are_a_422(api: Api, path: str,
                                                        field: str) -> None:
    response = api.get(path)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_credentials_are_checked_before_parameters(api: Api) -> None:
    assert api.client.get(API + "/products/%00").status_code == 401


def test_a_street_longer_than_its_column_is_a_422(api: Api) -> None:
    response = api.post("/customers", json={"name": "Ana", "address": {"street": "x" * 201}})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["address.street"]
    assert api.post("/customers", json={"name": "Ana", "address": {"street": "x" * 200}}
                    ).status_code == 201
