"""Digital Link URIs under the organization's domain, PDF labels, generated serials."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import segno
from pypdf import PdfReader

from lotline.bootstrap import Services
from lotline.domain import gs1
from lotline.domain.errors import ValidationError
from lotline.files.labels_pdf import qr_matrix
from support import Kit

GTIN = "09506000134352"


def link_annotations(pdf: bytes) -> list[list[str]]:
    """The URI of every link on every page, page by page."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        uris = []
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                uris.append(str(action["/URI"]))
        pages.append(uris)
    return pages


@pytest.fixture
def lot_with_serials(svc: Services, kit: Kit) -> str:
    pen = kit.product("lot_serial", sku="PEN", gtin=GTIN, name="Insulin pen")
    lot = kit.lot(pen, "LOT/7", quantity=30, expiry_date=dt.date(2027, 12, 31))
    svc.serials.register_many([f"SN-{i:02d}" for i in range(1, 26)], batch_id=lot.id)
    return lot.id


def test_digital_links_use_the_domain_setting(svc: Services, lot_with_serials: str) -> None:
    assert svc.labels.digital_link(batch_id=lot_with_serials) == (
        f"https://id.gs1.org/01/{GTIN}/10/LOT%2F7?17=271231")
    svc.settings.update(digital_link_domain="https://example.com/dl")
    serial = svc.serials.lookup("SN-03")
    link = svc.labels.digital_link(serial_id=serial.id)
    assert link == f"https://example.com/dl/01/{GTIN}/10/LOT%2F7/21/SN-03?17=271231"
    scanned = svc.scan.parse(link)
    assert scanned.serial_record is not None and scanned.serial_record.id == serial.id


@pytest.mark.parametrize(("layout", "per_page", "pages"), [
    ("a4-3x8", 24, 2), ("a4-3x7", 21, 2), ("a4-2x4", 8, 4), ("single", 1, 25)])
def test_serial_labels_pages_and_qr_payloads(svc: Services, lot_with_serials: str,
                                             layout: str, per_page: int, pages: int) -> None:
    pdf = svc.labels.serial_labels(batch_id=lot_with_serials, layout=layout)
    links = link_annotations(pdf)
    assert len(links) == pages
    assert [len(page) for page in links] == [per_page] * (pages - 1) + [
        25 - per_page * (pages - 1)]
    expected = [f"https://id.gs1.org/01/{GTIN}/10/LOT%2F7/21/SN-{i:02d}?17=271231"
                for i in range(1, 26)]
    assert [uri for page in links for uri in page] == expected
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for line in ("Insulin pen", "SKU PEN", "LOT LOT/7", "SN SN-01", "EXP 2027-12-31"):
        assert line in text


def test_qr_code_encodes_the_digital_link() -> None:
    link = gs1.digital_link(GTIN, "L1", "S1", dt.date(2027, 12, 31))
    matrix = qr_matrix(link)
    code = segno.make(link, error="m", micro=False)
    assert matrix == [[bool(m) for m in row] for row in code.matrix]
    assert len(matrix) == code.symbol_size(border=0)[0]


def test_lot_labels_copies_and_errors(svc: Services, kit: Kit, lot_with_serials: str) -> None:
    pdf = svc.labels.lot_labels([lot_with_serials], layout="single", copies=3)
    assert link_annotations(pdf) == [[f"https://id.gs1.org/01/{GTIN}/10/LOT%2F7?17=271231"]] * 3
    plain = kit.product("lot", sku="NOGTIN")
    with pytest.raises(ValidationError, match="has no GTIN"):
        svc.labels.lot_labels([kit.lot(plain).id])
    with pytest.raises(ValidationError, match="layout"):
        svc.labels.lot_labels([lot_with_serials], layout="a3")
    long_lot = kit.lot(svc.products.by_sku("PEN"), "L" * 21, quantity=1)
    with pytest.raises(ValidationError, match="1 to 20 characters"):
        svc.labels.lot_labels([long_lot.id])


def test_generated_serials_never_collide(svc: Services, kit: Kit) -> None:
    product = kit.product("serial", sku="GEN", serial_pattern="G-{####}")
    svc.serials.register_many(["G-0002", "G-0003"], product_id=product.id)
    first = svc.serial_numbers.next_serials(product.id, 3)
    assert first == ["G-0001", "G-0004", "G-0005"]
    registered = svc.serial_numbers.register_next(2, product_id=product.id)
    assert [s.serial_number for s in registered] == ["G-0006", "G-0007"]
    dated = svc.serial_numbers.next_serials(product.id, 1, pattern="SN-{YYYY}{MM}-{##}")
    today = dt.datetime.now(dt.UTC).date()
    assert dated == [f"SN-{today:%Y%m}-08"]
    with pytest.raises(ValidationError, match="no serial_pattern"):
        svc.serial_numbers.next_serials(kit.product("serial").id, 1)


def test_registration_accepts_ranges_and_lists(svc: Services, kit: Kit) -> None:
    product = kit.product("serial")
    created = svc.serials.register_many("R-0001..R-0003, R-0010", product_id=product.id)
    with pytest.raises(ValidationError, match="must be a list"):  # text without a range
        svc.serials.register_many("A,B", product_id=product.id)
    assert [s.serial_number for s in created] == ["R-0001", "R-0002", "R-0003", "R-0010"]
    created = svc.serials.register_many(["Q-8..Q-10", "Q-X"], product_id=product.id)
    assert [s.serial_number for s in created] == ["Q-8", "Q-9", "Q-10", "Q-X"]
    with pytest.raises(ValidationError, match="count up"):
        svc.serials.register_many("Z-9..Z-1", product_id=product.id)
