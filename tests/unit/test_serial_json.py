"""serial_json.serial_body writes the bytes the generic path writes for the same serial
(json_bytes of the route's `shown`), whatever the unit holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotline.domain.model import Hold, Serial
from lotline.domain.statuses import HoldKind, SerialStatus
from lotline.entrypoints.api.responses import json_bytes
from lotline.entrypoints.api.serial_json import serial_body
from lotline.entrypoints.serialize import to_jsonable

BERLIN = dt.timezone(dt.timedelta(hours=1))
PLAIN = Serial(
    id="01a2-serial", serial_number="SN-0001", product_id="01a2-product", batch_id=None,
    status=SerialStatus.IN_STOCK, order_id=None, location_id="01a2-loc", warehouse_id="01a2-wh",
    purchase_date=None, warranty_expiry=None, unit_cost=None, hold=None, parent_serial_id=None,
    created_at=dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.UTC),
    updated_at=dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.UTC))


def generic(serial: Serial, name: str | None) -> bytes:
    """What the route answers: routers/serials.shown through LotlineJSONResponse."""
    shown: dict[str, Any] = dict(to_jsonable(serial))  # type: ignore[arg-type]
    shown["reserved_for"] = None if serial.reserved_for is None else {
        "customer_id": serial.reserved_for, "name": name}
    return json_bytes(shown)


def test_a_plain_unit_is_written_exactly() -> None:
    assert serial_body(PLAIN, None) == (
        b'{"id":"01a2-serial","serial_number":"SN-0001","product_id":"01a2-product",'
        b'"batch_id":null,"status":"IN_STOCK","order_id":null,"location_id":"01a2-loc",'
        b'"warehouse_id":"01a2-wh","purchase_date":null,"warranty_expiry":null,'
        b'"unit_cost":null,"hold":null,"parent_serial_id":null,'
        b'"created_at":"2026-03-01T08:30:00.123456+00:00",'
        b'"updated_at":"2026-03-01T08:30:00.123456+00:00","customer_id":null,'
        b'"reserved_for":null}')


@pytest.mark.parametrize(("changes", "name"), [
    ({"unit_cost": Decimal("12.50"), "purchase_date": dt.date(2025, 1, 31),
      "warranty_expiry": dt.date(2028, 2, 29), "batch_id": "lot-1"}, None),
    ({"unit_cost": Decimal("1E+3")}, None),
    ({"unit_cost": Decimal("NaN")}, None),
    ({"hold": Hold(reason='damp "box"\n', kind=HoldKind.QUARANTINE,
                   since=dt.datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN))}, None),
    ({"status": SerialStatus.ALLOCATED, "customer_id": "cust-1"}, "Müller & Söhne \"GmbH\""),
    ({"status": SerialStatus.ALLOCATED, "customer_id": "cust-1"}, None),
    ({"status": SerialStatus.ALLOCATED, "customer_id": "cust-1", "order_id": "o-1"}, "X"),
    ({"serial_number": "A/B\\C\t\u2028é😀", "created_at": dt.datetime(2026, 1, 1, 0, 0)},
     None),
    ({"serial_number": "lone \ud800 surrogate"}, None),
    ({"purchase_date": dt.datetime(2025, 1, 31, 12, 0, tzinfo=dt.UTC)}, None),
])
def test_every_kind_of_value_matches_the_generic_path(changes: dict[str, Any],
                                                      name: str | None) -> None:
    serial = dataclasses.replace(PLAIN, **changes)
    assert serial_body(serial, name) == generic(serial, name)
    json.loads(serial_body(serial, name))


@given(number=st.text(min_size=1, max_size=40), reason=st.text(max_size=20),
       cost=st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=6,
                                    min_value=0, max_value=10**9),
       name=st.none() | st.text(max_size=20))
def test_any_text_and_amount_match_the_generic_path(number: str, reason: str,
                                                    cost: Decimal | None,
                                                    name: str | None) -> None:
    serial = dataclasses.replace(
        PLAIN, serial_number=number, unit_cost=cost, status=SerialStatus.ALLOCATED,
        customer_id="c", hold=Hold(reason=reason, kind=HoldKind.QUARANTINE,
                                   since=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)))
    assert serial_body(serial, name) == generic(serial, name)
