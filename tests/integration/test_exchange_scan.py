"""`svc.scan.parse`: barcode fields plus what they resolve to, in DESIGN §6's order."""

from __future__ import annotations

import datetime as dt

import pytest

from lotline.bootstrap import Services
from lotline.domain.errors import Ambiguous, ValidationError
from support import Kit

GTIN = "09506000134352"
DM = "]d201095060001343521727123110LOT-A\x1d21SN-1"


@pytest.fixture
def stocked(svc: Services, kit: Kit) -> Services:
    pen = kit.product("lot_serial", sku="PEN", gtin=GTIN)
    lot = kit.lot(pen, "LOT-A", quantity=5, expiry_date=dt.date(2027, 12, 31))
    svc.serials.register_many(["SN-1", "SN-2"], batch_id=lot.id)
    return svc


def test_gs1_data_matrix_resolves_product_lot_and_serial(stocked: Services) -> None:
    result = stocked.scan.parse(DM)
    assert (result.gtin, result.lot, result.serial, result.expiry_date) == (
        GTIN, "LOT-A", "SN-1", dt.date(2027, 12, 31))
    assert (result.best_before, result.quantity, result.sscc, result.content_gtin) == (
        None, None, None, None)
    assert result.product is not None and result.product.sku == "PEN"
    assert result.batch is not None and result.batch.batch_number == "LOT-A"
    assert result.serial_record is not None
    assert (result.serial_record.status.value, result.serial_record.location_id) == (
        "IN_STOCK", stocked.warehouses.location_by_code("STOCK").id)
    assert (result.warnings, result.source, result.form, result.symbology) == (
        [], "gs1", "element-string", "]d2")


def test_digital_link_and_lot_case(stocked: Services) -> None:
    result = stocked.scan.parse(f"]Q1HTTPS://ID.GS1.ORG/01/{GTIN}/10/lot-a?17=271130")
    assert result.batch is not None and result.batch.batch_number == "LOT-A"
    assert [w.code for w in result.warnings] == ["expiry_mismatch"]
    assert result.warnings[0].message == ("the barcode says expiry 2027-11-30, lot 'LOT-A' "
                                          "has 2027-12-31")


def test_warnings_for_unknown_lot_expired_and_held_lots(stocked: Services, kit: Kit) -> None:
    assert [w.code for w in stocked.scan.parse(f"(01){GTIN}(10)NOPE").warnings] == [
        "lot_unknown"]
    pen = stocked.products.by_sku("PEN")
    old = kit.lot(pen, "OLD", quantity=1, expiry_date=dt.date(2020, 1, 31))
    stocked.batches.hold(old.id, "smells funny")
    codes = [w.code for w in stocked.scan.parse(f"(01){GTIN}(17)200131(10)OLD").warnings]
    assert codes == ["lot_expired", "lot_on_hold"]
    unknown = stocked.scan.parse("(01)04006381333931(21)X")
    assert [w.code for w in unknown.warnings] == ["product_unknown", "serial_unknown"]
    assert unknown.product is None and unknown.serial_record is None


def test_serial_then_lot_number(stocked: Services) -> None:
    by_serial = stocked.scan.parse("  SN-2\r\n")
    assert (by_serial.source, by_serial.serial) == ("serial_number", "SN-2")
    assert by_serial.batch is not None and by_serial.product is not None
    by_lot = stocked.scan.parse("lot-a")
    assert (by_lot.source, by_lot.lot, by_lot.serial_record) == ("lot_number", "LOT-A", None)


def test_gs1_looking_serial_numbers_still_resolve(svc: Services, kit: Kit) -> None:
    product = kit.product("serial", sku="DIG")
    svc.serials.register_many(["10ABC", "96385074"], product_id=product.id)
    assert svc.scan.parse("10ABC").source == "serial_number"
    assert svc.scan.parse("96385074").source == "serial_number"
    assert svc.scan.parse("]d210ABC").source == "gs1"  # the scanner says GS1


@pytest.mark.parametrize(("data", "message"), [
    ("hello world", "data: unrecognised input"),
    ("]d2ZZZ", "data: unrecognised input"),
    ("9506000134353", "data: check digit: GTIN 9506000134353 has a wrong check digit"),
    ("010950600013435217271301", "data: invalid date"),
    ("010950600013435210ABCDEFGHIJKLMNOPQRSTU", "data: invalid length: AI (10) BATCH/LOT is "
                                                 "longer than 20 characters"),
    (f"https://id.gs1.org/01/{GTIN}/21/SN1/10/LOT", "data: qualifier order"),
    ("", "data: must not be empty"),
])
def test_nothing_matched(svc: Services, data: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        svc.scan.parse(data)
    assert caught.value.message.startswith(message)


def test_failed_gs1_falls_back_to_an_existing_serial(svc: Services, kit: Kit) -> None:
    product = kit.product("serial", sku="ODD")
    svc.serials.register("9506000134353", product_id=product.id)
    assert svc.scan.parse("9506000134353").source == "serial_number"


def test_product_scope_ambiguity(svc: Services, kit: Kit) -> None:
    svc.settings.update(serial_scope="product")
    one, two = kit.product("serial", gtin=GTIN), kit.product("serial")
    svc.serials.register("DUP", product_id=one.id)
    svc.serials.register("DUP", product_id=two.id)
    with pytest.raises(Ambiguous):
        svc.scan.parse("DUP")
    result = svc.scan.parse(f"(01){GTIN}(21)DUP")
    assert result.serial_record is not None and result.serial_record.product_id == one.id
