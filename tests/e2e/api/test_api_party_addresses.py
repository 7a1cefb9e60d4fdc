"""/suppliers, /customers and /warehouses take and show a full address (with region), a phone
and a GLN; a GLN with a wrong check digit is a 422 problem naming `gln`."""

from __future__ import annotations

from api_kit import Api

ADDRESS = {"street": "1 Harbour Road", "city": "Salinas", "region": "CA",
           "postal_code": "93901", "country": "US"}


def test_a_supplier_with_gln_and_address(api: Api) -> None:
    body = api.created("/suppliers", {"name": "Green Farms", "phone": "+1 831 555 0100",
                                      "gln": "0614141000005", "address": ADDRESS})
    assert (body["gln"], body["phone"], body["address"]) == (
        "0614141000005", "+1 831 555 0100", ADDRESS)
    patched = api.patch(f"/suppliers/{body['id']}", json={"address": {"region": "NV"}})
    assert patched.status_code == 200
    assert patched.json()["address"] == {**ADDRESS, "region": "NV"}


def test_a_bad_gln_is_a_422_naming_the_field(api: Api) -> None:
    for path in ("/suppliers", "/customers"):
        response = api.post(path, json={"name": "X", "gln": "0614141000006"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
            ("gln", "has a wrong check digit")]
        assert api.get(path).json()["items"] == []
    response = api.post("/warehouses", json={"code": "EAST", "gln": "12345"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["gln"]


def test_a_warehouse_with_gln_and_address(api: Api) -> None:
    body = api.created("/warehouses", {"code": "EAST", "name": "East DC", "gln": "4012345000009",
                                       "phone": "+1 555 0101", "address": ADDRESS})
    assert (body["code"], body["name"], body["gln"], body["phone"], body["address"]) == (
        "EAST", "East DC", "4012345000009", "+1 555 0101", ADDRESS)
    patched = api.patch(f"/warehouses/{body['id']}", json={"gln": "9506000134352"})
    assert patched.status_code == 200
    assert (patched.json()["gln"], patched.json()["name"]) == ("9506000134352", "East DC")
    bad = api.patch(f"/warehouses/{body['id']}", json={"gln": "9506000134353"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "gln"
    assert api.get(f"/warehouses/{body['id']}").json()["gln"] == "9506000134352"


def test_parties_and_warehouses_through_the_files(api: Api) -> None:
    imported = api.post("/imports/warehouses",
                        content=b"code,name,gln,city,region\nEAST,East DC,4012345000009,"
                                b"Salinas,CA\n")
    assert imported.status_code == 201, imported.text
    assert imported.json()["written"] == 1
    exported = api.get("/exports/warehouses")
    assert exported.status_code == 200
    assert exported.text.splitlines()[1:] == [
        "MAIN,Main warehouse,,,,,,,", "EAST,East DC,,4012345000009,,Salinas,CA,,"]
    bad = api.post("/imports/customers", content=b"name,gln\nBolt,123\n")
    assert bad.status_code == 422
    assert [(e["field"], e["message"]) for e in bad.json()["errors"]] == [
        ("row 2, gln", "must be 13 digits (a GS1 GLN)")]
