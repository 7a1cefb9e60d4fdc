"""Seed 003's Zoho-style batches API at /api/compat/zoho/v1 (DESIGN §9): every route, every
response body validated against the seed file's own schema definitions, values round-tripped
exactly, errors in the seed's envelope with §6's HTTP status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from api_kit import Api

ZOHO = "/api/compat/zoho/v1"
# A verbatim copy of ../shared/seeds/003_dca874347c431f18.txt, the seed's JSON schema.
SEED = Path(__file__).with_name("seed_003_batches.json")


def _local_refs(node: Any) -> Any:
    """The seed's `#/components/schemas/x` references point at its own `definitions`."""
    if isinstance(node, dict):
        return {k: (v.replace("#/components/schemas/", "#/definitions/") if k == "$ref"
                    else _local_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    return node


@pytest.fixture(scope="module")
def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = _local_refs(json.loads(SEED.read_text()))["definitions"]
    return loaded


def valid(definitions: dict[str, Any], name: str, response: httpx.Response,
          status: int = 200) -> dict[str, Any]:
    """The body, after checking status, JSON media type and the seed's schema `name`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    jsonschema.Draft7Validator({"$ref": f"#/definitions/{name}",
                                "definitions": definitions}).validate(body)
    return body


def call(api: Api, method: str, path: str, role: str = "admin", **kwargs: Any) -> httpx.Response:
    return api.client.request(method, ZOHO + path, headers=api.tenant.headers(role), **kwargs)


def define(api: Api, label: str, type_: str = "text", applies_to: str = "batch") -> str:
    """A custom field definition made through lotline's own API; its id."""
    response = api.post("/custom-fields", role="manager",
                        json={"label": label, "applies_to": applies_to, "type": type_})
    assert response.status_code == 201, response.text
    field_id: str = response.json()["id"]
    return field_id


def test_the_whole_surface_round_trips_in_the_seeds_words(api: Api,
                                                           definitions: dict[str, Any]) -> None:
    product = api.product()
    stock = api.location_id("STOCK")
    FIELD = {"custom_field_id": define(api, "Lot Code"), "label": "Lot Code",  # noqa: N806
             "value": "LC-001"}
    made = valid(definitions, "create-a-batch-response", call(api, "POST", "/batches", json={
        "item_id": product["id"], "batch_number": "BTC-8900",
        "manufacturer_batch_number": "MFR-BTC-8900", "manufactured_date": "2026-01-12",
        "expiry_date": "2026-10-15", "sales_rate": 50.4, "label_rate": 50, "in_quantity": 100,
        "batch_custom_fields": [FIELD]}), 201)
    batch = made["batch"]
    assert (made["code"], made["message"]) == (0, "The batch has been created.")
    assert batch == {
        "batch_id": batch["batch_id"], "batch_in_id": batch["batch_in_id"],
        "item_id": product["id"], "batch_number": "BTC-8900", "internal_batch_number": "",
        "external_batch_number": "", "manufacturer_batch_number": "MFR-BTC-8900",
        "manufactured_date": "2026-01-12", "manufacturer_date": "2026-01-12",
        "expiry_date": "2026-10-15", "in_quantity": 100, "balance_quantity": 100,
        "balance_quantity_unit": product["uom"], "location_id": stock,
        "associated_locations": [{"location_id": stock, "in_quantity": 100,
                                  "balance_quantity": 100}],
        "batch_custom_fields": [FIELD], "status": "active", "sales_rate": 50.4,
        "label_rate": 50}
    assert len(batch["batch_in_id"]) == 36
    batch_id = batch["batch_id"]

    got = valid(definitions, "retrieve-a-batch-response",
                call(api, "GET", f"/batches/{batch_id}", role="viewer"))
    assert got == {"code": 0, "message": "success", "batch": batch}
    listed = valid(definitions, "list-all-batches-response",
                   call(api, "GET", "/batches", params={"item_id": product["id"]}))
    assert listed == {"code": 0, "message": "success", "batches": [batch]}

    changed = valid(definitions, "update-a-batch-response", call(
        api, "PUT", f"/batches/{batch_id}", json={
            "quantity": 90, "expiry_date": "2026-11-30",
            "batch_custom_fields": [{**FIELD, "value": "LC-002"}]}))
    assert (changed["code"], changed["message"]) == (0, "The batch has been updated.")
    assert changed["batch"] == {
        **batch, "expiry_date": "2026-11-30", "in_quantity": 90, "balance_quantity": 90,
        "associated_locations": [{"location_id": stock, "in_quantity": 90,
                                  "balance_quantity": 90}],
        "batch_custom_fields": [{**FIELD, "value": "LC-002"}]}

    for state in ("inactive", "active"):
        answer = valid(definitions, f"mark-a-batch-as-{state}-response",
                       call(api, "POST", f"/batches/{batch_id}/{state}"))
        assert answer == {"code": 0, "message": f"The batch has been marked as {state}."}
        assert api.get(f"/batches/{batch_id}").json()["status"] == state

    others = [api.batch(product["id"], number)["id"] for number in ("BTC-1", "BTC-2")]
    ids = ",".join(others)
    for state in ("inactive", "active"):
        answer = valid(definitions, f"mark-batches-as-{state}-response",
                       call(api, "POST", f"/batches/{state}", params={"batch_ids": ids}))
        assert answer == {"code": 0,
                          "message": f"The selected batches have been marked as {state}."}
        assert [api.get(f"/batches/{i}").json()["status"] for i in others] == [state, state]

    bulk = valid(definitions, "bulk-delete-batches-response",
                 call(api, "DELETE", "/batches", params={"batch_ids": ids}))
    assert bulk == {"code": 0, "message": "The selected batches have been deleted."}
    # The corrected lot has a movement besides its receipt: DESIGN §3 keeps it (409).
    kept = valid(definitions, "delete-a-batch-response",
                 call(api, "DELETE", f"/batches/{batch_id}"), 409)
    assert kept == {"code": 409, "message": "lots BTC-8900 have serials or movements besides "
                                            "their opening receipt; mark them inactive instead"}
    fresh = api.batch(product["id"], "BTC-3", quantity=5)["id"]
    gone = valid(definitions, "delete-a-batch-response", call(api, "DELETE", f"/batches/{fresh}"))
    assert gone == {"code": 0, "message": "The batch has been deleted."}
    remaining = call(api, "GET", "/batches", params={"item_id": product["id"]}).json()
    assert [b["batch_id"] for b in remaining["batches"]] == [batch_id]


def test_errors_keep_the_envelope_and_the_http_status(api: Api,
                                                      definitions: dict[str, Any]) -> None:
    product = api.product()
    missing = valid(definitions, "delete-a-batch-response",
                    call(api, "GET", "/batches/no-such-batch"), 404)
    assert missing["code"] == 404 and "no-such-batch" in missing["message"]
    bad = valid(definitions, "create-a-batch-response", call(
        api, "POST", "/batches", json={"item_id": product["id"],
                                       "manufactured_date": "12/05/2026"}), 422)
    assert bad["code"] == 422
    assert {e["field"] for e in bad["errors"]} == {"batch_number", "manufactured_date"}
    denied = valid(definitions, "create-a-batch-response", call(
        api, "POST", "/batches", role="viewer",
        json={"item_id": product["id"], "batch_number": "B-1"}), 403)
    assert denied["code"] == 403
    anonymous = api.client.get(ZOHO + "/batches")
    assert valid(definitions, "list-all-batches-response", anonymous, 401)["code"] == 401
    assert call(api, "GET", "/batches", params={"item_id": product["id"]}).json() == {
        "code": 0, "message": "success", "batches": []}


def test_lotlines_own_patch_of_the_quantity_moves_in_quantity_too(api: Api) -> None:
    """Finding: PATCH 100 -> 90 left the received quantity at 100."""
    product = api.product()
    stock = api.location_id("STOCK")
    lot = api.batch(product["id"], "Q-1", quantity=100)
    response = api.patch(f"/batches/{lot['id']}", json={"quantity": 90})
    assert response.status_code == 200, response.text
    assert response.json()["associated_locations"] == [
        {"location_id": stock, "in_quantity": 90, "balance_quantity": 90}]


def test_custom_field_ids_round_trip_and_an_unknown_one_is_a_422_in_the_envelope(
        api: Api, definitions: dict[str, Any]) -> None:
    """Issue 16: `custom_field_id` comes from the custom field definitions; values are checked
    by their type, returned in canonical text, and an unknown id names the field."""
    product = api.product()
    code, brix = define(api, "Lot Code"), define(api, "Brix", "number")
    made = valid(definitions, "create-a-batch-response", call(api, "POST", "/batches", json={
        "item_id": product["id"], "batch_number": "BTC-CF",
        "batch_custom_fields": [{"custom_field_id": code, "label": "Lot Code",
                                 "value": "LC-001"},
                                {"label": "Brix", "value": "12.50"}]}), 201)
    fields = [{"custom_field_id": code, "label": "Lot Code", "value": "LC-001"},
              {"custom_field_id": brix, "label": "Brix", "value": "12.5"}]
    assert made["batch"]["batch_custom_fields"] == fields
    batch_id = made["batch"]["batch_id"]
    got = valid(definitions, "retrieve-a-batch-response",
                call(api, "GET", f"/batches/{batch_id}"))
    assert got["batch"]["batch_custom_fields"] == fields
    unknown = valid(definitions, "update-a-batch-response", call(
        api, "PUT", f"/batches/{batch_id}", json={"batch_custom_fields": [
            {"custom_field_id": "6780203000000176175", "label": "Lot Code", "value": "x"}]}),
        422)
    assert unknown == {
        "code": 422,
        "message": "batch_custom_fields.0.custom_field_id: unknown custom field "
                   "'6780203000000176175'; the lots' custom fields are 'Brix', 'Lot Code'",
        "errors": [{"field": "batch_custom_fields.0.custom_field_id",
                    "message": "unknown custom field '6780203000000176175'; the lots' custom "
                               "fields are 'Brix', 'Lot Code'",
                    "value": "6780203000000176175"}]}
    wrong_type = valid(definitions, "create-a-batch-response", call(
        api, "POST", "/batches", json={"item_id": product["id"], "batch_number": "BTC-CF2",
                                       "batch_custom_fields": [{"custom_field_id": brix,
                                                                "value": "sweet"}]}), 422)
    assert [e["field"] for e in wrong_type["errors"]] == ["batch_custom_fields.0.value"]
    assert call(api, "GET", f"/batches/{batch_id}").json()["batch"]["batch_custom_fields"] \
        == fields
