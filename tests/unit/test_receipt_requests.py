"""The receive-request rules the doors share (moved out of the CLI): lots grouped from rows,
the line a product's lots go to, and which lines a reason given once belongs to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.domain.errors import ValidationError
from lotline.domain.flows import Receipt, ReceiptLine
from lotline.service_layer.receipt_requests import (
    entry_quantity,
    first_open_line,
    line_for_product,
    lots_from_rows,
    receive_request,
    remaining_quantity,
)

NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def line(line_id: str, product_id: str, expected: str, received: str = "0") -> ReceiptLine:
    return ReceiptLine(id=line_id, line_no=int(line_id[-1]), product_id=product_id,
                       expected_quantity=Decimal(expected), received_quantity=Decimal(received),
                       unit_cost=None, expected_serials=[], reason=None)


def receipt(*lines: ReceiptLine) -> Receipt:
    return Receipt(id="r1", reference="ASN-1", supplier_id="s1", warehouse_id="w1",
                   status="open", lines=list(lines), created_at=NOW, updated_at=NOW)


ASN = receipt(line("l1", "p-oil", "10"), line("l2", "p-drill", "2", "1"))


def test_reason_goes_only_to_lines_that_do_not_add_up() -> None:
    lots = {"l1": [{"quantity": "8"}], "l2": [{"serial_numbers": ["SN-2"]}]}
    assert receive_request(ASN, lots, "2 broken") == [
        {"line_id": "l1", "lots": [{"quantity": "8"}], "reason": "2 broken"},
        {"line_id": "l2", "lots": [{"serial_numbers": ["SN-2"]}]}]


def test_reason_goes_to_every_line_when_all_add_up() -> None:
    lots = {"l1": [{"quantity": "4"}, {"quantity": "6"}], "l2": [{"quantity": "1"}]}
    assert [x.get("reason") for x in receive_request(ASN, lots, "noted")] == ["noted", "noted"]
    assert [x.get("reason") for x in receive_request(ASN, lots, None)] == [None, None]


def test_rows_group_into_lots_per_line() -> None:
    rows = [{"product": "OIL", "lot": "L1", "expiry_date": "2027-01-31", "quantity": "4"},
            {"product": "OIL", "lot": "L1", "expiry_date": "2027-01-31", "quantity": "2.5"},
            {"product": "DRILL", "lot": "D1", "serial_number": "SN-1"},
            {"product": "DRILL", "lot": "D1", "serial_number": "SN-2"},
            {"product": "DRILL", "lot": "D2", "serial_number": "SN-3"}]
    lines = {"OIL": ASN.lines[0], "DRILL": ASN.lines[1]}
    assert lots_from_rows(rows, lines.__getitem__) == {
        "l1": [{"batch_number": "L1", "expiry_date": "2027-01-31", "quantity": "6.5"}],
        "l2": [{"batch_number": "D1", "serial_numbers": ["SN-1", "SN-2"]},
               {"batch_number": "D2", "serial_numbers": ["SN-3"]}]}


def test_rows_with_unknown_columns_or_quantities_are_refused() -> None:
    with pytest.raises(ValidationError) as unknown:
        lots_from_rows([{"lot": "L1", "colour": "red"}], lambda sku: ASN.lines[0])
    assert unknown.value.errors[0].field == "lots_file"
    assert unknown.value.errors[0].message.startswith("unknown columns colour; use product")
    with pytest.raises(ValidationError) as bad:
        lots_from_rows([{"lot": "L1", "quantity": "ten"}], lambda sku: ASN.lines[0])
    assert (bad.value.errors[0].field, bad.value.errors[0].message) == \
        ("quantity", "must be a number")


def test_entry_quantity_and_remaining() -> None:
    assert entry_quantity({"serial_numbers": ["a", "b"]}) == Decimal(2)
    assert entry_quantity({"quantity": " 3.5 "}) == Decimal("3.5")
    assert entry_quantity({"quantity": "many"}) == Decimal(0)
    assert remaining_quantity(ASN.lines[1]) == Decimal(1)
    assert remaining_quantity(line("l3", "p", "2", "5")) == Decimal(0)


def test_line_choice() -> None:
    assert line_for_product(ASN, "p-drill", "DRILL").id == "l2"
    with pytest.raises(ValidationError) as missing:
        line_for_product(ASN, "p-saw", "SAW")
    assert missing.value.errors[0].message == "receipt 'ASN-1' has no line for SAW"
    done = receipt(line("l1", "p-oil", "10", "10"), line("l2", "p-drill", "2", "1"))
    assert first_open_line(done).id == "l2"  # type: ignore[union-attr]
    assert first_open_line(receipt(line("l1", "p-oil", "1", "1"))).id == "l1"  # type: ignore[union-attr]
    assert first_open_line(receipt()) is None
