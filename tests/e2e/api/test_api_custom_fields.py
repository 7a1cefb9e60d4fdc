"""/api/v1/custom-fields (issue 16): definitions with stable ids that lots name in their
custom fields; values checked by the definition's type; an unknown id a 422 naming the field;
every role reads, managers and admins write; each change audited."""

from __future__ import annotations

from typing import Any

from api_kit import FIXED_NOW, Api, assert_problem, field_names
from sqlalchemy import select

from lotline.adapters import tables as t

NOW = FIXED_NOW.isoformat()


def define(api: Api, role: str = "manager", **body: Any) -> dict[str, Any]:
    response = api.post("/custom-fields", role=role, json=body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def test_define_list_get_rename_deactivate(api: Api) -> None:
    code = define(api, label="Lot Code", applies_to="batch")
    assert code == {"id": code["id"], "label": "Lot Code", "applies_to": "batch", "type": "text",
                    "active": True, "created_at": NOW, "updated_at": NOW}
    assert len(code["id"]) == 36
    brix = define(api, role="admin", label="Brix", applies_to="lot", type="number")
    colour = define(api, label="Colour", applies_to="product")
    listed = api.get("/custom-fields", role="viewer").json()
    assert listed == {"items": [brix, code, colour], "next_cursor": None}
    assert api.get("/custom-fields", params={"applies_to": "product"}).json()["items"] == [
        colour]
    assert api.get(f"/custom-fields/{brix['id']}", role="viewer").json() == brix
    renamed = api.patch(f"/custom-fields/{brix['id']}", role="manager",
                        json={"label": "Sugar (Brix)"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {**brix, "label": "Sugar (Brix)"}
    off = api.patch(f"/custom-fields/{colour['id']}", json={"active": False}).json()
    assert off["active"] is False
    with api.app.state.engine.connect() as conn:
        actions = conn.execute(select(t.audit_log.c.action).where(
            t.audit_log.c.org_id == api.tenant.org_id, t.audit_log.c.entity == "custom_field")
            .order_by(t.audit_log.c.id)).scalars().all()
    assert actions == ["create", "create", "create", "update", "update"]


def test_bad_definitions_are_refused_naming_the_field(api: Api) -> None:
    bad = assert_problem(api.post("/custom-fields", json={
        "label": "Shade", "applies_to": "order", "type": "colour"}), 422, "validation_error")
    assert sorted((e["field"], e["message"]) for e in bad["errors"]) == [
        ("applies_to", "unknown applies_to 'order'; expected one of batch, product, serial"),
        ("type", "unknown type 'colour'; expected one of date, number, text")]
    assert field_names(api.post("/custom-fields", json={"applies_to": "batch"})) == ["label"]
    define(api, label="Lot Code", applies_to="batch")
    clash = assert_problem(api.post("/custom-fields", json={
        "label": " lot code", "applies_to": "batch"}), 409, "conflict")
    assert clash["detail"] == "the lots already have a custom field labelled 'Lot Code'"
    # The same label on another kind of record is another field.
    define(api, label="Lot Code", applies_to="serial")
    assert_problem(api.post("/custom-fields", role="viewer", json={
        "label": "X", "applies_to": "batch"}), 403, "forbidden")
    missing = assert_problem(api.get("/custom-fields/nope"), 404, "not_found")
    assert missing["detail"] == "custom field not found: custom_field_id=nope"


def test_lot_values_name_definitions_and_are_checked_by_type(api: Api) -> None:
    code = define(api, label="Lot Code", applies_to="batch")["id"]
    brix = define(api, label="Brix", applies_to="batch", type="number")["id"]
    packed = define(api, label="Packed on", applies_to="batch", type="date")["id"]
    colour = define(api, label="Colour", applies_to="product")["id"]
    product = api.product()
    lot = api.batch(product["id"], "CF-1", custom_fields=[
        {"custom_field_id": code, "value": "LC-1"}, {"label": "brix", "value": "12.50"},
        {"custom_field_id": packed, "label": "stale label", "value": "2026-02-03"}])
    assert lot["custom_fields"] == [
        {"custom_field_id": code, "label": "Lot Code", "value": "LC-1"},
        {"custom_field_id": brix, "label": "Brix", "value": "12.5"},
        {"custom_field_id": packed, "label": "Packed on", "value": "2026-02-03"}]
    bad = assert_problem(api.patch(f"/batches/{lot['id']}", json={"custom_fields": [
        {"custom_field_id": "6780203000000176175", "value": "x"},
        {"custom_field_id": brix, "value": "sweet"},
        {"custom_field_id": packed, "value": "03/02/2026"},
        {"custom_field_id": colour, "value": "red"},
        {"label": "Grade", "value": "A"}]}), 422, "validation_error")
    assert [(e["field"], e["message"]) for e in bad["errors"]] == [
        ("custom_fields.0.custom_field_id", "unknown custom field '6780203000000176175'; the "
         "lots' custom fields are 'Brix', 'Lot Code', 'Packed on'"),
        ("custom_fields.1.value", "must be a number"),
        ("custom_fields.2.value", "must be a date YYYY-MM-DD"),
        ("custom_fields.3.custom_field_id", "custom field 'Colour' applies to products, not "
         "lots"),
        ("custom_fields.4.label", "no custom field labelled 'Grade' for lots (they are 'Brix', "
         "'Lot Code', 'Packed on'); an admin or manager defines it first")]
    twice = assert_problem(api.patch(f"/batches/{lot['id']}", json={"custom_fields": [
        {"custom_field_id": code, "value": "a"}, {"label": "LOT CODE", "value": "b"}]}),
        422, "validation_error")
    assert [(e["field"], e["message"]) for e in twice["errors"]] == [
        ("custom_fields.1", "custom field 'Lot Code' is given twice")]
    assert api.get(f"/batches/{lot['id']}").json()["custom_fields"] == lot["custom_fields"]


def test_rename_shows_everywhere_and_delete_needs_no_values(api: Api) -> None:
    code = define(api, label="Lot Code", applies_to="batch")["id"]
    spare = define(api, label="Spare", applies_to="batch")["id"]
    product = api.product()
    lot = api.batch(product["id"], "CF-2", custom_fields=[{"custom_field_id": code,
                                                           "value": "LC-2"}])
    api.patch(f"/custom-fields/{code}", json={"label": "Supplier lot code"})
    assert api.get(f"/batches/{lot['id']}").json()["custom_fields"] == [
        {"custom_field_id": code, "label": "Supplier lot code", "value": "LC-2"}]
    used = assert_problem(api.delete(f"/custom-fields/{code}"), 409, "conflict")
    assert used["detail"] == ("custom field 'Supplier lot code' has values on 1 lot; "
                              "deactivate it instead (active=false)")
    retype = assert_problem(api.patch(f"/custom-fields/{code}", json={"type": "number"}),
                            409, "conflict")
    assert retype["detail"] == ("custom field 'Supplier lot code' has values on 1 lot; its "
                                "type cannot change")
    assert api.patch(f"/custom-fields/{code}", json={"active": False}).status_code == 200
    # A lot keeps the value it has of an inactive field; it takes no new one.
    kept = api.patch(f"/batches/{lot['id']}", json={"custom_fields": [
        {"custom_field_id": code, "value": "LC-2"}]})
    assert kept.status_code == 200, kept.text
    refused = assert_problem(api.patch(f"/batches/{lot['id']}", json={"custom_fields": [
        {"custom_field_id": code, "value": "LC-3"}]}), 422, "validation_error")
    assert refused["errors"][0]["field"] == "custom_fields.0"
    assert api.delete(f"/custom-fields/{spare}", role="manager").status_code == 204
    assert_problem(api.get(f"/custom-fields/{spare}"), 404, "not_found")
    assert_problem(api.delete(f"/custom-fields/{code}", role="viewer"), 403, "forbidden")


def test_another_organizations_fields_are_unknown(api: Api, other: Api) -> None:
    theirs = define(other, role="admin", label="Lot Code", applies_to="batch")["id"]
    assert_problem(api.get(f"/custom-fields/{theirs}"), 404, "not_found")
    product = api.product()
    bad = assert_problem(api.post("/batches", json={
        "product_id": product["id"], "batch_number": "CF-3",
        "custom_fields": [{"custom_field_id": theirs, "value": "x"}]}), 422, "validation_error")
    assert [e["field"] for e in bad["errors"]] == ["custom_fields.0.custom_field_id"]


def test_products_and_serials_carry_values_of_their_own_fields(api: Api) -> None:
    colour = define(api, label="Colour", applies_to="product")["id"]
    weight = define(api, label="Weight kg", applies_to="product", type="number")["id"]
    fw = define(api, label="Firmware", applies_to="serial")["id"]
    made = api.post("/products", role="manager", json={
        "sku": "CF-P", "name": "Pen", "custom_fields": [
            {"custom_field_id": colour, "value": "blue"}, {"label": "weight KG",
                                                            "value": "0.0200"}]})
    assert made.status_code == 201, made.text
    product = made.json()
    assert product["custom_fields"] == [
        {"custom_field_id": colour, "label": "Colour", "value": "blue"},
        {"custom_field_id": weight, "label": "Weight kg", "value": "0.02"}]
    assert api.get(f"/products/{product['id']}", role="viewer").json() == product
    wrong = assert_problem(api.patch(f"/products/{product['id']}", json={
        "custom_fields": [{"custom_field_id": fw, "value": "1.0"}]}), 422, "validation_error")
    assert [(e["field"], e["message"]) for e in wrong["errors"]] == [
        ("custom_fields.0.custom_field_id", "custom field 'Firmware' applies to serials, not "
                                            "products")]
    cleared = api.patch(f"/products/{product['id']}", json={"custom_fields": []}).json()
    assert cleared["custom_fields"] == []

    serial = api.serial(product_id=api.product("serial")["id"])
    path = f"/serials/{serial['id']}/custom-fields"
    assert api.get(path, role="viewer").json() == {"serial_id": serial["id"],
                                                   "custom_fields": []}
    put = api.call("PUT", path, role="manager", json={"custom_fields": [
        {"custom_field_id": fw, "value": "2.4.1"}]})
    assert put.status_code == 200, put.text
    assert put.json() == {"serial_id": serial["id"], "custom_fields": [
        {"custom_field_id": fw, "label": "Firmware", "value": "2.4.1"}]}
    assert api.get(path).json() == put.json()
    unknown = assert_problem(api.call("PUT", path, json={"custom_fields": [
        {"custom_field_id": "nope", "value": "x"}]}), 422, "validation_error")
    assert [e["field"] for e in unknown["errors"]] == ["custom_fields.0.custom_field_id"]
    assert_problem(api.call("PUT", path, role="viewer", json={"custom_fields": []}), 403,
                   "forbidden")
    assert_problem(api.get("/serials/00000000-0000-7000-8000-000000000000/custom-fields"),
                   404, "not_found")
    assert api.get(path).json() == put.json()
