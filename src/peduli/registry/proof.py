"""Proof of self-report: a signed token anyone can check, and the PDF that carries it.

The token holds only the stay id and the day it was issued, signed with a key derived
from the secret key; checking it reveals the post and the date, never who the person is
beyond their initials.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
from fpdf import FPDF
from sqlalchemy.orm import Session

from peduli.core.config import get_settings
from peduli.registry.models import Person, Stay

_SIGNATURE_BYTES = 12  # 96 bits: unforgeable, and short enough for a small QR code
_PAYLOAD_BYTES = 16 + 3  # the stay's UUID and the issue day as a proleptic ordinal
# Fonts tried in order: Noto Sans CJK covers Latin and Chinese; DejaVu covers Latin only.
FONT_CANDIDATES = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # 2: Simplified
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), 0),
)


def _key() -> bytes:
    secret = get_settings().secret_key
    return hashlib.sha256(f"proof-of-self-report:{secret}".encode()).digest()


def _sign(payload: bytes) -> bytes:
    return hmac.new(_key(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def issue_token(*, stay_id: uuid.UUID, issued_on: date) -> str:
    """A URL-safe token proving that ``stay_id`` was registered, as of ``issued_on``."""
    payload = stay_id.bytes + issued_on.toordinal().to_bytes(3, "big")
    return _encode(payload + _sign(payload))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def read_token(token: str) -> tuple[uuid.UUID, date] | None:
    """The stay id and issue day of a genuine token; None if it was altered or made up."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) != _PAYLOAD_BYTES + _SIGNATURE_BYTES or _encode(raw) != token:
        return None  # the wrong size, or spare bits changed: not a token we issued
    payload, signature = raw[:_PAYLOAD_BYTES], raw[_PAYLOAD_BYTES:]
    if not hmac.compare_digest(signature, _sign(payload)):
        return None
    return uuid.UUID(bytes=payload[:16]), date.fromordinal(int.from_bytes(payload[16:], "big"))


@dataclass(frozen=True)
class ProofCheck:
    """What a verifier may learn: the stay's post, dates, status and the holder's initials."""

    issued_on: date
    registered_on: date
    representation_code: str | None
    country: str
    status: str
    initials: str


def initials(full_name: str) -> str:
    """``Siti Nur Aminah`` → ``S. N. A.``: enough to match a document, not to identify."""
    return " ".join(f"{part[0].upper()}." for part in full_name.split() if part[:1].isalpha())


def check_token(session: Session, *, token: str) -> ProofCheck | None:
    """Check a proof's token; None when forged or when the stay no longer exists."""
    found = read_token(token)
    if found is None:
        return None
    stay_id, issued_on = found
    stay = session.get(Stay, stay_id)
    if stay is None:
        return None
    person = session.get(Person, stay.person_id)
    return ProofCheck(
        issued_on=issued_on,
        registered_on=stay.created_at.date(),
        representation_code=stay.representation_code,
        country=stay.country,
        status=str(stay.status),
        initials=initials(person.full_name) if person else "",
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


def _draw_qr(pdf: FPDF, url: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code as vector squares (crisp at any zoom) that link to ``url``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, modules in enumerate(matrix):
        for column, dark in enumerate(modules):
            if dark:
                pdf.rect(x + column * cell, y + row * cell, cell, cell, style="F")
    pdf.link(x, y, size, size, url)


def proof_pdf(*, title: str, lines: list[str], url: str, language: str) -> bytes:
    """A one-page A4 PDF: the title, the lines in the reader's language, the QR code."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
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
    _draw_qr(pdf, url, x=pdf.l_margin, y=pdf.get_y(), size=45)
    pdf.set_y(pdf.get_y() + 48)
    pdf.set_font(family, size=9)
    pdf.cell(0, 5, url, link=url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
