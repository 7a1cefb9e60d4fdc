"""`lotline suppliers|customers|warehouses add|update` take phone, GLN and address options;
a bad GLN is one stderr line naming `gln`, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import Run, data_error, make_cli, ok


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    return make_cli(f"sqlite:///{tmp_path / 'parties.db'}")


PLACE = ("--phone", "+1 831 555 0100", "--street", "1 Harbour Road", "--city", "Salinas",
         "--region", "CA", "--postal-code", "93901", "--country", "US")


def test_parties_and_warehouses_take_gln_and_address(cli: Run) -> None:
    supplier = json.loads(ok(cli("suppliers", "add", "Green Farms", "--code", "GF",
                                 "--gln", "0614141000005", *PLACE, "-f", "json")))
    assert (supplier["gln"], supplier["phone"], supplier["address"]) == (
        "0614141000005", "+1 831 555 0100",
        {"street": "1 Harbour Road", "city": "Salinas", "postal_code": "93901",
         "country": "US", "region": "CA"})
    changed = json.loads(ok(cli("suppliers", "update", "GF", "--region", "NV", "-f", "json")))
    assert (changed["address"]["region"], changed["address"]["city"]) == ("NV", "Salinas")
    table = ok(cli("suppliers", "list"))
    assert "1 Harbour Road, 93901 Salinas, NV, US" in table and "0614141000005" in table
    ok(cli("customers", "add", "Bolt Retail", "--code", "BOLT"))
    customer = json.loads(ok(cli("customers", "update", "bolt", "--gln", "9506000134352",
                                 "--city", "Portland", "-f", "json")))
    assert (customer["gln"], customer["address"]["city"]) == ("9506000134352", "Portland")
    warehouse = json.loads(ok(cli("warehouses", "add", "EAST", "--name", "East DC",
                                  "--gln", "4012345000009", *PLACE, "-f", "json")))
    assert (warehouse["code"], warehouse["gln"], warehouse["address"]["region"]) == (
        "EAST", "4012345000009", "CA")
    updated = json.loads(ok(cli("warehouses", "update", "main", "--gln", "9521000000018",
                                "-f", "json")))
    assert (updated["code"], updated["gln"]) == ("MAIN", "9521000000018")
    assert "East DC" in ok(cli("warehouses", "list"))


def test_a_bad_gln_is_one_line_naming_the_field(cli: Run) -> None:
    assert "gln: has a wrong check digit" in data_error(
        cli("suppliers", "add", "Green Farms", "--gln", "0614141000006"))
    assert "gln: must be 13 digits" in data_error(
        cli("warehouses", "update", "MAIN", "--gln", "12"))
    assert json.loads(ok(cli("suppliers", "list", "-f", "json"))) == []


def test_import_and_export_of_parties_and_warehouses(cli: Run, tmp_path: Path) -> None:
    source = tmp_path / "suppliers.csv"
    source.write_text("name,code,phone,gln,street,city,state,zip,country\n"
                      "Green Farms,GF,831 555 0199,0614141000005,1 Harbour Road,Salinas,CA,"
                      "93901,US\n", encoding="utf-8")
    ok(cli("import", "suppliers", str(source)))
    assert ok(cli("export", "suppliers")).splitlines() == [
        "name,code,email,phone,gln,street,city,region,postal_code,country",
        "Green Farms,GF,,831 555 0199,0614141000005,1 Harbour Road,Salinas,CA,93901,US"]
    bad = tmp_path / "warehouses.csv"
    bad.write_text("code,name,gln\nEAST,East DC,0614141000006\n", encoding="utf-8")
    assert "1 problem; nothing was imported" in cli("import", "warehouses", str(bad)).stderr
    target = tmp_path / "warehouses.xlsx"
    assert ok(cli("export", "warehouses", "-o", str(target))) == \
        f"exported 1 warehouses to {target}\n"
