"""A serial as the API shows it, written straight to JSON bytes for the lookup's lean path.

`json_bytes(shown(svc, serial))` walks the dataclass (to_jsonable), builds a dict and runs the
generic encoder: about a third of a lookup's time in process. Here the keys are fixed text and
each value is written by its type, giving the same bytes (tests/unit/test_serial_json.py holds
the two side by side); anything unexpected falls back to the generic path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
from typing import Any

from lotline.domain.model import Hold, Serial
from lotline.domain.values import decimal_text
from lotline.entrypoints.api.responses import json_bytes
from lotline.entrypoints.serialize import timestamp_text, to_jsonable

_TEMPLATE = ('{"id":%s,"serial_number":%s,"product_id":%s,"batch_id":%s,"status":%s,'
             '"order_id":%s,"location_id":%s,"warehouse_id":%s,"purchase_date":%s,'
             '"warranty_expiry":%s,"unit_cost":%s,"hold":%s,"parent_serial_id":%s,'
             '"created_at":%s,"updated_at":%s,"customer_id":%s,"reserved_for":%s}')


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _day(value: dt.date | None) -> str:
    if value is None:
        return "null"
    return _moment(value) if isinstance(value, dt.datetime) else f'"{value.isoformat()}"'


def _moment(value: dt.datetime) -> str:
    if value.tzinfo is dt.UTC:  # digits, '-', ':', 'T', '.', '+': nothing JSON escapes
        return f'"{value.isoformat()}"'
    return encode_basestring(timestamp_text(value))


def _amount(value: Decimal | None) -> str:
    # JSON has no NaN or Infinity: json_bytes writes such a value as null.
    return "null" if value is None or not value.is_finite() else decimal_text(value)


def _hold(hold: Hold | None) -> str:
    if hold is None:
        return "null"
    return (f'{{"reason":{encode_basestring(hold.reason)},'
            f'"kind":{encode_basestring(hold.kind.value)},"since":{_moment(hold.since)}}}')


def _reserved(customer_id: str | None, name: str | None) -> str:
    if customer_id is None:
        return "null"
    return f'{{"customer_id":{encode_basestring(customer_id)},"name":{_text(name)}}}'


def serial_body(serial: Serial, reserved_name: str | None) -> bytes:
    """The JSON bytes of `shown(svc, serial)` when the unit is reserved for a customer named
    `reserved_name` (None otherwise, or when the customer has no name on record)."""
    if type(serial) is not Serial:  # a subclass could carry fields of its own
        return _generic(serial, reserved_name)
    try:
        text = _TEMPLATE % (
            encode_basestring(serial.id), encode_basestring(serial.serial_number),
            encode_basestring(serial.product_id), _text(serial.batch_id),
            encode_basestring(serial.status.value), _text(serial.order_id),
            _text(serial.location_id), _text(serial.warehouse_id), _day(serial.purchase_date),
            _day(serial.warranty_expiry), _amount(serial.unit_cost), _hold(serial.hold),
            _text(serial.parent_serial_id), _moment(serial.created_at),
            _moment(serial.updated_at), _text(serial.customer_id),
            _reserved(serial.reserved_for, reserved_name))
        return text.encode("utf-8")
    except (TypeError, AttributeError, UnicodeEncodeError):  # a value of an unexpected type
        return _generic(serial, reserved_name)


def _generic(serial: Serial, reserved_name: str | None) -> bytes:
    shown: dict[str, Any] = dict(to_jsonable(serial))  # type: ignore[arg-type]
    customer_id = serial.reserved_for
    shown["reserved_for"] = None if customer_id is None else {
        "customer_id": customer_id, "name": reserved_name}
    return json_bytes(shown)
