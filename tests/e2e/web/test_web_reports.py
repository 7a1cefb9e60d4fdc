"""/reports: seed 002's serial number location and lot movement history on a page, filtered,
paged, and downloaded whole as CSV, XLSX and JSON."""

from __future__ import annotations

import io
import json

import openpyxl
from fastapi.testclient import TestClient
from web_kit import World, login


def test_serial_number_location_page(client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    lot = world.ids["lot"]
    page = client.get(f"/reports?report=serial-number-location&product_id="
                      f"{world.ids['scanner']}&batch_id={lot}&status=ALLOCATED")
    assert page.status_code == 200, page.text
    assert '<a href="/reports" aria-current="page">Reports</a>' in page.text
    allocated = [s for s in world.svc.serials.search(batch_id=lot, limit=500).items
                 if s.status.value == "ALLOCATED"]
    assert page.text.count('data-badge="ALLOCATED"') == len(allocated) == 2
    for unit in allocated:
        assert f'<a href="/serials/{unit.id}" class="mono">{unit.serial_number}</a>' in page.text
    csv = client.get(f"/reports/download?report=serial-number-location&batch_id={lot}"
                     "&format=csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    lines = csv.text.splitlines()
    assert len(lines) - 1 == world.svc.serials.counts(world.ids["scanner"])["ALL"]
    assert lines[1].split(",")[3] == world.numbers["lot"]
    xlsx = client.get(f"/reports/download?report=serial-number-location&batch_id={lot}"
                      "&format=xlsx&status=ALLOCATED")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        unit.serial_number for unit in allocated)
    wrong = client.get("/reports?report=serial-number-location&cursor=garbage")
    assert "cursor: is not a cursor this server issued" in wrong.text


def test_lot_movement_history_page(client: TestClient, world: World) -> None:
    login(client, world.usernames["viewer"])
    lot = world.ids["pill_soon"]
    page = client.get(f"/reports?report=lot-movement-history&batch_id={lot}&kind=receipt")
    assert page.status_code == 200
    assert 'data-report="lot-movement-history"' in page.text
    body = json.loads(client.get(f"/reports/download?report=lot-movement-history&batch_id={lot}"
                                 "&kind=receipt&format=json").text)
    assert body["name"] == "lot-movement-history"
    assert {row["kind"] for row in body["items"]} == {"receipt"}
    assert {row["batch_id"] for row in body["items"]} == {lot}
    assert [(row["kind"], row["quantity"], row["to_location"]) for row in body["items"]] == [
        ("receipt", 20, "MAIN/STOCK")]
    assert page.text.count('<td data-label="Movement">receipt</td>') == 1
    # A receipt comes from nowhere and names no order: an empty value shows as a dash.
    assert page.text.count('<td data-label="From">—</td>') == 1
    assert page.text.count('<td data-label="Order">—</td>') == 1
    dated = client.get("/reports?report=lot-movement-history&start=2000-01-02&end=2000-01-01")
    assert "end: 2000-01-01 is before start 2000-01-02" in dated.text
