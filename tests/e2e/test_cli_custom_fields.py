"""`lotline custom-fields list|create|update|delete|show|set` (issue 16), and the values shown
by `batches show`, `serials lookup` and `products add`."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import data_error, make_cli, ok, usage_error


def test_cli_custom_fields(tmp_path: Path) -> None:
    cli = make_cli(f"sqlite:///{tmp_path / 'fields.db'}")
    code = json.loads(ok(cli("custom-fields", "create", "Lot Code", "--applies-to", "lot",
                             "-f", "json")))
    assert {k: code[k] for k in ("label", "applies_to", "type", "active")} == {
        "label": "Lot Code", "applies_to": "batch", "type": "text", "active": True}
    ok(cli("custom-fields", "create", "Brix", "--applies-to", "batch", "--type", "number"))
    ok(cli("custom-fields", "create", "Lot Code", "--applies-to", "serial"))
    assert data_error(cli("custom-fields", "create", "lot code", "--applies-to", "batch")) == \
        "error: conflict: the lots already have a custom field labelled 'Lot Code'\n"
    assert data_error(cli("custom-fields", "create", "Shade", "--applies-to", "order")) == (
        "error: validation_error: applies_to: unknown applies_to 'order'; expected one of "
        "batch, product, serial\n")
    usage_error(cli("custom-fields", "create", "Shade"))
    listed = json.loads(ok(cli("custom-fields", "list", "-f", "json")))
    assert [(f["label"], f["applies_to"], f["type"]) for f in listed] == [
        ("Brix", "batch", "number"), ("Lot Code", "batch", "text"),
        ("Lot Code", "serial", "text")]
    assert "│ Lot Code │ serials    │ text   │ active │" in ok(cli("custom-fields", "list"))

    ok(cli("products", "add", "PEN", "Pen", "--tracking", "lot_serial"))
    ok(cli("batches", "create", "--product", "PEN", "--number", "L-1", "--quantity", "5"))
    values = json.loads(ok(cli("custom-fields", "set", "lot", "L-1", "lot code=LC-1",
                               "Brix=12.50", "-f", "json")))
    assert values == [{"label": "Lot Code", "value": "LC-1", "custom_field_id": code["id"]},
                      {"label": "Brix", "value": "12.5",
                       "custom_field_id": listed[0]["id"]}]
    assert data_error(cli("custom-fields", "set", "lot", "L-1", "Brix=sweet")) == \
        "error: validation_error: Brix: must be a number\n"
    assert data_error(cli("custom-fields", "set", "lot", "L-1", "Colour=red")) == (
        "error: validation_error: Colour: no custom field labelled 'Colour' for lots (they "
        "are 'Brix', 'Lot Code'); an admin or manager defines it first\n")
    assert data_error(cli("custom-fields", "update", "Lot Code", "--label", "X")).startswith(
        "error: ambiguous: custom field 'Lot Code' (name the kind with --applies-to) matches "
        "2 records: Lot Code for lots (id ")
    ok(cli("custom-fields", "update", "Lot Code", "--applies-to", "batch", "--label",
           "Supplier lot"))
    shown = ok(cli("batches", "show", "L-1"))
    assert "│ Supplier lot     │ LC-1" in shown and "│ Brix             │ 12.5" in shown
    assert data_error(cli("custom-fields", "delete", "Brix")) == (
        "error: conflict: custom field 'Brix' has values on 1 lot; deactivate it instead "
        "(active=false)\n")
    assert json.loads(ok(cli("custom-fields", "set", "lot", "L-1", "Brix=", "-f", "json"))) \
        == [{"label": "Supplier lot", "value": "LC-1", "custom_field_id": code["id"]}]
    assert ok(cli("custom-fields", "delete", "Brix")) == "custom field 'Brix' deleted\n"

    ok(cli("serials", "register", "SN-1", "--batch", "L-1"))
    ok(cli("custom-fields", "set", "serial", "SN-1", "Lot Code=abc"))
    assert "│ Lot Code        │ abc" in ok(cli("serials", "lookup", "SN-1"))
    assert json.loads(ok(cli("custom-fields", "show", "serial", "SN-1", "-f", "json")))[0][
        "value"] == "abc"
    ok(cli("custom-fields", "create", "Colour", "--applies-to", "product"))
    ok(cli("custom-fields", "set", "product", "PEN", "Colour=blue"))
    assert ok(cli("custom-fields", "show", "product", "PEN")).count("│ Colour │ blue  │") == 1
    ok(cli("custom-fields", "update", "Colour", "--inactive"))
    assert data_error(cli("custom-fields", "set", "product", "PEN", "Colour=red")) == (
        "error: validation_error: Colour: custom field 'Colour' is inactive: a record keeps "
        "the value it has, no new value is taken\n")
