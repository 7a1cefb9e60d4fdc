"""Receipt lines keep the lots their ASN announced (number, and expiry and quantity when the
ASN gives them); announcing lots on a product that takes none, twice, or more than the line
expects is refused and writes no receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flow_support import Flows

from lotline.domain.flows import ExpectedLot
from lotline.errors import ValidationError


def test_announced_lots_are_kept_on_the_line(flows: Flows) -> None:
    food = flows.product("lot")
    receipt = flows.asn(flows.supplier(), {
        "product_id": food.id, "expected_quantity": 10, "expected_lots": [
            {"batch_number": " F-7 ", "expiry_date": "2030-01-31", "quantity": "6"},
            {"batch_number": "F-8"}]})
    again = flows.svc.receipts.get(receipt.id)
    assert again.lines[0].expected_lots == [
        ExpectedLot("F-7", dt.date(2030, 1, 31), Decimal(6)), ExpectedLot("F-8", None, None)]
    assert receipt.lines[0].expected_lots == again.lines[0].expected_lots


@pytest.mark.parametrize(("tracking", "lots", "field", "message"), [
    ("serial", [{"batch_number": "X-1"}], "lines.0.expected_lots", "is not lot-tracked"),
    ("lot", [{"batch_number": "X-1", "quantity": 4}, {"batch_number": "X-2", "quantity": 7}],
     "lines.0.expected_lots", "the lots add up to 11, more than the 10 expected on the line"),
    ("lot", [{"batch_number": "x-1"}, {"batch_number": "X-1"}],
     "lines.0.expected_lots.1.batch_number", "lot X-1 is listed twice"),
    ("lot", [{"batch_number": "X-1", "quantity": 0}], "lines.0.expected_lots.0.quantity",
     "must be greater than 0"),
    ("lot", [{"batch_number": ""}], "lines.0.expected_lots.0.batch_number", "must not be"),
])
def test_bad_announced_lots_write_nothing(flows: Flows, tracking: str, lots: list[object],
                                          field: str, message: str) -> None:
    product = flows.product(tracking)
    supplier = flows.supplier()
    with pytest.raises(ValidationError) as raised:
        flows.svc.receipts.create_receipt("ASN-LOTS", supplier.id, [
            {"product_id": product.id, "expected_quantity": 10, "expected_lots": lots}])
    assert [e.field for e in raised.value.errors] == [field]
    assert message in raised.value.errors[0].message
    assert flows.svc.receipts.list().items == []
