"""The web UI's pure parts: the receiving screen's pending scans, the expiry
chart's weeks, the login redirect guard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lotline.domain.errors import ValidationError
from lotline.domain.model import Product
from lotline.domain.statuses import RemovalStrategy, Tracking
from lotline.entrypoints.web.charts import bar_chart
from lotline.entrypoints.web.receiving_state import Pending, add_units, load_pending
from lotline.entrypoints.web.session import safe_next
from lotline.service_layer.expiry_summary import weekly_totals

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _product(tracking: str) -> Product:
    return Product(id="p1", sku="SKU-1", name="Thing", gtin=None, uom="EA",
                   tracking=Tracking(tracking), removal_strategy=RemovalStrategy.FEFO,
                   shelf_life_days=None, expiry_alert_days=30, serial_pattern=None,
                   created_at=NOW, updated_at=NOW)


def test_pending_scans_count_against_what_the_line_still_expects() -> None:
    pending = Pending()
    product = _product("lot_serial")
    no_lot = add_units(pending, product, Decimal(2), lot=None, expiry=None, serial="A",
                       quantity=1)
    assert not no_lot.ok and "scan the lot label" in no_lot.message
    assert add_units(pending, product, Decimal(2), lot="L1", expiry="2027-01-01", serial="A",
                     quantity=1).ok
    assert not add_units(pending, product, Decimal(2), lot="L1", expiry=None, serial="A",
                         quantity=1).ok
    assert add_units(pending, product, Decimal(2), lot="l1", expiry=None, serial="B",
                     quantity=1).ok  # lot numbers match case-insensitively
    over = add_units(pending, product, Decimal(2), lot="L1", expiry=None, serial="C",
                     quantity=1)
    assert not over.ok and "more than the 2" in over.message
    assert pending.entries() == [{"quantity": 2, "batch_number": "L1",
                                  "expiry_date": "2027-01-01", "serial_numbers": ["A", "B"]}]
    again = load_pending(pending.dump())
    assert again.count == 2 and again.serials() == {"A", "B"}


def test_untracked_and_lot_products_take_quantities() -> None:
    pending = Pending()
    assert add_units(pending, _product("none"), Decimal(10), lot="X", expiry=None,
                     serial=None, quantity=4).ok
    assert pending.entries() == [{"quantity": 4}]
    refused = add_units(pending, _product("lot"), Decimal(10), lot="L", expiry=None,
                        serial="S-1", quantity=1)
    assert not refused.ok and "takes no serial numbers" in refused.message


@pytest.mark.parametrize("raw", ["not json", '[{"quantity": "x"}]', '{"a": 1}', "[1]",
                                 '[{"quantity": -1}]'])
def test_a_tampered_pending_field_is_a_validation_error(raw: str) -> None:
    with pytest.raises(ValidationError):
        load_pending(raw)


def test_the_expiry_chart_counts_twelve_weeks_from_tomorrow() -> None:
    today = dt.date(2026, 3, 1)
    rows = [{"expiry_date": today + dt.timedelta(days=days), "on_hand": Decimal(qty)}
            for days, qty in ((0, 1000), (1, 1), (7, 2), (8, 4), (84, 8), (85, 1000))]
    weeks = weekly_totals(rows, today)
    assert len(weeks) == 12 and weeks[0][0] == dt.date(2026, 3, 2)
    assert [total for _, total in weeks] == [3, 4] + [0] * 9 + [8]
    chart = bar_chart(weeks)
    assert chart.top == 10 and max(bar.height for bar in chart.bars) > 0
    assert bar_chart([(today, Decimal(0))]).top == 1


@pytest.mark.parametrize(("target", "expected"), [
    ("/lots?x=1", "/lots?x=1"), ("https://evil.example/", "/"), ("//evil.example", "/"),
    ("/\\evil.example", "/"), ("", "/"), (None, "/")])
def test_login_redirects_stay_on_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
