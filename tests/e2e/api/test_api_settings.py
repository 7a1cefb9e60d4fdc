"""GET|PATCH /api/v1/settings (issue 16: settings had no REST door): every role reads, an admin
changes, a bad value is a 422 naming the field as sent, each change is in the audit log, and
the FEFO defaults fill what a new product does not say."""

from __future__ import annotations

from typing import Any

from api_kit import Api, assert_problem
from sqlalchemy import select

from lotline.adapters import tables as t

DEFAULTS = {"serial_scope": "organization", "timezone": "UTC",
            "digital_link_domain": "https://id.gs1.org", "default_removal_strategy": "fefo",
            "default_expiry_alert_days": 30}


def audit_rows(api: Api) -> list[Any]:
    with api.app.state.engine.connect() as conn:
        return list(conn.execute(select(t.audit_log.c.actor, t.audit_log.c.before,
                                        t.audit_log.c.after).where(
            t.audit_log.c.org_id == api.tenant.org_id,
            t.audit_log.c.entity == "settings")))


def test_every_role_reads_the_settings(api: Api) -> None:
    for role in ("admin", "manager", "viewer"):
        response = api.get("/settings", role=role)
        assert response.status_code == 200, response.text
        assert response.json() == DEFAULTS
    assert_problem(api.get("/settings", role=None), 401, "unauthorized")


def test_an_admin_changes_settings_and_the_change_is_audited(api: Api) -> None:
    changed = api.patch("/settings", json={"time_zone": "Europe/Lisbon",
                                           "digital_link_domain": "https://id.example.com/",
                                           "default_removal_strategy": "FIFO",
                                           "default_expiry_alert_days": 14})
    assert changed.status_code == 200, changed.text
    expected = {**DEFAULTS, "timezone": "Europe/Lisbon",
                "digital_link_domain": "https://id.example.com",
                "default_removal_strategy": "fifo", "default_expiry_alert_days": 14}
    assert changed.json() == expected
    assert api.get("/settings", role="viewer").json() == expected
    [(actor, before, after)] = audit_rows(api)
    assert actor == api.tenant.usernames["admin"]
    # The audit row keeps only the fields that changed (issue 14: before/after of the change).
    changed_names = {name for name in expected if expected[name] != DEFAULTS[name]}
    assert (before, after) == ({name: DEFAULTS[name] for name in changed_names},
                               {name: expected[name] for name in changed_names})
    # The same values again change nothing and write no audit row.
    assert api.patch("/settings", json={"timezone": "Europe/Lisbon"}).json() == expected
    assert len(audit_rows(api)) == 1


def test_bad_values_are_422_naming_each_field_and_change_nothing(api: Api) -> None:
    body = assert_problem(api.patch("/settings", json={
        "time_zone": "Mars/Olympus", "serial_scope": "galaxy",
        "digital_link_domain": "ftp://x", "default_removal_strategy": "random"}),
        422, "validation_error")
    assert sorted((e["field"], e["message"]) for e in body["errors"]) == [
        ("default_removal_strategy", "unknown default_removal_strategy 'random'; expected one "
                                     "of fefo, fifo, lifo"),
        ("digital_link_domain", "must be an http(s) URL like https://id.example.com"),
        ("serial_scope", "unknown serial_scope 'galaxy'; expected one of organization, "
                         "product"),
        ("time_zone", "unknown time zone 'Mars/Olympus'; use an IANA name such as "
                      "Europe/Lisbon"),
    ]
    unknown = assert_problem(api.patch("/settings", json={"colour": "blue"}), 422,
                             "validation_error")
    assert [e["field"] for e in unknown["errors"]] == ["colour"]
    negative = assert_problem(api.patch("/settings", json={"default_expiry_alert_days": -1}),
                              422, "validation_error")
    assert [e["field"] for e in negative["errors"]] == ["default_expiry_alert_days"]
    assert api.get("/settings").json() == DEFAULTS
    assert audit_rows(api) == []


def test_only_an_admin_changes_settings(api: Api) -> None:
    for role in ("manager", "viewer"):
        assert_problem(api.patch("/settings", role=role, json={"timezone": "Europe/Lisbon"}),
                       403, "forbidden")
    assert api.get("/settings").json() == DEFAULTS


def test_the_fefo_defaults_fill_what_a_new_product_does_not_say(api: Api) -> None:
    assert api.patch("/settings", json={"default_removal_strategy": "lifo",
                                        "default_expiry_alert_days": 7}).status_code == 200
    plain = api.product()
    assert (plain["removal_strategy"], plain["expiry_alert_days"]) == ("lifo", 7)
    explicit = api.product(removal_strategy="fefo", expiry_alert_days=45)
    assert (explicit["removal_strategy"], explicit["expiry_alert_days"]) == ("fefo", 45)
