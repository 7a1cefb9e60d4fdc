"""`lotline settings get [KEY]|set KEY VALUE` (issue 16: settings had no CLI door)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import data_error, make_cli, ok, usage_error


def test_cli_settings_get_and_set(tmp_path: Path) -> None:
    cli = make_cli(f"sqlite:///{tmp_path / 'settings.db'}")
    assert json.loads(ok(cli("settings", "get", "--format", "json"))) == {
        "serial_scope": "organization", "timezone": "UTC",
        "digital_link_domain": "https://id.gs1.org", "default_removal_strategy": "fefo",
        "default_expiry_alert_days": 30}
    assert ok(cli("settings", "get", "timezone")) == "UTC\n"
    assert data_error(cli("settings", "set", "time_zone", "Mars/Olympus")) == (
        "error: validation_error: time_zone: unknown time zone 'Mars/Olympus'; use an IANA "
        "name such as Europe/Lisbon\n")
    assert data_error(cli("settings", "set", "default_expiry_alert_days", "soon")) == (
        "error: validation_error: default_expiry_alert_days: must be a whole number\n")
    assert data_error(cli("settings", "get", "colour")) == (
        "error: validation_error: colour: unknown setting; settings are serial_scope, "
        "timezone, digital_link_domain, default_removal_strategy, default_expiry_alert_days\n")
    assert ok(cli("settings", "get", "time_zone")) == "UTC\n"
    shown = ok(cli("settings", "set", "timezone", "Europe/Lisbon"))
    assert "│ timezone                  │ Europe/Lisbon      │" in shown
    assert ok(cli("settings", "set", "default_expiry_alert_days", "14", "-f", "json")) \
        .count('"default_expiry_alert_days": 14') == 1
    assert ok(cli("settings", "get", "default_expiry_alert_days")) == "14\n"
    ok(cli("products", "add", "OIL", "Olive oil", "--tracking", "lot"))
    [product] = json.loads(ok(cli("products", "list", "--format", "json")))
    assert (product["removal_strategy"], product["expiry_alert_days"]) == ("fefo", 14)
    usage_error(cli("settings", "set", "timezone"))
