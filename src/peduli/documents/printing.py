"""A document on paper: a one-page A4 PDF with its lines and the QR code of its payload.

The QR code holds the signed payload itself (base45 fits the QR alphanumeric mode), so it
is checked with no network; the address of the verify page is printed beside it.
"""

from __future__ import annotations

from pathlib import Path

import qrcode
from fpdf import FPDF

# Fonts tried in order: Noto Sans CJK covers Latin and Chinese; DejaVu covers Latin only.
FONT_CANDIDATES = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # 2: Simplified
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), 0),
)


def _font(pdf: FPDF) -> str:
    for path, number in FONT_CANDIDATES:
        if path.exists():
            pdf.add_font("body", fname=str(path), collection_font_number=number)
            return "body"
    return "helvetica"


def _text(text: str, family: str) -> str:
    # The built-in font only knows Latin-1; it is the last resort when no font is installed.
    return text.encode("latin-1", "replace").decode("latin-1") if family == "helvetica" else text


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code's modules (error correction M, as the EU certificates use)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(payload)
    return [list(row) for row in code.get_matrix()]


def _draw_qr(pdf: FPDF, payload: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (crisp at any zoom)."""
    matrix = qr_matrix(payload)
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if dark:
                pdf.rect(x + column * cell, y + row * cell, cell, cell, style="F")


def document_pdf(
    *, title: str, lines: list[str], payload: str, verify_url: str, language: str
) -> bytes:
    """A one-page A4 PDF: the title, the lines in the reader's language, the QR code and the
    address of the verify page. The payload is also the PDF's subject, so a verifier given
    the file rather than paper can paste it."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_subject(payload)
    pdf.set_lang(language)
    pdf.add_page()
    family = _font(pdf)
    pdf.set_font(family, size=20)
    pdf.multi_cell(0, 11, _text(title, family), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=12)
    for line in lines:
        pdf.multi_cell(0, 7, _text(line, family), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _draw_qr(pdf, payload, x=pdf.l_margin, y=pdf.get_y(), size=60)
    pdf.set_y(pdf.get_y() + 63)
    pdf.set_font(family, size=9)
    pdf.cell(0, 5, verify_url, link=verify_url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
