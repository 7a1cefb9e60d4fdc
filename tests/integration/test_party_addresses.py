"""Suppliers, customers and warehouses carry the location description FSMA 204 asks for
(business name, phone, street, city, region, postal code, country) and an optional GS1 GLN
(13 digits, check digit verified): through the library, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from lotline.bootstrap import Services
from lotline.domain.errors import ValidationError
from lotline.domain.model import Address

ADDRESS = {"street": "1 Harbour Road", "city": "Salinas", "region": "CA",
           "postal_code": "93901", "country": "US"}


def test_a_supplier_keeps_its_address_and_gln(svc: Services) -> None:
    supplier = svc.suppliers.create_supplier(name="Green Farms", phone="+1 831 555 0100",
                                             gln="0614141000005", address=ADDRESS)
    again = svc.suppliers.get(supplier.id)
    assert again.gln == "0614141000005"
    assert again.phone == "+1 831 555 0100"
    assert again.address == Address(street="1 Harbour Road", city="Salinas",
                                    postal_code="93901", country="US", region="CA")
    changed = svc.suppliers.update(supplier.id, gln=" 9506000134352 ", region="NV")
    assert (changed.gln, changed.address.region, changed.address.city) == (
        "9506000134352", "NV", "Salinas")
    assert svc.suppliers.update(supplier.id, gln=None).gln is None


@pytest.mark.parametrize(("gln", "message"), [
    ("0614141000006", "has a wrong check digit"),
    ("061414100000", "must be 13 digits (a GS1 GLN)"),
    ("06141410000050", "must be 13 digits (a GS1 GLN)"),
    ("061414100000A", "must be 13 digits (a GS1 GLN)"),
])
def test_a_bad_gln_names_the_field_and_changes_nothing(svc: Services, gln: str,
                                                       message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.customers.create_customer(name="Bolt Retail", gln=gln)
    assert [(e.field, e.message) for e in caught.value.errors] == [("gln", message)]
    assert svc.customers.list().items == []
    customer = svc.customers.create_customer(name="Bolt Retail", address={"region": "OR"})
    with pytest.raises(ValidationError) as caught:
        svc.customers.update(customer.id, gln=gln, city="Portland")
    assert caught.value.errors[0].field == "gln"
    assert svc.customers.get(customer.id).address == Address(region="OR")


def test_a_warehouse_is_described_like_a_party(svc: Services) -> None:
    warehouse = svc.warehouses.create_warehouse("east", "East DC", phone="+1 555 0101",
                                                gln="4012345000009", address=ADDRESS)
    assert (warehouse.code, warehouse.name, warehouse.phone, warehouse.gln) == (
        "EAST", "East DC", "+1 555 0101", "4012345000009")
    assert warehouse.address.region == "CA"
    changed = svc.warehouses.update(warehouse.id, city="Monterey", name="East site")
    assert (changed.name, changed.address.city, changed.address.street, changed.gln) == (
        "East site", "Monterey", "1 Harbour Road", "4012345000009")
    assert svc.warehouses.by_code("east").id == warehouse.id
    with pytest.raises(ValidationError) as caught:
        svc.warehouses.update(warehouse.id, gln="4012345000008")
    assert caught.value.errors[0].field == "gln"
    with pytest.raises(ValidationError) as caught:
        svc.warehouses.create_warehouse("west", gln="123", colour="red")
    assert sorted(e.field for e in caught.value.errors) == ["colour"]
    assert [w.code for w in svc.warehouses.list().items] == ["MAIN", "EAST"]
    main = svc.warehouses.default()
    assert (main.gln, main.phone, main.address) == (None, None, Address())
