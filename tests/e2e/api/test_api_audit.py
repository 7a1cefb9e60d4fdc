"""GET /audit (issue 14 item 5): admins read who changed which master data, before and after
(only the changed fields) and why, filtered and paged newest first, or exported as CSV/XLSX
with stored text kept inert; bad filters are 422s naming the field; a lot's expiry date or
cost change needs a reason, also on seed 003's surface."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from api_kit import Api, assert_problem, field_names

STAMP = "2026-03-01T10:00:00+00:00"  # api_kit.FIXED_NOW
EVIL = '=HYPERLINK("http://evil")'


def audit(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/audit", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_edits_are_listed_newest_first_with_only_the_changed_fields(api: Api) -> None:
    product = api.product(name="Widget")
    assert api.patch(f"/products/{product['id']}", json={"name": "Gadget", "uom": "KGM"}
                     ).status_code == 200
    assert api.patch(f"/products/{product['id']}", json={"name": "Gadget"}).status_code == 200
    admin = api.tenant.usernames["admin"]
    update, create = audit(api, entity="product", entity_id=product["id"])
    assert update == {"id": update["id"], "occurred_at": STAMP, "actor": admin,
                      "entity": "product", "entity_id": product["id"], "action": "update",
                      "before": {"name": "Widget", "uom": "EA"},
                      "after": {"name": "Gadget", "uom": "KGM"}, "reason": None}
    assert (create["action"], create["before"], create["after"]["sku"],
            create["after"]["name"]) == ("create", None, product["sku"], "Widget")

    supplier = api.supplier("Acme")
    api.patch(f"/suppliers/{supplier['id']}", json={"address": {"city": "Porto"}})
    [changed, _] = audit(api, entity="supplier")
    assert (changed["before"], changed["after"]) == ({"address.city": None},
                                                     {"address.city": "Porto"})


def test_filters_and_paging(api: Api, other: Api) -> None:
    product = api.product(name="One")
    for name in ("Two", "Three", "Four"):
        api.patch(f"/products/{product['id']}", json={"name": name})
    manager = api.tenant.usernames["manager"]
    api.patch(f"/products/{product['id']}", role="manager", json={"name": "Five"})
    updates = audit(api, entity="product", action="update")
    assert [u["after"]["name"] for u in updates] == ["Five", "Four", "Three", "Two"]
    assert [u["actor"] for u in audit(api, actor=manager, entity="product")] == [manager]
    assert len(audit(api, entity="product", since=STAMP)) == 5
    assert audit(api, entity="product", until="2026-03-01T10:00:00Z") == []
    assert len(audit(api, entity="product", since="2026-03-01",
                     until="2026-03-01T10:00:01+00:00")) == 5

    first = api.get("/audit", params={"entity": "product", "limit": 2}).json()
    second = api.get("/audit", params={"entity": "product", "limit": 2,
                                       "cursor": first["next_cursor"]}).json()
    third = api.get("/audit", params={"entity": "product", "limit": 2,
                                      "cursor": second["next_cursor"]}).json()
    names = [i["after"]["name"] for page in (first, second, third) for i in page["items"]]
    assert names == ["Five", "Four", "Three", "Two", "One"]
    assert third["next_cursor"] is None
    # Another organization's cursor, and another organization's rows, are not this one's.
    assert field_names(other.get("/audit", params={"cursor": first["next_cursor"]})) == [
        "cursor"]
    assert audit(other, entity="product") == []


def test_bad_filters_are_422_naming_the_field(api: Api) -> None:
    body = assert_problem(api.get("/audit", params={"entity": "widgets"}), 422,
                          "validation_error")
    assert body["errors"][0]["field"] == "entity"
    assert "is not one of api_key, batch, customer" in body["errors"][0]["message"]
    assert field_names(api.get("/audit", params={"since": "yesterday",
                                                 "until": "2026-13-01"})) == ["since", "until"]
    assert field_names(api.get("/audit", params={"since": "2026-03-02",
                                                 "until": "2026-03-01"})) == ["until"]
    assert field_names(api.get("/audit", params={"limit": 0})) == ["limit"]
    assert field_names(api.get("/audit", params={"limit": 501})) == ["limit"]
    assert field_names(api.get("/audit", params={"format": "pdf"})) == ["format"]
    assert field_names(api.get("/audit", params={"cursor": "nonsense"})) == ["cursor"]
    assert field_names(api.get("/audit", params={"actor": "a" * 201})) == ["actor"]


def test_only_admins_read_the_log(api: Api) -> None:
    for role in ("manager", "viewer"):
        assert_problem(api.get("/audit", role=role), 403, "forbidden")
    assert_problem(api.get("/audit", role=None), 401, "unauthorized")


def test_csv_and_xlsx_exports_keep_text_inert(api: Api) -> None:
    product = api.product()
    lot = api.batch(product["id"], "L-1", quantity=5, expiry_date="2026-06-01", unit_cost="2")
    assert api.patch(f"/batches/{lot['id']}", json={
        "expiry_date": "2026-07-01", "unit_cost": "2.50", "reason": EVIL}).status_code == 200
    response = api.get("/audit", params={"format": "csv", "entity": "batch"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="audit.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["action"], r["reason"]) for r in rows] == [("update", "'" + EVIL),
                                                          ("create", "")]
    assert (rows[0]["before"], rows[0]["after"], rows[0]["occurred_at"]) == (
        '{"expiry_date":"2026-06-01","unit_cost":"2"}',
        '{"expiry_date":"2026-07-01","unit_cost":"2.5"}', STAMP)

    sheet = api.get("/audit", params={"format": "xlsx", "entity": "batch"})
    assert sheet.headers["content-type"] == ("application/vnd.openxmlformats-officedocument."
                                             "spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    cells = [[c.value for c in row] for row in book.iter_rows()]
    assert [c.coordinate for row in book.iter_rows() for c in row if c.data_type == "f"] == []
    assert cells[0] == ["id", "occurred_at", "actor", "entity", "entity_id", "action",
                        "reason", "before", "after"]
    assert cells[1][5:7] == ["update", "'" + EVIL]
    assert len(cells) == 3


def test_an_expiry_or_cost_change_needs_a_reason(api: Api) -> None:
    product = api.product()
    lot = api.batch(product["id"], "R-1", quantity=5, expiry_date="2026-06-01", unit_cost="2")
    for change in ({"expiry_date": "2026-07-01"}, {"expiration_date": "2026-07-01"},
                   {"unit_cost": "3"}, {"unit_cost": "3", "reason": "  "}):
        body = assert_problem(api.patch(f"/batches/{lot['id']}", json=change), 422,
                              "validation_error")
        assert [e["field"] for e in body["errors"]] == ["reason"]
    unchanged = api.get(f"/batches/{lot['id']}").json()
    assert (unchanged["expiry_date"], unchanged["unit_cost"]) == ("2026-06-01", 2)
    assert [e["action"] for e in audit(api, entity_id=lot["id"])] == ["create"]
    # The same value again is no change; other fields need no reason.
    assert api.patch(f"/batches/{lot['id']}", json={"unit_cost": "2.00",
                                                    "internal_batch_number": "I-1"}
                     ).status_code == 200
    assert api.patch(f"/batches/{lot['id']}", json={"expiry_date": "2026-07-01",
                                                    "reason": "label misprint"}
                     ).status_code == 200
    latest, numbered, _ = audit(api, entity_id=lot["id"])
    assert (latest["before"], latest["after"], latest["reason"]) == (
        {"expiry_date": "2026-06-01"}, {"expiry_date": "2026-07-01"}, "label misprint")
    assert (numbered["before"], numbered["after"], numbered["reason"]) == (
        {"internal_batch_number": None}, {"internal_batch_number": "I-1"}, None)


def test_seed_003_update_records_its_own_reason(api: Api) -> None:
    product = api.product()
    lot = api.batch(product["id"], "Z-1", quantity=5, expiry_date="2026-06-01")
    compat = f"/api/compat/zoho/v1/batches/{lot['id']}"
    headers = api.tenant.headers("admin")
    answer = api.client.put(compat, headers=headers, json={"expiry_date": "2026-08-01"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["batch"]["expiry_date"] == "2026-08-01"
    given = api.client.put(compat, headers=headers, json={"expiry_date": "2026-09-01",
                                                          "reason": "supplier notice"})
    assert given.status_code == 200
    second, first, _ = audit(api, entity_id=lot["id"])
    assert (first["after"], first["reason"]) == ({"expiry_date": "2026-08-01"},
                                                 "seed 003 API update")
    assert (second["after"], second["reason"]) == ({"expiry_date": "2026-09-01"},
                                                   "supplier notice")
