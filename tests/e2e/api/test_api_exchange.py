"""POST /scan, imports (multipart and raw uploads, dry runs), exports and labels over HTTP."""

from __future__ import annotations

import io

from api_kit import Api, assert_problem
from pypdf import PdfReader

GTIN = "09506000134352"
DM = "]d201095060001343521727123110LOT-A\x1d21SN-1"


def stocked(api: Api) -> tuple[str, str]:
    product = api.product(tracking="lot_serial", gtin=GTIN, sku="PEN")
    lot = api.batch(product["id"], "LOT-A", quantity=10, expiry_date="2027-12-31")
    return product["id"], lot["id"]


def test_scan(api: Api) -> None:
    product_id, lot_id = stocked(api)
    api.serial("SN-1", batch_id=lot_id)
    response = api.post("/scan", role="viewer", json={"data": DM})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("gtin", "lot", "serial", "expiry_date", "best_before",
                                 "production_date", "quantity", "count", "sscc",
                                 "content_gtin", "warnings", "source")} == {
        "gtin": GTIN, "lot": "LOT-A", "serial": "SN-1", "expiry_date": "2027-12-31",
        "best_before": None, "production_date": None, "quantity": None, "count": None,
        "sscc": None, "content_gtin": None, "warnings": [], "source": "gs1"}
    assert (body["product"]["id"], body["batch"]["id"]) == (product_id, lot_id)
    assert body["serial_record"]["status"] == "IN_STOCK"
    problem = assert_problem(api.post("/scan", json={"data": "9506000134353"}), 422,
                             "validation_error")
    assert problem["errors"][0]["message"].startswith("check digit")
    problem = assert_problem(api.post("/scan", json={"data": "hello"}), 422,
                             "validation_error")
    assert problem["errors"][0]["message"].startswith("unrecognised input")


def test_import_dry_run_then_real_then_export(api: Api) -> None:
    stocked(api)
    data = b"serial_number,lot,product\nSN-1,LOT-A,PEN\nSN-2,lot-a,PEN\n"
    dry = api.post("/imports/serials", params={"dry_run": "true"},
                   files={"file": ("serials.csv", data, "text/csv")})
    assert dry.status_code == 200, dry.text
    assert (dry.json()["rows"], dry.json()["written"], dry.json()["errors"]) == (2, 0, [])
    assert api.get("/serials/counts").json()["ALL"] == 0
    real = api.post("/imports/serials", content=data, headers={"content-type": "text/csv"})
    assert real.status_code == 201, real.text
    assert (real.json()["written"], real.json()["movements"]) == (2, 1)
    again = api.post("/imports/serials", files={"file": ("serials.csv", data, "text/csv")})
    problem = assert_problem(again, 422, "validation_error")
    assert [e["field"] for e in problem["errors"]] == ["row 2, serial_number",
                                                      "row 3, serial_number"]
    assert problem["errors"][0]["message"] == "already registered"
    exported = api.get("/exports/serials", role="viewer")
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.text.splitlines()[1:] == ["SN-1,PEN,LOT-A,,IN_STOCK,MAIN,STOCK,,,",
                                              "SN-2,PEN,LOT-A,,IN_STOCK,MAIN,STOCK,,,"]
    xlsx = api.get("/exports/lots", params={"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert api.post("/imports/serials", role="viewer", content=data).status_code == 403


def test_import_lots_and_products(api: Api) -> None:
    products = api.post("/imports/products", content=b"sku,name,tracking\nOIL,Oil,lot\n")
    assert products.status_code == 201, products.text
    lots = api.post("/imports/batches", content=b"product;lot;quantity\nOIL;L-1;5\n")
    assert (lots.status_code, lots.json()["written"]) == (201, 1)
    bad = api.post("/imports/lots", params={"dry_run": "true"}, content=b"")
    assert bad.status_code == 200
    assert bad.json()["errors"] == [{"row": 1, "column": None, "value": None,
                                     "reason": "the file is empty (0 bytes)"}]
    assert_problem(api.post("/imports/widgets", content=b"x"), 422, "validation_error")


def test_labels_pdf(api: Api) -> None:
    _, lot_id = stocked(api)
    for number in ("SN-1", "SN-2", "SN-3"):
        api.serial(number, batch_id=lot_id)
    response = api.get("/labels", role="viewer", params={"batch_id": lot_id, "what": "serials",
                                                          "layout": "a4-2x4"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    single = api.get("/labels", params={"batch_id": lot_id, "layout": "single", "copies": 2})
    assert len(PdfReader(io.BytesIO(single.content)).pages) == 2
    link = api.get("/digital-link", params={"batch_id": lot_id}).json()
    assert link == {"digital_link": f"https://id.gs1.org/01/{GTIN}/10/LOT-A?17=271231"}
    assert_problem(api.get("/labels", params={"batch_id": lot_id, "layout": "a0"}), 422,
                   "validation_error")
