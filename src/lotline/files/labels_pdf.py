"""Printable labels as PDF (fpdf2), each with a QR code (segno) carrying the GS1 Digital Link
and the human-readable product, lot, serial and expiry. The QR code is drawn as vector
squares from segno's module matrix (sharp at any printer resolution, no image library), and
its area links to the same URI.

Layouts: `single` (one 100 x 50 mm label a page, for label printers) and A4 sheets
`a4-2x4`, `a4-3x7`, `a4-3x8` (columns x rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

QR_ERROR = "m"
QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)


@dataclass(frozen=True, slots=True)
class LabelText:
    digital_link: str
    title: str
    lines: tuple[str, ...]  # e.g. "SKU X", "LOT L", "SN S", "EXP 2027-12-31"


@dataclass(frozen=True, slots=True)
class Sheet:
    page_width: float
    page_height: float
    columns: int
    rows: int
    margin: float = 0.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def cell(self) -> tuple[float, float]:
        return ((self.page_width - 2 * self.margin) / self.columns,
                (self.page_height - 2 * self.margin) / self.rows)


LAYOUTS = {
    "single": Sheet(100, 50, 1, 1),
    "a4-2x4": Sheet(210, 297, 2, 4, 8),
    "a4-3x7": Sheet(210, 297, 3, 7, 10),
    "a4-3x8": Sheet(210, 297, 3, 8, 8),
}


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's dark modules (no quiet zone), row by row."""
    import segno  # imported on use: it, and fpdf2 below, are for labels only

    code = segno.make(payload, error=QR_ERROR, micro=False)
    return [[bool(module) for module in row] for row in code.matrix]


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1; anything else prints as '?'.
    return text.encode("latin-1", "replace").decode("latin-1")


def _draw_qr(pdf: FPDF, payload: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(payload)
    module = size / (len(matrix) + 2 * QUIET_ZONE)  # the quiet zone is part of `size`
    x, y = x + QUIET_ZONE * module, y + QUIET_ZONE * module
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module,
                     style="F")
    inner = len(matrix) * module
    pdf.link(x, y, inner, inner, payload)


def _draw_label(pdf: FPDF, label: LabelText, x: float, y: float, width: float,
                height: float) -> None:
    pad = min(3.0, height * 0.06)
    qr = min(height - 2 * pad, width * 0.5)
    _draw_qr(pdf, label.digital_link, x + pad, y + (height - qr) / 2, qr)
    left = x + pad + qr
    room = width - (left - x) - pad
    size = max(5.0, min(10.0, height / 6))
    pdf.set_font("helvetica", "B", size)
    pdf.set_xy(left, y + pad)
    pdf.multi_cell(room, size * 0.45, _latin1(label.title), max_line_height=size * 0.45,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", size * 0.9)
    line_y = max(pdf.get_y(), y + pad + size * 0.9) + 1
    for text in label.lines:
        if line_y > y + height - pad:
            break
        pdf.text(left, line_y + size * 0.3, _latin1(text)[:60])
        line_y += size * 0.45


def render(labels: Sequence[LabelText], layout: str = "a4-3x8") -> bytes:
    """One PDF with the labels in order, `LAYOUTS[layout].per_page` to a page."""
    from fpdf import FPDF

    sheet = LAYOUTS[layout]
    pdf = FPDF(unit="mm", format=(sheet.page_width, sheet.page_height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("lotline")
    width, height = sheet.cell
    for index, label in enumerate(labels):
        slot = index % sheet.per_page
        if slot == 0:
            pdf.add_page()
        column, row = slot % sheet.columns, slot // sheet.columns
        _draw_label(pdf, label, sheet.margin + column * width, sheet.margin + row * height,
                    width, height)
    if not labels:
        pdf.add_page()
    return bytes(pdf.output())
