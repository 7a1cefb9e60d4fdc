"""Suppliers, customers and warehouses go out and come back through the files (CSV, XLSX)
with their address, phone and GLN, on SQLite and PostgreSQL; a bad GLN or a code already in
use is a row error and nothing is written."""

from __future__ import annotations

import io
from typing import Any

import pytest

from lotline.domain.exchange import ImportFailed

SUPPLIERS_CSV = (
    "name,code,email,phone,gln,street,city,region,postal_code,country\n"
    "Green Farms,GF,ops@greenfarms.example,+1 831 555 0199,0614141000005,1 Harbour Road,"
    "Salinas,CA,93901,US\n"
    "Hill Grove,,,,,,,,,PT\n")


def test_parties_and_warehouses_round_trip(database: Any) -> None:
    first, second = database.services(), database.services()
    assert first.imports.suppliers(io.BytesIO(SUPPLIERS_CSV.encode())).written == 2
    # A phone starting with `+` goes out with the `'` that keeps spreadsheets from reading a
    # formula, and comes back without it.
    assert first.exports.to_bytes("suppliers").decode() == SUPPLIERS_CSV.replace(
        ",+1 831", ",'+1 831")
    first.customers.create_customer(name="Bolt Retail", code="BOLT", gln="9521000000018",
                                    min_remaining_shelf_life_days=5,
                                    address={"region": "OR", "country": "US"})
    first.warehouses.update(first.warehouses.default().id, gln="4012345000009",
                            city="Salinas")
    first.warehouses.create_warehouse("EAST", "East DC", phone="+1 555 0101")
    for entity in ("suppliers", "customers"):
        data = first.exports.to_bytes(entity, "xlsx")
        assert getattr(second.imports, entity)(io.BytesIO(data), file_format="xlsx").ok
        assert second.exports.to_bytes(entity) == first.exports.to_bytes(entity)
    warehouses = first.exports.to_bytes("warehouses").decode()
    assert warehouses.splitlines() == [
        "code,name,phone,gln,street,city,region,postal_code,country",
        "MAIN,Main warehouse,,4012345000009,,Salinas,,,",
        "EAST,East DC,'+1 555 0101,,,,,,"]
    # MAIN exists in every organization: only EAST can come in.
    with pytest.raises(ImportFailed) as caught:
        second.imports.warehouses(io.BytesIO(warehouses.encode()))
    assert [(e.row, e.column, e.reason) for e in caught.value.report.errors] == [
        (2, "code", "already used by one of the warehouses")]
    east_only = "\n".join(warehouses.splitlines()[::2]) + "\n"
    assert second.imports.warehouses(io.BytesIO(east_only.encode())).written == 1
    assert second.suppliers.list(q="GF").items[0].phone == "+1 831 555 0199"
    east = second.warehouses.by_code("EAST")
    assert (east.name, east.phone) == ("East DC", "+1 555 0101")
    assert [len(second.warehouses.list_locations(warehouse_id=east.id).items)] == [
        len(first.warehouses.list_locations(
            warehouse_id=first.warehouses.by_code("EAST").id).items)]


def test_a_bad_gln_or_a_repeated_code_writes_nothing(database: Any) -> None:
    svc = database.services()
    svc.customers.create_customer(name="Bolt Retail", code="BOLT")
    data = ("name,code,gln,state,zip\n"
            "Cash Cafe,CASH,0614141000006,OR,97401\n"
            "Bolt Two,bolt,,,\n"
            ",X,,,\n"
            "Dup,CASH,,,\n")
    report = svc.imports.customers(io.BytesIO(data.encode()), dry_run=True)
    assert [(e.row, e.column, e.value, e.reason) for e in report.errors] == [
        (2, "gln", "0614141000006", "has a wrong check digit"),
        (3, "code", "bolt", "already used by one of the customers"),
        (4, "name", None, "is required")]
    assert report.written == 0
    with pytest.raises(ImportFailed):
        svc.imports.customers(io.BytesIO(data.encode()))
    assert [c.code for c in svc.customers.list().items] == ["BOLT"]
    fixed = "name,code,gln,state,zip\nCash Cafe,CASH,0614141000005,OR,97401\n"
    assert svc.imports.customers(io.BytesIO(fixed.encode())).written == 1
    cash = svc.customers.list(q="CASH").items[0]
    assert (cash.gln, cash.address.region, cash.address.postal_code) == (
        "0614141000005", "OR", "97401")
