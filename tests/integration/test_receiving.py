"""Receiving against an ASN (seed 002, DESIGN §3, §4, §6 flow bodies): mixed lot, serial and
untracked lines, lots matched case-insensitively per supplier, totals, serial checks, dates,
weighted-average cost, internal cost layers, putaway, and all-or-nothing receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flow_support import D, Flows

from lotline.adapters import tables as t
from lotline.errors import Conflict, DuplicateSerial, ValidationError
from support import Kit

EXP = dt.date(2030, 6, 30)
DEVICES = ("D-1", "D-2", "D-3")
FRESH = ("A-1", "A-2", "L-1", "L-2")


def test_mixed_asn_lands_in_receiving_then_putaway_moves_it_to_stock(flows: Flows) -> None:
    svc = flows.svc
    supplier = flows.supplier()
    food = flows.product("lot")
    device = flows.product("lot_serial")
    bolt = flows.product("none")
    receipt = flows.asn(
        supplier,
        {"product_id": food.id, "expected_quantity": 10, "unit_cost": "2.50"},
        {"product_id": device.id, "expected_quantity": 3, "unit_cost": "100",
         "expected_serials": ["D-1", "D-2", "D-3"]},
        {"product_id": bolt.id, "expected_quantity": 50, "unit_cost": "0.10"})
    assert receipt.status == "open"
    assert receipt.lines[1].expected_serials == ["D-1", "D-2", "D-3"]
    assert flows.statuses(*DEVICES) == dict.fromkeys(DEVICES, ("EXPECTED", None))

    received = svc.receipts.receive(receipt.id, [
        {"line_id": receipt.lines[0].id,
         "lots": [{"batch_number": "F-1", "expiry_date": "2030-06-30", "quantity": 10}]},
        {"line_id": receipt.lines[1].id,
         "lots": [{"batch_number": "DV-1", "serial_numbers": ["D-1", "D-2", "D-3"]}]},
        {"line_id": receipt.lines[2].id, "lots": [{"quantity": 50}]},
    ])
    assert received.status == "received"
    assert [line.received_quantity for line in received.lines] == [10, 3, 50]

    food_lot = flows.lot(food, "F-1")
    device_lot = flows.lot(device, "DV-1")
    layer = flows.lot(bolt, "R-000001")
    assert (food_lot.quantity, food_lot.unit_cost, food_lot.expiry_date) == (10, D("2.5"), EXP)
    assert (device_lot.quantity, device_lot.unit_cost) == (3, D(100))
    assert (layer.quantity, layer.unit_cost, layer.internal_batch_number) == (
        50, D("0.1"), "R-000001")
    assert food_lot.supplier_id == device_lot.supplier_id == layer.supplier_id == supplier.id
    for lot, quantity in ((food_lot, 10), (device_lot, 3), (layer, 50)):
        assert flows.balances(lot.id) == {"RECEIVING": quantity}
        assert svc.batches.get(lot.id).available_quantity == 0  # not in storage yet
        assert lot.entry_transaction_ref is not None
    assert flows.statuses(*DEVICES) == dict.fromkeys(DEVICES, ("RECEIVED", "RECEIVING"))
    receipts = flows.movements(receipt_id=receipt.id)
    assert sorted((m.kind.value, m.quantity, flows.code_of(m.to_location_id))
                  for m in receipts) == sorted(
        [("receipt", D(10), "RECEIVING"), ("receipt", D(50), "RECEIVING")]
        + [("receipt", D(1), "RECEIVING")] * 3)
    flows.verified()

    svc.receipts.putaway(receipt.id)
    for lot, quantity in ((food_lot, 10), (device_lot, 3), (layer, 50)):
        assert flows.balances(lot.id) == {"STOCK": quantity}
        assert svc.batches.get(lot.id).available_quantity == quantity
    assert flows.statuses(*DEVICES) == dict.fromkeys(DEVICES, ("IN_STOCK", "STOCK"))
    putaways = [m for m in flows.movements(receipt_id=receipt.id) if m.kind.value == "putaway"]
    assert sorted((m.quantity, flows.code_of(m.from_location_id),
                   flows.code_of(m.to_location_id)) for m in putaways) == sorted(
        [(D(10), "RECEIVING", "STOCK"), (D(50), "RECEIVING", "STOCK")]
        + [(D(1), "RECEIVING", "STOCK")] * 3)
    # Putting away again moves nothing more.
    svc.receipts.putaway(receipt.id)
    assert len(flows.movements(receipt_id=receipt.id)) == 10
    flows.verified()


def test_fresh_serials_of_an_unannounced_line_are_registered_as_received(flows: Flows) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    loose = flows.product("serial")
    supplier = flows.supplier()
    receipt = flows.asn(supplier, {"product_id": device.id, "expected_quantity": 2},
                        {"product_id": loose.id, "expected_quantity": 2, "unit_cost": "7"})
    svc.receipts.receive(receipt.id, [
        {"line_id": receipt.lines[0].id,
         "lots": [{"batch_number": "B", "serial_numbers": ["A-1", "A-2"]}]},
        {"line_id": receipt.lines[1].id, "lots": [{"serial_numbers": ["L-1", "L-2"]}]}])
    assert flows.statuses(*FRESH) == dict.fromkeys(FRESH, ("RECEIVED", "RECEIVING"))
    assert svc.serials.lookup("L-1").unit_cost == 7  # specific identification
    assert svc.serials.lookup("L-1").batch_id is None
    assert svc.serials.lookup("A-1").batch_id == flows.lot(device, "B").id
    svc.receipts.putaway(receipt.id)
    assert flows.statuses(*FRESH) == dict.fromkeys(FRESH, ("IN_STOCK", "STOCK"))
    assert flows.balances(flows.lot(device, "B").id) == {"STOCK": 2}
    flows.verified()


def test_two_lots_on_one_line(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 10,
                                           "unit_cost": "3"})
    done = svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
        {"batch_number": "A", "expiry_date": "2030-01-31", "quantity": 6},
        {"batch_number": "B", "expiration_date": "2030-02-28", "quantity": 4,
         "manufactured_date": "2029-02-01", "manufacturer_batch_number": "MFR-B"}]}])
    assert done.status == "received"
    a, b = flows.lot(food, "A"), flows.lot(food, "B")
    assert (a.quantity, a.expiry_date) == (6, dt.date(2030, 1, 31))
    assert (b.quantity, b.expiry_date, b.manufacturing_date, b.manufacturer_batch_number) == (
        4, dt.date(2030, 2, 28), dt.date(2029, 2, 1), "MFR-B")
    assert flows.balances(a.id) == {"RECEIVING": 6}
    assert flows.balances(b.id) == {"RECEIVING": 4}
    flows.verified()


def test_lot_numbers_match_case_insensitively_per_supplier(flows: Flows) -> None:
    food = flows.product("lot")
    acme, other = flows.supplier(), flows.supplier()
    first = flows.stock_lot(food, "LOT-2025A", 10, supplier=acme, expiry=EXP)
    again = flows.stock_lot(food, "lot-2025a", 5, supplier=acme, expiry=EXP)
    assert again.id == first.id
    assert again.batch_number == "LOT-2025A"  # the case first entered is kept
    assert (again.quantity, again.balance_quantity) == (15, 15)
    theirs = flows.stock_lot(food, "lot-2025a", 7, supplier=other, expiry=EXP)
    assert theirs.id != first.id
    assert (theirs.batch_number, theirs.quantity, theirs.supplier_id) == ("lot-2025a", 7,
                                                                           other.id)
    assert sorted(b.batch_number for b in flows.svc.batches.by_number("Lot-2025A")) == [
        "LOT-2025A", "lot-2025a"]
    flows.verified()


def test_a_receipt_naming_a_lot_created_beforehand_adds_to_it(flows: Flows) -> None:
    food = flows.product("lot")
    supplier = flows.supplier()
    created = flows.svc.batches.create(product_id=food.id, batch_number="PRE-1",
                                       supplier_id=supplier.id, expiry_date=EXP)
    assert created.quantity == 0
    lot = flows.stock_lot(food, "pre-1", 12, supplier=supplier, unit_cost="4", expiry=EXP)
    assert lot.id == created.id
    assert (lot.quantity, lot.balance_quantity, lot.unit_cost) == (12, 12, 4)
    assert lot.entry_transaction_ref is not None
    flows.verified()


def test_totals_that_do_not_add_up_need_a_reason(flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    food = flows.product("lot")
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 10},
                        {"product_id": food.id, "expected_quantity": 4})
    short = [{"batch_number": "S", "quantity": 8}]
    with pytest.raises(ValidationError) as error:
        svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": short}])
    assert error.value.errors[0].field == "lines.0.lots"
    assert "lots add up to 8" in error.value.message and "expects 10" in error.value.message
    assert kit.count(t.batches) == 0
    assert flows.movements() == []

    done = svc.receipts.receive(receipt.id, [
        {"line_id": receipt.lines[0].id, "lots": short, "reason": "2 cases damaged in transit"},
        {"line_id": receipt.lines[1].id, "lots": [{"batch_number": "O", "quantity": 5}],
         "reason": "supplier sent one extra"}])
    assert done.status == "received"
    assert [(line.received_quantity, line.reason) for line in done.lines] == [
        (8, "2 cases damaged in transit"), (5, "supplier sent one extra")]
    assert flows.lot(food, "S").quantity == 8
    assert flows.lot(food, "O").quantity == 5
    flows.verified()


def test_a_line_received_in_two_deliveries(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot")
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 10})
    line_id = receipt.lines[0].id
    with pytest.raises(ValidationError):
        svc.receipts.receive(receipt.id, [{"line_id": line_id,
                                           "lots": [{"batch_number": "X", "quantity": 4}]}])
    first = svc.receipts.receive(receipt.id, [{"line_id": line_id, "reason": "rest follows",
                                               "lots": [{"batch_number": "X", "quantity": 4}]}])
    assert (first.status, first.lines[0].received_quantity) == ("received", 4)
    second = svc.receipts.receive(receipt.id, [{"line_id": line_id,
                                                "lots": [{"batch_number": "Y", "quantity": 6}]}])
    assert second.lines[0].received_quantity == 10
    assert flows.balances(flows.lot(food, "X").id) == {"RECEIVING": 4}
    assert flows.balances(flows.lot(food, "Y").id) == {"RECEIVING": 6}
    flows.verified()


def test_serial_scanned_twice_in_one_receipt(flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    receipt = flows.asn(flows.supplier(), {"product_id": device.id, "expected_quantity": 2},
                        {"product_id": device.id, "expected_quantity": 1})
    with pytest.raises(ValidationError) as across_lines:
        svc.receipts.receive(receipt.id, [
            {"line_id": receipt.lines[0].id,
             "lots": [{"batch_number": "A", "serial_numbers": ["S-1", "S-2"]}]},
            {"line_id": receipt.lines[1].id,
             "lots": [{"batch_number": "B", "serial_numbers": ["S-2"]}]}])
    assert "'S-2' is scanned twice" in across_lines.value.message
    with pytest.raises(ValidationError) as within_a_lot:
        svc.receipts.receive(receipt.id, [
            {"line_id": receipt.lines[0].id,
             "lots": [{"batch_number": "A", "serial_numbers": ["S-1", "S-1"]}]}])
    assert "repeated in the request: S-1" in within_a_lot.value.message
    assert kit.count(t.serials) == 0
    assert kit.count(t.batches) == 0
    flows.verified()


def test_a_serial_that_exists_already_is_a_duplicate_and_nothing_is_written(
        flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["OLD-1"], number="L0")
    before = (kit.count(t.serials), kit.count(t.batches), len(flows.movements()))
    receipt = flows.asn(flows.supplier(), {"product_id": device.id, "expected_quantity": 2})
    with pytest.raises(DuplicateSerial) as error:
        svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
            {"batch_number": "L1", "serial_numbers": ["NEW-1", "OLD-1"]}]}])
    assert error.value.serial_numbers == ["OLD-1"]
    assert (kit.count(t.serials), kit.count(t.batches), len(flows.movements())) == before
    assert svc.receipts.get(receipt.id).status == "open"
    flows.verified()


def test_serials_not_announced_on_the_line_are_refused(flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    device = flows.product("lot_serial")
    receipt = flows.asn(flows.supplier(), {"product_id": device.id, "expected_quantity": 2,
                                           "expected_serials": ["E-1", "E-2"]})
    with pytest.raises(ValidationError) as error:
        svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
            {"batch_number": "L", "serial_numbers": ["E-1", "X-9"]}]}])
    assert "not announced on this line: X-9" in error.value.message
    assert flows.statuses("E-1", "E-2") == {"E-1": ("EXPECTED", None),
                                            "E-2": ("EXPECTED", None)}
    assert kit.count(t.batches) == 0
    # The announced ones are received (one missing: a short receipt with its reason).
    svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "reason": "E-2 missing",
                                       "lots": [{"batch_number": "L", "serial_numbers": ["E-1"]}]}])
    assert flows.statuses("E-1", "E-2") == {"E-1": ("RECEIVED", "RECEIVING"),
                                            "E-2": ("EXPECTED", None)}
    flows.verified()


def test_announcing_a_serial_that_exists_writes_no_receipt(flows: Flows, kit: Kit) -> None:
    device = flows.product("lot_serial")
    flows.stock_serials(device, ["OLD-1"], number="L0")
    receipts = kit.count(t.receipts)
    supplier = flows.supplier()
    line = {"product_id": device.id, "expected_quantity": 2,
            "expected_serials": ["NEW-1", "OLD-1"]}
    with pytest.raises(DuplicateSerial):
        flows.asn(supplier, line, reference="ASN-DUP")
    assert kit.count(t.receipts) == receipts
    assert flows.svc.serials.find("NEW-1") is None
    fixed = flows.asn(supplier, {**line, "expected_serials": ["NEW-1", "NEW-2"]},
                      reference="ASN-DUP")
    assert fixed.lines[0].expected_serials == ["NEW-1", "NEW-2"]
    flows.verified()


def test_dates(flows: Flows) -> None:
    svc = flows.svc
    food = flows.product("lot", shelf_life_days=30)
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 2})
    with pytest.raises(ValidationError) as error:
        svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
            {"batch_number": "D", "quantity": 2, "manufacturing_date": "2026-05-01",
             "expiry_date": "2026-04-30"}]}])
    assert error.value.errors[0].field == "lines.0.lots.0.expiry_date"
    assert "2026-04-30 is before the manufacturing date 2026-05-01" in error.value.message
    svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
        {"batch_number": "D", "quantity": 2, "manufacturing_date": "2026-05-01"}]}])
    assert flows.lot(food, "D").expiry_date == dt.date(2026, 5, 31)  # shelf life filled it
    flows.verified()


def test_more_of_an_existing_lot_averages_its_cost_and_refuses_another_expiry(
        flows: Flows, kit: Kit) -> None:
    food = flows.product("lot")
    supplier = flows.supplier()
    lot = flows.stock_lot(food, "W", 10, unit_cost="2.00", supplier=supplier, expiry=EXP)
    lot = flows.stock_lot(food, "w", 30, unit_cost="3.00", supplier=supplier, expiry=EXP)
    assert (lot.quantity, lot.balance_quantity, lot.unit_cost) == (40, 40, D("2.75"))
    receipts = [m for m in flows.movements(batch_id=lot.id) if m.kind.value == "receipt"]
    assert [(m.quantity, m.unit_cost) for m in receipts] == [(10, D(2)), (30, D(3))]
    # A third delivery at a cost that does not divide evenly: rounded to 6 places.
    lot = flows.stock_lot(food, "W", 20, unit_cost="1", supplier=supplier)
    assert lot.unit_cost == D("2.166667")  # (40 * 2.75 + 20 * 1) / 60

    before = (len(flows.movements()), kit.count(t.batches))
    with pytest.raises(Conflict) as error:
        flows.stock_lot(food, "W", 5, supplier=supplier, expiry=dt.date(2031, 1, 1))
    assert "2030-06-30" in error.value.message and "2031-01-01" in error.value.message
    assert (len(flows.movements()), kit.count(t.batches)) == before
    assert flows.lot(food, "W").quantity == 60
    flows.verified()


def test_untracked_products_get_one_cost_layer_per_receipt_line(flows: Flows) -> None:
    svc = flows.svc
    bolt, nut = flows.product("none"), flows.product("none")
    supplier = flows.supplier()
    receipt = flows.asn(supplier, {"product_id": bolt.id, "expected_quantity": 5,
                                   "unit_cost": "1"},
                        {"product_id": bolt.id, "expected_quantity": 7, "unit_cost": "2"},
                        {"product_id": nut.id, "expected_quantity": 3, "unit_cost": "3"})
    with pytest.raises(ValidationError) as error:
        svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
            {"batch_number": "MINE", "quantity": 5}]}])
    assert "not lot-tracked" in error.value.message
    svc.receipts.receive(receipt.id, [{"line_id": line.id, "lots": [{"quantity": q}]}
                                      for line, q in zip(receipt.lines, (5, 7, 3), strict=True)])
    flows.receive(nut, [{"quantity": 4}], supplier=supplier, unit_cost="5", putaway=False)
    layers = {(b.product_id, b.batch_number, b.internal_batch_number, b.quantity, b.unit_cost)
              for b in svc.batches.list(limit=100).items}
    assert layers == {(bolt.id, "R-000001", "R-000001", 5, 1),
                      (bolt.id, "R-000002", "R-000002", 7, 2),
                      (nut.id, "R-000003", "R-000003", 3, 3),
                      (nut.id, "R-000004", "R-000004", 4, 5)}
    rows = svc.batches.list_by_product(bolt.id)
    assert [(r.initial_quantity, r.available_quantity, r.unit_cost) for r in rows] == [
        (5, 5, 1), (7, 7, 2)]
    flows.verified()


def test_putaway_to_a_named_location(flows: Flows) -> None:
    shelf = flows.location("A-01")
    food, device = flows.product("lot"), flows.product("lot_serial")
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 3},
                        {"product_id": device.id, "expected_quantity": 1})
    flows.svc.receipts.receive(receipt.id, [
        {"line_id": receipt.lines[0].id, "lots": [{"batch_number": "P", "quantity": 3}]},
        {"line_id": receipt.lines[1].id, "lots": [{"batch_number": "Q",
                                                   "serial_numbers": ["Q-1"]}]}])
    flows.svc.receipts.putaway(receipt.id, location_id=shelf)
    assert flows.balances(flows.lot(food, "P").id) == {"A-01": 3}
    assert flows.balances(flows.lot(device, "Q").id) == {"A-01": 1}
    assert flows.serial("Q-1")[:2] == ("IN_STOCK", "A-01")
    flows.verified()


def test_a_failure_in_the_middle_of_a_multi_line_receipt_writes_nothing(
        flows: Flows, kit: Kit) -> None:
    svc = flows.svc
    food, device, bolt = (flows.product("lot"), flows.product("lot_serial"),
                          flows.product("none"))
    flows.stock_serials(device, ["TAKEN"], number="OLD")
    before = (kit.count(t.batches), kit.count(t.serials), len(flows.movements()),
              svc.serials.counts())
    receipt = flows.asn(flows.supplier(), {"product_id": food.id, "expected_quantity": 4},
                        {"product_id": bolt.id, "expected_quantity": 2},
                        {"product_id": device.id, "expected_quantity": 2})
    lines = [
        {"line_id": receipt.lines[0].id, "lots": [{"batch_number": "OK", "quantity": 4}]},
        {"line_id": receipt.lines[1].id, "lots": [{"quantity": 2}]},
        {"line_id": receipt.lines[2].id, "lots": [{"batch_number": "NEW",
                                                   "serial_numbers": ["FINE", "TAKEN"]}]}]
    with pytest.raises(DuplicateSerial):
        svc.receipts.receive(receipt.id, lines)
    assert (kit.count(t.batches), kit.count(t.serials), len(flows.movements()),
            svc.serials.counts()) == before
    after = svc.receipts.get(receipt.id)
    assert after.status == "open"
    assert [line.received_quantity for line in after.lines] == [0, 0, 0]
    # Fixed and sent again: the cost layer gets the first number, nothing was used up.
    lines[2]["lots"][0]["serial_numbers"] = ["FINE", "FINE-2"]
    svc.receipts.receive(receipt.id, lines)
    assert flows.lot(bolt, "R-000001").quantity == Decimal(2)
    flows.verified()


def test_more_serials_into_an_existing_lot_average_its_cost(flows: Flows) -> None:
    device = flows.product("lot_serial")
    supplier = flows.supplier()
    flows.stock_serials(device, ["S-1", "S-2"], number="D", unit_cost="10", supplier=supplier)
    receipt = flows.asn(supplier, {"product_id": device.id, "expected_quantity": 1,
                                   "unit_cost": "40", "expected_serials": ["S-3"]})
    flows.svc.receipts.receive(receipt.id, [{"line_id": receipt.lines[0].id, "lots": [
        {"batch_number": "d", "serial_numbers": ["S-3"]}]}])
    lot = flows.lot(device, "D")
    assert (lot.quantity, lot.balance_quantity, lot.unit_cost) == (3, 3, 20)
    arrivals = [(m.quantity, m.unit_cost) for m in flows.movements(batch_id=lot.id)
                if m.kind.value == "receipt"]
    assert arrivals == [(2, 10), (1, 40)]  # each arrival at its own cost
    assert flows.svc.serials.lookup("S-3").unit_cost is None  # lot serials use the lot's cost
    flows.verified()
