"""The GS1 conformance vectors (shared/standards/gs1/) through lotline's own parser and
Digital Link builder, and round trips of generated data through both."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotline.domain import gs1
from lotline.domain.values import gtin_check_digit

GS1_DIR = Path(__file__).resolve().parents[3] / "shared" / "standards" / "gs1"
FIELDS = ("gtin", "lot", "serial", "expiry_date", "best_before", "production_date",
          "quantity", "count", "sscc", "content_gtin")


def _load(name: str) -> list[dict[str, Any]]:
    path = GS1_DIR / name
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


VECTORS = _load("vectors.json")
LINKS = _load("digital_link.json")
needs_vectors = pytest.mark.skipif(not GS1_DIR.exists(),
                                   reason=f"GS1 conformance material not found at {GS1_DIR}")


def as_expected(reading: gs1.GS1Parse) -> dict[str, Any]:
    """The parse in vectors.json's shape: present fields only, dates ISO, or the error."""
    if reading.data is None:
        return {"error": reading.error}
    found: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(reading.data, name)
        if value is not None:
            found[name] = value.isoformat() if isinstance(value, dt.date) else value
    return found


@needs_vectors
def test_all_vectors_are_present() -> None:
    assert len(VECTORS) == 41
    assert len(LINKS) == 10


@needs_vectors
@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    got = as_expected(gs1.parse(vector["input"]))
    assert got == vector["expected"] or got == vector.get("alt_expected"), vector["notes"]


@needs_vectors
@pytest.mark.parametrize("case", LINKS, ids=[c["name"] for c in LINKS])
def test_digital_link_case(case: dict[str, Any]) -> None:
    given_ = case["input"]
    expiry = dt.date.fromisoformat(given_["expiry_date"]) if given_["expiry_date"] else None
    uri = gs1.digital_link(given_["gtin"], given_["lot"], given_["serial"], expiry)
    assert uri == case["expected_uri"]
    data = gs1.parse(uri).data
    assert data is not None
    assert (data.gtin, data.lot, data.serial, data.expiry_date) == (
        given_["gtin"].zfill(14), given_["lot"], given_["serial"], expiry)


def test_domain_with_path_prefix_and_trailing_slash() -> None:
    uri = gs1.digital_link("9506000134352", "L1", "S/1", dt.date(2027, 12, 31),
                           domain="https://brand.example.com/p/")
    assert uri == "https://brand.example.com/p/01/09506000134352/10/L1/21/S%2F1?17=271231"


@pytest.mark.parametrize(("gtin", "lot", "serial", "message"), [
    ("9506000134353", None, None, "check digit"),
    ("95060001343", None, None, "8, 12, 13 or 14 digits"),
    ("09506000134352", "A" * 21, None, "1 to 20 characters"),
    ("09506000134352", None, "sn#1", "'#'"),
    ("09506000134352", "lot é", None, "' '"),
])
def test_builder_rejects_what_a_barcode_cannot_carry(gtin: str, lot: str | None,
                                                     serial: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gs1.digital_link(gtin, lot, serial)


def test_element_string_puts_fixed_fields_first_and_gs_between_variable_ones() -> None:
    text = gs1.element_string("9506000134352", "LOT-A", "SN1", dt.date(2027, 12, 31))
    assert text == "01095060001343521727123110LOT-A\x1d21SN1"
    data = gs1.parse(text).data
    assert data is not None and (data.lot, data.serial) == ("LOT-A", "SN1")


def test_parse_reports_the_form_and_symbology() -> None:
    data = gs1.parse(" ]d201095060001343521727123110LOT-A\x1d21SN1\r\n").data
    assert data is not None
    assert (data.form, data.symbology, data.has_key) == ("element-string", "]d2", True)
    assert gs1.parse("(10)ABC").data == gs1.GS1Data(form="hri", lot="ABC")
    reading = gs1.parse("]A0SN-0042")
    assert (reading.symbology, reading.body, reading.error) == ("]A0", "SN-0042",
                                                                gs1.UNRECOGNISED)


# --- round trips over generated data ---------------------------------------------------------

CHARSET = "".join(sorted(gs1.CHARSET_82))


@st.composite
def gtins(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from((8, 12, 13, 14)))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + str(gtin_check_digit(body))


values = st.text(alphabet=CHARSET, min_size=1, max_size=20)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))


@given(gtin=gtins(), lot=st.none() | values, serial=st.none() | values,
       expiry=st.none() | dates)
def test_digital_link_round_trips_through_the_parser(gtin: str, lot: str | None,
                                                     serial: str | None,
                                                     expiry: dt.date | None) -> None:
    uri = gs1.digital_link(gtin, lot, serial, expiry)
    reading = gs1.parse(uri)
    assert reading.data is not None, reading.detail
    data = reading.data
    assert (data.gtin, data.lot, data.serial, data.expiry_date) == (gtin.zfill(14), lot,
                                                                    serial, expiry)
    upper = uri.replace("https://id.gs1.org", "HTTPS://ID.GS1.ORG")
    assert gs1.parse("]Q1" + upper).data == gs1.GS1Data(
        form="digital-link", symbology="]Q1", gtin=data.gtin, lot=lot, serial=serial,
        expiry_date=expiry)


@given(gtin=gtins(), lot=st.none() | values, serial=st.none() | values,
       expiry=st.none() | dates)
def test_element_string_round_trips_through_the_parser(gtin: str, lot: str | None,
                                                       serial: str | None,
                                                       expiry: dt.date | None) -> None:
    data = gs1.parse("]d2" + gs1.element_string(gtin, lot, serial, expiry)).data
    assert data is not None
    assert (data.gtin, data.lot, data.serial, data.expiry_date) == (gtin.zfill(14), lot,
                                                                    serial, expiry)
