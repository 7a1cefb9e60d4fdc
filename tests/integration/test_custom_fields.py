"""Custom field definitions through the library (issue 16): `svc.custom_fields`, typed
exceptions naming the field, values on lots, products and serials, renames reaching every
record, roles; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from lotline.adapters import tables as t
from lotline.bootstrap import Services
from lotline.domain.custom_fields import FieldEntity, FieldType
from lotline.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from lotline.domain.model import CustomField
from lotline.domain.statuses import Role
from support import Kit


def test_definitions_and_values_of_every_kind_of_record(svc: Services, kit: Kit) -> None:
    code = svc.custom_fields.create(label="Lot Code", applies_to="lot")
    weight = svc.custom_fields.create(label="Weight", applies_to="product", type="number")
    fw = svc.custom_fields.create(label="Firmware", applies_to="serial")
    assert (code.applies_to, code.type, code.active) == (FieldEntity.BATCH, FieldType.TEXT,
                                                         True)
    product = svc.products.create_product(sku="CF-1", name="Pen", tracking="lot_serial",
                                          custom_fields=[{"label": "weight",
                                                          "value": "1.250"}])
    assert product.custom_fields == [CustomField("Weight", "1.25", weight.id)]
    assert svc.products.get(product.id).custom_fields == product.custom_fields
    lot = svc.batches.create(product_id=product.id, batch_number="L-1", quantity=2,
                             custom_fields=[{"custom_field_id": code.id, "value": "LC-1"}])
    serial = svc.serials.register("SN-1", batch_id=lot.id)
    assert svc.custom_fields.set_serial_values(serial.id, [{"label": "firmware",
                                                             "value": "2.4"}]) == [
        CustomField("Firmware", "2.4", fw.id)]
    for definition, label in ((code, "Supplier lot"), (weight, "Net weight"),
                              (fw, "FW version")):
        svc.custom_fields.update(definition.id, label=label)
    assert svc.batches.get(lot.id).custom_fields == [CustomField("Supplier lot", "LC-1",
                                                                 code.id)]
    assert svc.products.get(product.id).custom_fields == [CustomField("Net weight", "1.25",
                                                                      weight.id)]
    assert svc.custom_fields.serial_values(serial.id) == [CustomField("FW version", "2.4",
                                                                      fw.id)]
    assert kit.count(t.audit_log, entity="custom_field") == 6  # 3 creates, 3 renames


def test_typed_errors_name_the_field_and_change_nothing(svc: Services, kit: Kit) -> None:
    made = svc.custom_fields.create(label="Packed on", applies_to="batch", type="date")
    lot = kit.lot(kit.product("lot"), "L-2")
    with pytest.raises(ValidationError) as caught:
        svc.batches.update(lot.id, batch_custom_fields=[
            {"custom_field_id": made.id, "value": "31/12/2026"},
            {"custom_field_id": "no-such-field", "value": "x"}])
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("batch_custom_fields.0.value", "must be a date YYYY-MM-DD"),
        ("batch_custom_fields.1.custom_field_id", "unknown custom field 'no-such-field'; the "
         "lots' custom fields are 'Packed on'")]
    with pytest.raises(ValidationError) as caught:
        svc.custom_fields.create(label=" ", applies_to="batch")
    assert [e.field for e in caught.value.errors] == ["label"]
    with pytest.raises(ValidationError) as caught:
        svc.custom_fields.create(label="X", applies_to="batch", colour="red")
    assert [e.field for e in caught.value.errors] == ["colour"]
    with pytest.raises(Conflict):
        svc.custom_fields.create(label="PACKED ON", applies_to="batch")
    with pytest.raises(NotFound) as missing:
        svc.custom_fields.get("nope")
    assert missing.value.message == "custom field not found: custom_field_id=nope"
    with pytest.raises(NotFound):
        svc.custom_fields.serial_values("00000000-0000-7000-8000-000000000000")
    assert svc.batches.get(lot.id).custom_fields == []
    assert svc.batches.update(lot.id, custom_fields=[
        {"label": "packed on", "value": "2026-12-31T00:00:00"}]).custom_fields == [
        CustomField("Packed on", "2026-12-31", made.id)]


def test_a_viewer_reads_definitions_and_writes_none(database: Any, svc: Services) -> None:
    svc.custom_fields.create(label="Grade", applies_to="batch")
    viewer = Services(svc.engine, svc.actor.__class__(org_id=svc.actor.org_id, name="v",
                                                      role=Role.VIEWER))
    assert [d.label for d in viewer.custom_fields.list()] == ["Grade"]
    for write in (lambda: viewer.custom_fields.create(label="X", applies_to="batch"),
                  lambda: viewer.custom_fields.update("x", label="Y"),
                  lambda: viewer.custom_fields.delete("x"),
                  lambda: viewer.custom_fields.set_serial_values("x", [])):
        with pytest.raises(PermissionDenied):
            write()
