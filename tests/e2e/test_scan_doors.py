"""One scan resolver, four doors (DESIGN §6): the same text gives the same answer through the
library (`svc.scan.parse`), `POST /api/v1/scan`, `lotline scan` and the web scan box. The
corpus covers every input form, every FNC1 substitute and symbology identifier, valid and
invalid GS1 data (check digits of each keyed AI, dates, lengths, leftovers), Digital Link,
bracketed HRI, and plain serial and lot numbers."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.testing
from cli_kit import ENV
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import lotline
from lotline.bootstrap import Services
from lotline.domain import gs1
from lotline.domain.errors import LotlineError
from lotline.entrypoints.cli import app
from lotline.entrypoints.web.scanning import scan_target
from lotline.service_layer.scan import ScanResult

GS = "\x1d"
PEN = "09506000134352"
OIL = "04006381333931"
DM = "]d20109506000134352172712311" + "0LOT-A{sep}21SN1"
PASSWORD = "correct horse battery staple"
FIELDS = ("gtin", "lot", "serial", "expiry_date", "best_before", "production_date",
          "quantity", "count", "sscc", "content_gtin", "source", "form", "symbology")

# (input, what the library answers: a source, or the error code and the start of its message)
CORPUS: list[tuple[str, str]] = [
    # each FNC1 form DESIGN §6 lists, in a GS1 DataMatrix with its symbology identifier
    *[(DM.format(sep=sep), "gs1") for sep in (GS, "{GS}", "<GS>", "\u241d", "~", "|", "^")],
    ("010950600013435221SN1~17270101", "gs1"),  # the finding: no identifier, `~` for GS
    ("~010950600013435221SN1^17271231", "gs1"),  # a leading substitute is no data either
    (f"]C101{PEN}10LOT-A", "gs1"),
    (f"]e001{PEN}10LOT-A", "gs1"),
    (f"]Q301{PEN}21SN-2", "gs1"),
    (f"]J101{PEN}21SN-2", "gs1"),
    (f"]Q1https://id.gs1.org/01/{PEN}/10/LOT-A/21/SN1?17=271231", "gs1"),
    (f"]d1https://id.gs1.org/01/{PEN}/21/SN1", "gs1"),
    (f"https://id.gs1.org/01/{PEN}/10/LOT-A", "gs1"),
    (f"HTTPS://ID.GS1.ORG/01/{PEN}/10/lot-a", "gs1"),
    (f"(01){PEN}(17)271231(10)LOT-A(21)SN1", "gs1"),
    (f"(01) {OIL} (10) OIL-1 (30) 5", "gs1"),
    ("9506000134352", "gs1"),
    (PEN, "gs1"),
    ("4006381333931", "gs1"),
    (f"(00)106141412345678908(02){PEN}(37)12", "gs1"),
    (f"(01){OIL}(21)NOPE", "gs1"),
    (f"(01){PEN}(10)SHARED", "gs1"),
    (f"(01){PEN}(8004)ASSET-7", "gs1"),  # GIAI carries no check digit
    # plain serial and lot numbers
    ("SN1", "serial_number"),
    ("  SN-2\r\n", "serial_number"),
    ("A~B", "serial_number"),  # a substitute in a serial number that is no GS1 stays typed
    ("12|34", "serial_number"),
    ("10ABC", "serial_number"),  # GS1 only by accident
    ("96385074", "serial_number"),  # a valid GTIN-8 no product has
    ("lot-a", "lot_number"),
    ("OIL-1", "lot_number"),
    ("SHARED", "lot_number"),  # two lots: a warning naming both
    # refused, naming the problem
    ("DUP", "ambiguous: serial number 'DUP' matches 2 records: PEN (id "),
    ("hello world", "validation_error: data: unrecognised input"),
    ("]d2ZZZ", "validation_error: data: unrecognised input"),
    ("9506000134353", "validation_error: data: check digit: GTIN 9506000134353"),
    ("12345678", "validation_error: data: check digit: GTIN 12345678"),
    ("036000291453", "validation_error: data: check digit: GTIN 036000291453"),
    ("(00)106141412345678909", "validation_error: data: check digit: AI (00) SSCC"),
    (f"(01){PEN}(414)9506000134353", "validation_error: data: check digit: AI (414)"),
    ("(02)09506000134353(37)5", "validation_error: data: check digit: AI (02)"),
    (f"]d201{PEN[:-1]}310LOT-A", "validation_error: data: check digit: AI (01)"),
    ("(8017)950600013435200019", "validation_error: data: check digit: AI (8017)"),
    ("(402)95060001343520003", "validation_error: data: check digit: AI (402)"),
    (f"(01){PEN}(21)q'(\")*,:;<>_(10)L/26+b",
     "validation_error: data: leftover text: bracketed form: '(\")*,:;<>_' is left over"),
    (f"(01){PEN}(21)SN0001(ABC)",
     "validation_error: data: leftover text: bracketed form: '(ABC)' is left over"),
    (f"01{PEN}17271301", "validation_error: data: invalid date"),
    (f"01{PEN}10ABCDEFGHIJKLMNOPQRSTU", "validation_error: data: invalid length"),
    (f"https://id.gs1.org/01/{PEN}/21/SN1/10/LOT", "validation_error: data: qualifier order"),
]


class Doors:
    def __init__(self, url: str, svc: Services, api: TestClient, token: str) -> None:
        self.svc, self.api, self.token = svc, api, token
        runner = CliRunner(env=ENV)
        self.cli = lambda *args: runner.invoke(app, ["--database-url", url, *args])


@pytest.fixture(scope="module")
def doors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Doors]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('doors')) / 'doors.db'}"
    svc = lotline.create_services(url)
    _stock(svc)
    svc.users.create_user(username="floor", password=PASSWORD, role="manager")
    token = svc.users.create_api_key(username="floor", name="scanner-1")
    command = typer.main.get_command(app)
    with TestClient(lotline.create_app(url), follow_redirects=False) as client, \
            pytest.MonkeyPatch.context() as patch:
        # The command tree built once: Typer rebuilds it on every invoke (~0.6 s each).
        patch.setattr(typer.testing, "_get_command", lambda _: command)
        _login(client)
        yield Doors(url, svc, client, token)


def _stock(svc: Services) -> None:
    svc.settings.update(serial_scope="product")
    acme = svc.suppliers.create_supplier(name="Acme")
    pen = svc.products.create_product(sku="PEN", name="Pen", tracking="lot_serial", gtin=PEN)
    oil = svc.products.create_product(sku="OIL", name="Oil", tracking="lot", gtin=OIL)
    dig = svc.products.create_product(sku="DIG", name="Digits", tracking="serial")
    bt = svc.batch_tracking
    lot_a = bt.create_batch(product_id=pen.id, batch_number="LOT-A", quantity=10,
                            supplier_id=acme.id, expiry_date=dt.date(2027, 12, 31))
    svc.serials.register_many(["SN1", "SN-2", "DUP", "SN-9"], batch_id=lot_a.id)
    svc.serials.register_many(["A~B", "12|34", "10ABC", "96385074", "DUP"], product_id=dig.id)
    bt.create_batch(product_id=oil.id, batch_number="OIL-1", quantity=8)
    bt.create_batch(product_id=oil.id, batch_number="SHARED", quantity=2)
    bt.create_batch(product_id=pen.id, batch_number="SHARED", quantity=2, supplier_id=acme.id)


def _login(client: TestClient) -> None:
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    page = client.get("/login")
    found = token.search(page.text)
    assert found is not None
    response = client.post("/login", data={"username": "floor", "password": PASSWORD,
                                           "csrf_token": found.group(1)})
    assert response.status_code == 303, response.text


def _answer(fields: dict[str, Any], product: Any, batch: Any, serial: Any,
            warnings: list[str]) -> dict[str, Any]:
    return {**fields, "product": product, "batch": batch, "serial_record": serial,
            "warnings": warnings}


def library_answer(svc: Services, data: str) -> tuple[dict[str, Any], ScanResult | None]:
    try:
        result = svc.scan.parse(data)
    except LotlineError as error:
        return {"error": error.code, "message": error.message}, None
    fields = {name: getattr(result, name) for name in FIELDS}
    fields = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()}
    return _answer(fields, result.product.id if result.product else None,
                   result.batch.id if result.batch else None,
                   result.serial_record.id if result.serial_record else None,
                   [w.message for w in result.warnings]), result


def json_answer(body: dict[str, Any]) -> dict[str, Any]:
    def id_of(value: Any) -> Any:
        return value["id"] if value else None

    return _answer({name: body[name] for name in FIELDS}, id_of(body["product"]),
                   id_of(body["batch"]), id_of(body["serial_record"]),
                   [w["message"] for w in body["warnings"]])


def api_answer(doors: Doors, data: str) -> dict[str, Any]:
    response = doors.api.post("/api/v1/scan", json={"data": data},
                              headers={"Authorization": f"Bearer {doors.token}"})
    body = response.json()
    if response.status_code != 200:
        assert response.headers["content-type"] == "application/problem+json"
        return {"error": body["code"], "message": body["detail"]}
    return json_answer(body)


def cli_answer(doors: Doors, data: str) -> dict[str, Any]:
    result = doors.cli("scan", "--format", "json", "--", data)
    if result.exit_code != 0:
        assert result.exit_code == 1 and result.stdout == "", result.stdout
        code, message = result.stderr.strip().removeprefix("error: ").split(": ", 1)
        return {"error": code, "message": message}
    return json_answer(json.loads(result.stdout))


def web_check(doors: Doors, data: str, expected: dict[str, Any],
              result: ScanResult | None) -> None:
    """The scan box: a match opens its page, a refusal shows the message, a barcode naming
    nothing registered shows its fields and warnings."""
    response = doors.api.get("/scan", params={"data": data})
    if result is None:
        assert response.status_code == 422
        alert = re.search(r'role="alert"[^>]*>([^<]*)<', response.text)
        assert alert is not None and html.unescape(alert.group(1)) == expected["message"]
        return
    target = scan_target(result)
    if target is not None:
        assert (response.status_code, response.headers["location"]) == (303, target)
        return
    assert response.status_code == 200
    shown = html.unescape(response.text)
    for value in (result.gtin, result.lot, result.serial, result.sscc, *expected["warnings"]):
        if value:
            assert value in shown


@pytest.mark.parametrize(("data", "outcome"), CORPUS, ids=[repr(c[0]) for c in CORPUS])
def test_every_door_gives_the_same_answer(doors: Doors, data: str, outcome: str) -> None:
    expected, result = library_answer(doors.svc, data)
    if result is None:
        assert f"{expected['error']}: {expected['message']}".startswith(outcome), expected
    else:
        assert expected["source"] == outcome, expected
    assert api_answer(doors, data) == expected
    assert cli_answer(doors, data) == expected
    web_check(doors, data, expected, result)


def test_the_corpus_is_broad() -> None:
    assert len(CORPUS) >= 40
    for identifier in gs1.SYMBOLOGY_IDENTIFIERS:
        assert any(data.startswith(identifier) for data, _ in CORPUS), identifier
    for substitute in (*gs1.FNC1_SUBSTITUTES, GS):
        assert any(substitute in data for data, _ in CORPUS), substitute


def test_fnc1_substitutes_read_alike(doors: Doors) -> None:
    """Every substitute yields exactly the GS reading: product, lot, unit and fields."""
    answers = [library_answer(doors.svc, DM.format(sep=sep))[0]
               for sep in (GS, "{GS}", "<GS>", "\u241d", "~", "|", "^")]
    assert all(answer == answers[0] for answer in answers)
    first = answers[0]
    assert (first["gtin"], first["lot"], first["serial"], first["expiry_date"]) == (
        PEN, "LOT-A", "SN1", "2027-12-31")
    assert first["serial_record"] is not None and first["warnings"] == []


def test_api_pick_reads_the_keyboard_wedge_scan_the_scan_box_reads(doors: Doors) -> None:
    svc = doors.svc
    customer = svc.customers.create_customer(name="Bolt Retail")
    pen = svc.products.by_sku("PEN")
    order = svc.orders.create_order(reference="SO-9", customer_id=customer.id,
                                    lines=[{"product_id": pen.id, "quantity": 1}])
    svc.orders.allocate(order.id, lines=[{"line_id": order.lines[0].id,
                                          "serial_numbers": ["SN-9"]}])
    scan = f"01{PEN}21SN-9~17271231"
    assert api_answer(doors, scan)["serial_record"] == svc.serials.lookup("SN-9").id
    response = doors.api.post(f"/api/v1/orders/{order.id}/pick", json={"scans": [scan]},
                              headers={"Authorization": f"Bearer {doors.token}"})
    assert response.status_code == 200, response.text
    assert response.json()["lines"][0]["picked_quantity"] == 1
    assert svc.serials.lookup("SN-9").status.value == "PICKED"
