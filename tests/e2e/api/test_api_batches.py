"""/batches over HTTP: create with DESIGN §3's names and the seeds' aliases, read, list with
filters and pages, change, delete, active/inactive, hold/release; roles, tenancy, bad input."""

from __future__ import annotations

from typing import Any

from api_kit import FIXED_NOW, TODAY, Api, assert_problem, field_names

NOW = FIXED_NOW.isoformat()


def define(api: Api, label: str, type_: str = "text") -> str:
    """A lot custom field definition (issue 16: values name definitions); its id."""
    response = api.post("/custom-fields", json={"label": label, "applies_to": "batch",
                                                "type": type_})
    assert response.status_code == 201, response.text
    field_id: str = response.json()["id"]
    return field_id


def lot_view(api: Api, body: dict[str, Any], **expected: Any) -> dict[str, Any]:
    """The full batch view DESIGN §3 describes, with defaults for what the test leaves out."""
    return {"id": body["id"], "product_id": None, "batch_number": None,
            "manufacturer_batch_number": None, "internal_batch_number": None,
            "external_batch_number": None, "supplier_id": None, "manufacturing_date": None,
            "expiry_date": None, "quantity": 0, "balance_quantity": 0, "available_quantity": 0,
            "unit_cost": None, "purchase_date": TODAY, "entry_transaction_ref": None,
            "location_id": None, "received_at": NOW, "associated_locations": [],
            "status": "active", "hold": None, "sales_rate": None, "label_rate": None,
            "custom_fields": [], "created_at": NOW, "updated_at": NOW, "is_expired": False,
            **expected}


def test_create_accepts_the_seed_aliases(api: Api) -> None:
    product, supplier = api.product(), api.supplier()
    stock = api.location_id("STOCK")
    lot_code = define(api, "Lot Code")
    response = api.post("/batches", json={
        "item_id": product["id"], "batch_number": "BTC-8900", "supplier_id": supplier["id"],
        "manufacturer_batch_number": "MFR-BTC-8900", "manufacturer_date": "2026-01-10",
        "expiration_date": "2026-10-15", "in_quantity": 100, "unit_cost": 12.5,
        "purchase_date": "2026-01-15", "sales_rate": 50.4, "label_rate": 50,
        "batch_custom_fields": [{"custom_field_id": lot_code, "label": "Lot Code",
                                 "value": "LC-001"}]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == lot_view(
        api, body, product_id=product["id"], batch_number="BTC-8900",
        manufacturer_batch_number="MFR-BTC-8900", supplier_id=supplier["id"],
        manufacturing_date="2026-01-10", expiry_date="2026-10-15", quantity=100,
        balance_quantity=100, available_quantity=100, unit_cost=12.5,
        purchase_date="2026-01-15", entry_transaction_ref=body["entry_transaction_ref"],
        location_id=stock, received_at="2026-01-15T00:00:00+00:00",
        associated_locations=[{"location_id": stock, "in_quantity": 100,
                               "balance_quantity": 100}],
        sales_rate=50.4, label_rate=50,
        custom_fields=[{"label": "Lot Code", "value": "LC-001",
                        "custom_field_id": lot_code}])
    assert len(body["entry_transaction_ref"]) == 36
    assert api.get(f"/batches/{body['id']}", role="viewer").json() == body


def test_create_with_design_names_and_the_other_aliases(api: Api) -> None:
    product = api.product()
    origin = define(api, "Origin")
    first = api.batch(product["id"], "L-1", manufacturing_date="2026-01-01",
                      expiry_date="2026-12-31", quantity="7.5",
                      custom_fields=[{"label": "Origin", "value": "PT"}])
    second = api.batch(product["id"], "L-2", manufactured_date="2026-02-01",
                       initial_quantity=3)
    assert (first["manufacturing_date"], first["expiry_date"], first["quantity"],
            first["custom_fields"]) == ("2026-01-01", "2026-12-31", 7.5,
                                        [{"label": "Origin", "value": "PT",
                                          "custom_field_id": origin}])
    assert (second["manufacturing_date"], second["quantity"], second["balance_quantity"]) == (
        "2026-02-01", 3, 3)


def test_a_serial_lot_quantity_is_a_cap_that_receives_nothing(api: Api) -> None:
    product = api.product(tracking="lot_serial")
    body = api.batch(product["id"], "S-1", quantity=3)
    assert body == lot_view(api, body, product_id=product["id"], batch_number="S-1",
                            quantity=3)


def test_a_lot_is_expired_on_its_expiry_date(api: Api) -> None:
    product = api.product()
    today = api.batch(product["id"], expiry_date=TODAY, quantity=5)
    tomorrow = api.batch(product["id"], expiry_date="2026-03-02", quantity=5)
    assert (today["is_expired"], today["available_quantity"], today["balance_quantity"]) == (
        True, 0, 5)
    assert (tomorrow["is_expired"], tomorrow["available_quantity"]) == (False, 5)


def test_decimals_are_exact_json_numbers(api: Api) -> None:
    product = api.product()
    response = api.post("/batches", json={"product_id": product["id"], "batch_number": "D-1",
                                          "quantity": "0.000001", "unit_cost": "12.50"})
    assert response.status_code == 201
    assert '"quantity":0.000001,' in response.text
    assert '"unit_cost":12.5,' in response.text
    whole = api.post("/batches", json={"product_id": product["id"], "batch_number": "D-2",
                                       "quantity": 100.0, "unit_cost": 0.1})
    assert '"quantity":100,' in whole.text and '"unit_cost":0.1,' in whole.text


def test_text_comes_back_verbatim(api: Api) -> None:
    product = api.product()
    sql, script = "'; DROP TABLE batches; --", "<script>alert(1)</script>"
    field_id = define(api, script)
    body = api.batch(product["id"], sql, manufacturer_batch_number=script,
                     custom_fields=[{"label": script, "value": sql}])
    assert (body["batch_number"], body["manufacturer_batch_number"]) == (sql, script)
    assert body["custom_fields"] == [{"label": script, "value": sql,
                                      "custom_field_id": field_id}]
    found = api.get("/batches", params={"q": "DROP TABLE", "product_id": product["id"]}).json()
    assert [item["batch_number"] for item in found["items"]] == [sql]
    assert api.get(f"/batches/{body['id']}").json()["batch_number"] == sql


def test_list_filters_and_pages(api: Api) -> None:
    product, other_product, supplier = api.product(), api.product(), api.supplier()
    a = api.batch(product["id"], "LOT-A", supplier_id=supplier["id"], expiry_date="2026-04-01",
                  quantity=5)
    b = api.batch(product["id"], "LOT-B", expiry_date="2026-09-01")
    c = api.batch(product["id"], "OTHER-C", quantity=1)
    api.batch(other_product["id"], "LOT-A", quantity=2)
    api.post(f"/batches/{c['id']}/inactive")

    def ids(**params: Any) -> list[str]:
        response = api.get("/batches", role="viewer", params={"product_id": product["id"],
                                                              **params})
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [a["id"], b["id"], c["id"]]
    assert ids(supplier_id=supplier["id"]) == [a["id"]]
    assert ids(status="inactive") == [c["id"]]
    assert ids(status="active") == [a["id"], b["id"]]
    assert ids(expiring_before="2026-05-01") == [a["id"]]
    assert ids(has_stock=True) == [a["id"], c["id"]]
    assert ids(has_stock=False) == [b["id"]]
    assert ids(q="lot-") == [a["id"], b["id"]]
    first = api.get("/batches", params={"product_id": product["id"], "limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [a["id"], b["id"]]
    rest = api.get("/batches", params={"product_id": product["id"], "limit": 2,
                                       "cursor": first["next_cursor"]}).json()
    assert ([i["id"] for i in rest["items"]], rest["next_cursor"]) == ([c["id"]], None)


def test_patch_changes_fields_and_corrects_the_quantity(api: Api) -> None:
    product = api.product()
    lot = api.batch(product["id"], "P-1", quantity=10, expiry_date="2026-06-01")
    qc = define(api, "QC")
    response = api.patch(f"/batches/{lot['id']}", json={
        "expiration_date": "2026-07-01", "initial_quantity": "12.5", "status": "inactive",
        "batch_custom_fields": [{"label": "QC", "value": "ok"}], "reason": "recount"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["expiry_date"], body["quantity"], body["balance_quantity"], body["status"],
            body["available_quantity"], body["custom_fields"]) == (
        "2026-07-01", 12.5, 12.5, "inactive", 0,
        [{"label": "QC", "value": "ok", "custom_field_id": qc}])
    assert field_names(api.patch(f"/batches/{lot['id']}", json={"product_id": "x"})) == [
        "product_id"]
    assert field_names(api.patch(f"/batches/{lot['id']}", json={"expiry_date": None})) == [
        "reason"]  # an expiry date change says why
    cleared = api.patch(f"/batches/{lot['id']}", json={"expiry_date": None,
                                                       "reason": "no expiry"}).json()
    assert cleared["expiry_date"] is None


def test_delete_and_bulk_delete(api: Api) -> None:
    product = api.product()
    lots = [api.batch(product["id"], f"DEL-{n}", quantity=n) for n in (1, 2, 3)]
    assert api.delete(f"/batches/{lots[0]['id']}").status_code == 204
    assert_problem(api.get(f"/batches/{lots[0]['id']}"), 404, "not_found")
    response = api.post("/batches/bulk-delete", json={"ids": [lots[1]["id"], lots[2]["id"]]})
    assert (response.status_code, response.content) == (204, b"")
    assert api.get("/batches", params={"product_id": product["id"]}).json()["items"] == []
    missing = assert_problem(api.post("/batches/bulk-delete", json={"ids": ["nope"]}), 404,
                             "not_found")
    assert missing["detail"] == "batch not found: ids=nope"
    assert field_names(api.post("/batches/bulk-delete", json={"ids": []})) == ["ids"]


def test_a_lot_with_serials_cannot_be_deleted(api: Api) -> None:
    product = api.product(tracking="lot_serial")
    lot = api.batch(product["id"], "REF-1", quantity=2)
    api.serial(batch_id=lot["id"])
    body = assert_problem(api.delete(f"/batches/{lot['id']}"), 409, "conflict")
    assert body["detail"] == ("lots REF-1 have serials or movements besides their opening "
                              "receipt; mark them inactive instead")


def test_active_and_inactive_one_or_many(api: Api) -> None:
    product = api.product()
    a, b = api.batch(product["id"], quantity=1), api.batch(product["id"], quantity=1)
    one = api.post(f"/batches/{a['id']}/inactive")
    assert (one.status_code, one.json()["status"], one.json()["available_quantity"]) == (
        200, "inactive", 0)
    many = api.post("/batches/inactive", json={"ids": [a["id"], b["id"]]}).json()
    assert [(i["id"], i["status"]) for i in many["items"]] == [(a["id"], "inactive"),
                                                               (b["id"], "inactive")]
    many = api.post("/batches/active", json={"ids": [a["id"], b["id"]]}).json()
    assert [i["status"] for i in many["items"]] == ["active", "active"]
    assert api.post(f"/batches/{a['id']}/active").json()["available_quantity"] == 1


def test_hold_and_release(api: Api) -> None:
    lot = api.batch(api.product()["id"], "H-1", quantity=4)
    held = api.post(f"/batches/{lot['id']}/hold", json={"reason": "supplier recall",
                                                        "kind": "recall"})
    assert held.status_code == 200, held.text
    assert (held.json()["hold"], held.json()["available_quantity"]) == (
        {"reason": "supplier recall", "kind": "recall", "since": NOW}, 0)
    again = assert_problem(api.post(f"/batches/{lot['id']}/hold", json={"reason": "x"}), 409,
                           "conflict")
    assert again["detail"] == "lot 'H-1' is already on recall hold: supplier recall"
    assert field_names(api.post(f"/batches/{lot['id']}/hold", json={"reason": "x",
                                                                    "kind": "party"})) == ["kind"]
    released = api.post(f"/batches/{lot['id']}/release", json={"reason": "cleared"}).json()
    assert (released["hold"], released["available_quantity"]) == (None, 4)
    assert_problem(api.post(f"/batches/{lot['id']}/release"), 409, "conflict")


def test_duplicate_lot_numbers_compare_without_case(api: Api) -> None:
    product = api.product()
    first = api.batch(product["id"], "LOT-2025A")
    body = assert_problem(api.post("/batches", json={"product_id": product["id"],
                                                     "batch_number": "lot-2025a"}),
                          409, "duplicate_batch")
    assert (body["batch_number"], body["existing_id"]) == ("lot-2025a", first["id"])
    supplier = api.supplier()
    assert api.post("/batches", json={"product_id": product["id"], "batch_number": "lot-2025a",
                                      "supplier_id": supplier["id"]}).status_code == 201


def test_bad_bodies_are_422_naming_the_fields(api: Api) -> None:
    product = api.product()
    response = api.post("/batches", json={
        "product_id": product["id"], "batch_number": "x" * 101, "manufacturing_date": "2026-13-45",
        "quantity": -1, "unit_cost": "abc", "color": "red", "expiry_date": 20260101})
    assert sorted(field_names(response)) == ["batch_number", "color", "expiry_date",
                                             "manufacturing_date", "quantity", "unit_cost"]
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["color"] == {"field": "color", "message": "unknown field", "value": "red"}
    assert errors["manufacturing_date"]["value"] == "2026-13-45"
    assert field_names(api.post("/batches", json={"product_id": product["id"],
                                                  "batch_number": 123})) == ["batch_number"]
    assert field_names(api.post("/batches", json={"product_id": product["id"],
                                                  "batch_number": "A", "quantity": 5,
                                                  "in_quantity": 6})) == ["in_quantity"]
    assert field_names(api.post("/batches", json={"batch_number": "A"})) == ["product_id"]
    assert field_names(api.post("/batches", json={
        "product_id": product["id"], "batch_number": "A", "manufacturing_date": "2026-05-01",
        "expiry_date": "2026-04-01"})) == ["expiry_date"]
    malformed = api.post("/batches", content=b'{"product_id": ', headers={
        "Content-Type": "application/json"})
    assert field_names(malformed) == ["body"]
    assert field_names(api.get("/batches", params={"limit": 100000})) == ["limit"]
    assert field_names(api.get("/batches", params={"status": "gone"})) == ["status"]


def test_roles_and_tenancy(api: Api, other: Api) -> None:
    lot = api.batch(api.product()["id"], "T-1", quantity=1)
    assert assert_problem(api.post("/batches", role="viewer", json={
        "product_id": lot["product_id"], "batch_number": "V"}), 403, "forbidden")["detail"] == (
        f"creating batches needs the manager role; {api.tenant.usernames['viewer']} is viewer")
    for method, path, body in (("PATCH", "", {"status": "inactive"}), ("DELETE", "", None),
                               ("POST", "/hold", {"reason": "r"}), ("POST", "/inactive", None)):
        url = f"/batches/{lot['id']}{path}"
        assert_problem(api.call(method, url, role="viewer", json=body), 403, "forbidden")
        missing = assert_problem(other.call(method, url, json=body), 404, "not_found")
        assert lot["id"] in missing["detail"]
    assert api.post(f"/batches/{lot['id']}/hold", role="manager",
                    json={"reason": "r"}).status_code == 200
    assert_problem(other.get(f"/batches/{lot['id']}"), 404, "not_found")
    assert other.get("/batches", params={"product_id": lot["product_id"]}).json() == {
        "items": [], "next_cursor": None}
    foreign = assert_problem(other.post("/batches", json={"product_id": lot["product_id"],
                                                          "batch_number": "X"}),
                             404, "not_found")
    assert foreign["detail"] == f"product not found: product_id={lot['product_id']}"
    assert_problem(api.get(f"/batches/{lot['id']}", role=None), 401, "unauthorized")
