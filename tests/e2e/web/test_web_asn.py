"""A new receipt (ASN) without a browser: lines with expected serials pasted or uploaded
(CSV with a header, TXT), the quantity defaulting to their count, and errors said per line."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_kit import World, login, unique

from lotline.domain.statuses import SerialStatus


def _errors(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>',
                                                   page)]


def test_asn_with_pasted_and_uploaded_serials(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    reference, tag = unique("ASN"), unique("X")
    pasted = f"{tag}-001\n{tag}-002\n\n{tag}-003"
    upload = f"serial_number,note\n{tag}-101,a\n{tag}-102,b\n".encode()
    response = client.post("/receiving/new", data={
        "csrf_token": token, "reference": reference, "supplier_id": world.ids["supplier"],
        "warehouse_id": "", "product_id": [world.ids["scanner"], world.ids["scanner"],
                                           world.ids["pill"]],
        "quantity": ["", "5", "12"], "serials": [pasted, "", ""]},
        files=[("serials_file", ("empty", b"", "application/octet-stream")),
               ("serials_file", ("serials.csv", upload, "text/csv")),
               ("serials_file", ("", b"", "application/octet-stream"))])
    assert response.status_code == 303, response.text
    receipt = world.svc.receipts.by_reference(reference)
    assert response.headers["location"] == f"/receiving/{receipt.id}?created=1"
    lines = [(line.expected_quantity, sorted(line.expected_serials)) for line in receipt.lines]
    assert lines == [(3, [f"{tag}-001", f"{tag}-002", f"{tag}-003"]),
                     (5, [f"{tag}-101", f"{tag}-102"]), (12, [])]
    assert world.svc.serials.lookup(f"{tag}-102").status is SerialStatus.EXPECTED
    assert "Receipt created" in client.get(response.headers["location"]).text


def test_asn_errors_are_said_per_line_and_save_nothing(client: TestClient,
                                                       world: World) -> None:
    token = login(client, world.usernames["manager"])
    reference, tag = unique("ASN"), unique("Y")
    pill = world.svc.products.get(world.ids["pill"])
    scanner = world.svc.products.get(world.ids["scanner"])
    response = client.post("/receiving/new", data={
        "csrf_token": token, "reference": reference, "supplier_id": world.ids["supplier"],
        "product_id": [world.ids["pill"], world.ids["scanner"]], "quantity": ["2", "1"],
        "serials": [f"{tag}-1", f"{tag}-1\n{tag}-2"]})
    assert response.status_code == 422
    assert _errors(response.text) == [
        f"Line 1 ({pill.sku}): expected serials: product {pill.sku!r} takes no serials"]
    assert "lines.0" not in response.text
    assert world.svc.receipts.list(status="open").items == [
        world.svc.receipts.get(world.ids["receipt"])]
    too_many = client.post("/receiving/new", data={
        "csrf_token": token, "reference": reference, "supplier_id": world.ids["supplier"],
        "product_id": [world.ids["scanner"]], "quantity": ["1"],
        "serials": [f"{tag}-1\n{tag}-2"]})
    assert _errors(too_many.text) == [f"Line 1 ({scanner.sku}): expected serials: more "
                                      "serials than the expected quantity"]
    assert world.svc.serials.find(f"{tag}-1") is None


def test_asn_with_expected_lots_typed_per_line(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    reference = unique("ASN")
    pill = world.svc.products.get(world.ids["pill"])
    response = client.post("/receiving/new", data={
        "csrf_token": token, "reference": reference, "supplier_id": world.ids["supplier"],
        "product_id": [world.ids["pill"]], "quantity": ["50"], "serials": [""],
        "lots": ["L-1, 2031-03-31, 30\nL-2; 20\n\n"]})
    assert response.status_code == 303, _errors(response.text)
    line = world.svc.receipts.by_reference(reference).lines[0]
    assert [(lot.batch_number, str(lot.expiry_date), lot.quantity)
            for lot in line.expected_lots] == [("L-1", "2031-03-31", 30), ("L-2", "None", 20)]
    over = client.post("/receiving/new", data={
        "csrf_token": token, "reference": unique("ASN"), "supplier_id": world.ids["supplier"],
        "product_id": [world.ids["pill"]], "quantity": ["5"], "serials": [""],
        "lots": ["L-1, 2031-13-01, 3\nL-2, 4"]})
    assert _errors(over.text) == [
        f"Line 1 ({pill.sku}): expected lots expiry must be a date YYYY-MM-DD"]
