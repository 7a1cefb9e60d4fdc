"""/admin/custom-fields and the lot page's custom fields (issue 16): a manager defines,
renames, deactivates and deletes fields; the lot page shows a lot's values and saves them,
an invalid value said in the field's own words; a viewer sees values but no forms."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_kit import World, login, post


def _alert(page: str) -> str:
    found = re.search(r'<div class="alert alert-(?:error|ok)" role="(?:alert|status)">([^<]*)'
                      r'</div>', page)
    assert found, "no alert on the page"
    return html.unescape(found.group(1))


def test_a_manager_defines_fields_and_fills_them_in_on_the_lot_page(
        client: TestClient, world: World) -> None:
    token = login(client, world.usernames["manager"])
    assert client.get("/admin/custom-fields").status_code == 200
    made = post(client, "/admin/custom-fields", token, label="Lot Code", applies_to="batch",
                type="text")
    assert (made.status_code, made.headers["location"]) == (
        303, "/admin/custom-fields?done=created")
    post(client, "/admin/custom-fields", token, label="Brix", applies_to="batch",
         type="number")
    clash = post(client, "/admin/custom-fields", token, label="lot code", applies_to="batch",
                 type="text")
    assert clash.status_code == 422
    assert re.search(r'id="err-label">the lots already have a custom field labelled '
                     r'&#39;Lot Code&#39;<', clash.text)
    page = client.get("/admin/custom-fields?done=created").text
    assert _alert(page) == "Custom field created."
    [code, brix] = [world.svc.custom_fields.list("batch")[i] for i in (1, 0)]
    assert (code.label, brix.label) == ("Lot Code", "Brix")

    lot = world.ids["lot"]
    lot_page = client.get(f"/lots/{lot}").text
    assert f'name="cf-{code.id}"' in lot_page and f'name="cf-{brix.id}"' in lot_page
    bad = post(client, f"/lots/{lot}/custom-fields", token,
               **{f"cf-{code.id}": "LC-7", f"cf-{brix.id}": "sweet"})
    assert bad.status_code == 422
    assert _alert(bad.text) == "Brix: must be a number"
    assert world.svc.batches.get(lot).custom_fields == []
    saved = post(client, f"/lots/{lot}/custom-fields", token,
                 **{f"cf-{code.id}": "LC-7", f"cf-{brix.id}": "12.50"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"/lots/{lot}?done=fields")
    assert [(f.label, f.value) for f in world.svc.batches.get(lot).custom_fields] == [
        ("Brix", "12.5"), ("Lot Code", "LC-7")]

    renamed = post(client, f"/admin/custom-fields/{code.id}", token, label="Supplier lot",
                   active="yes")
    assert renamed.status_code == 303
    login(client, world.usernames["viewer"])
    shown = client.get(f"/lots/{lot}").text
    assert '<dt>Supplier lot</dt><dd class="custom-field">LC-7</dd>' in shown
    assert '<dt>Brix</dt><dd class="custom-field">12.5</dd>' in shown
    assert f'name="cf-{code.id}"' not in shown
    assert client.get("/admin/custom-fields").status_code == 403


def test_delete_asks_for_confirmation_and_refuses_a_field_in_use(
        client: TestClient, world: World) -> None:
    token = login(client, world.usernames["admin"])
    used = world.svc.custom_fields.create(label="Grade", applies_to="batch")
    spare = world.svc.custom_fields.create(label="Spare", applies_to="serial")
    world.svc.batches.update(world.ids["lot"], custom_fields=[{"label": "Grade",
                                                                "value": "A"}])
    unconfirmed = post(client, f"/admin/custom-fields/{spare.id}/delete", token)
    assert unconfirmed.status_code == 422
    assert _alert(unconfirmed.text) == "Tick “delete for good” to delete the field."
    in_use = post(client, f"/admin/custom-fields/{used.id}/delete", token, confirm="yes")
    assert in_use.status_code == 409
    assert _alert(in_use.text) == ("Custom field 'Grade' has values on 1 lot; deactivate it "
                                   "instead (active=false)")
    gone = post(client, f"/admin/custom-fields/{spare.id}/delete", token, confirm="yes")
    assert (gone.status_code, gone.headers["location"]) == (
        303, "/admin/custom-fields?done=deleted")
    assert [d.label for d in world.svc.custom_fields.list()] == ["Grade"]
    off = post(client, f"/admin/custom-fields/{used.id}", token, label="Grade", active="no")
    assert off.status_code == 303
    assert world.svc.custom_fields.get(used.id).active is False
    page = client.get("/admin").text
    assert '<a href="/admin/custom-fields">Custom fields</a>' in page
