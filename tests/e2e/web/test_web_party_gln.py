"""Issue 15 item 1 in the web forms: suppliers and customers take a phone, a full address
(with the region) and a GLN checked as the service checks it (13 digits, GS1 check digit),
and a bad value is said in words beside its field while nothing changes."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_kit import World, login, post, unique

GLN = "4006381333931"  # valid GS1 check digit
ADDRESS = {"phone": "+33 4 72 00 00 00", "street": "12 rue Mercière", "city": "Lyon",
           "region": "Auvergne-Rhône-Alpes", "postal_code": "69002", "country": "FR"}


def _field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{name}">([^<]*)</p>', page)
    assert found, f"no error beside {name}"
    return html.unescape(found.group(1))


def _value(page: str, name: str) -> str:
    found = re.search(rf'<input id="f-{name}" name="{name}" [^>]*value="([^"]*)"', page)
    assert found, f"no input {name}"
    return html.unescape(found.group(1))


def test_supplier_form_offers_region_and_gln_and_saves_them(client: TestClient,
                                                            world: World) -> None:
    token = login(client, world.usernames["manager"])
    form = client.get("/suppliers/new").text
    assert '<label for="f-region">Region (optional)</label>' in form
    assert '<label for="f-gln">GLN (optional)</label>' in form
    name = unique("Lyon Foods")
    created = post(client, "/suppliers/new", token, name=name, gln=GLN, **ADDRESS)
    assert created.status_code == 303
    supplier = world.svc.suppliers.list(q=name).items[0]
    address = supplier.address
    assert (supplier.gln, supplier.phone, address.street, address.city, address.region,
            address.postal_code, address.country) == (
        GLN, "+33 4 72 00 00 00", "12 rue Mercière", "Lyon", "Auvergne-Rhône-Alpes",
        "69002", "FR")
    shown = client.get(f"/suppliers/{supplier.id}").text
    assert (_value(shown, "gln"), _value(shown, "region")) == (GLN, "Auvergne-Rhône-Alpes")


def test_a_wrong_gln_is_said_beside_the_field_and_changes_nothing(client: TestClient,
                                                                  world: World) -> None:
    token = login(client, world.usernames["manager"])
    supplier_id = world.ids["supplier"]
    wrong = post(client, f"/suppliers/{supplier_id}", token, name="Acme Parts",
                 gln="4006381333932", **ADDRESS)
    assert wrong.status_code == 422
    assert _field_error(wrong.text, "gln") == "GLN has a wrong check digit"
    assert _value(wrong.text, "gln") == "4006381333932"  # kept for the user to correct
    assert _value(wrong.text, "region") == "Auvergne-Rhône-Alpes"
    supplier = world.svc.suppliers.get(supplier_id)
    assert (supplier.gln, supplier.address.region) == (None, None)
    short = post(client, "/customers/new", token, name=unique("Shop"), gln="12345")
    assert short.status_code == 422
    assert _field_error(short.text, "gln") == "GLN must be 13 digits (a GS1 GLN)"
    letters = post(client, "/customers/new", token, name=unique("Shop"), gln="40063813339AB")
    assert _field_error(letters.text, "gln") == "GLN must be 13 digits (a GS1 GLN)"


def test_customer_form_saves_region_and_gln(client: TestClient, world: World) -> None:
    token = login(client, world.usernames["admin"])
    name = unique("Corner Shop")
    created = post(client, "/customers/new", token, name=name, gln=GLN, **ADDRESS,
                   min_remaining_shelf_life_days="15")
    assert created.status_code == 303
    customer = world.svc.customers.list(q=name).items[0]
    assert (customer.gln, customer.address.region, customer.address.postal_code,
            customer.min_remaining_shelf_life_days) == (GLN, "Auvergne-Rhône-Alpes",
                                                        "69002", 15)
    cleared = post(client, f"/customers/{customer.id}", token, name=name, gln="")
    assert cleared.status_code == 303
    assert world.svc.customers.get(customer.id).gln is None
