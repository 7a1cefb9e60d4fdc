"""The settings form of /admin (issue 16: settings had no door but the library): an admin
changes them, a bad time zone is said beside its field and changes nothing."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from web_kit import World, login, post

FORM = {"serial_scope": "organization", "timezone": "UTC",
        "digital_link_domain": "https://id.gs1.org", "default_removal_strategy": "fefo",
        "default_expiry_alert_days": "30"}


def test_an_admin_changes_the_settings_on_the_admin_page(client: TestClient,
                                                         world: World) -> None:
    token = login(client, world.usernames["admin"])
    page = client.get("/admin").text
    assert 'id="f-timezone" name="timezone" type="text" value="UTC"' in page
    bad = post(client, "/admin/settings", token, **{**FORM, "timezone": "Mars/Olympus",
                                                    "default_expiry_alert_days": "soon"})
    assert bad.status_code == 422
    errors = dict(re.findall(r'<p class="field-error" id="err-([a-z_]+)">([^<]*)</p>',
                             bad.text))
    assert {k: html.unescape(v) for k, v in errors.items()} == {
        "timezone": "unknown time zone 'Mars/Olympus'; use an IANA name such as Europe/Lisbon",
        "default_expiry_alert_days": "must be a whole number"}
    assert 'value="Mars/Olympus"' in bad.text
    assert world.svc.settings.get().timezone == "UTC"
    saved = post(client, "/admin/settings", token, **{**FORM, "timezone": "Europe/Lisbon",
                                                      "default_removal_strategy": "fifo"})
    assert (saved.status_code, saved.headers["location"]) == (303, "/admin?done=settings")
    settings = world.svc.settings.get()
    assert (settings.timezone, settings.default_removal_strategy.value) == ("Europe/Lisbon",
                                                                           "fifo")
    login(client, world.usernames["manager"])
    assert client.get("/admin").status_code == 403
