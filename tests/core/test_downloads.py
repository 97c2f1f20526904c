"""Download headers carry any file name: RFC 6266 ``filename*`` plus an ASCII fallback."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from peduli.core.downloads import ascii_fallback, content_disposition, download_headers

NAMES = {
    "korean": "근로계약서.pdf",
    "chinese": "劳动合同.pdf",
    "arabic": "عقد العمل.pdf",
    "emoji": "slip 📄🙂.png",
    "latin": "Gaji Agustus.pdf",
}


def encoded_name(disposition: str) -> str:
    """The UTF-8 name a browser reads from ``filename*``."""
    value = disposition.split("filename*=", 1)[1]
    charset, _, quoted = value.split("'", 2)
    assert charset == "UTF-8"
    return unquote(quoted, encoding="utf-8")


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_every_script_survives_as_a_latin1_header(name: str) -> None:
    disposition = content_disposition(name)
    disposition.encode("latin-1")  # what the server must be able to send
    assert disposition.isascii()
    assert disposition.startswith('attachment; filename="')
    assert encoded_name(disposition) == name


def test_the_fallback_keeps_the_extension_and_drops_quotes() -> None:
    assert ascii_fallback("근로계약서.pdf") == "download.pdf"
    assert ascii_fallback("Gaji 八月.pdf") == "Gaji __.pdf"
    assert ascii_fallback('Café "final".pdf') == "Cafe _final_.pdf"
    assert ascii_fallback("📄") == "download"
    assert content_disposition("a\r\nSet-Cookie: x.pdf").count("\n") == 0


def test_inline_and_the_other_headers() -> None:
    headers = download_headers("bukti.pdf", inline=True)
    assert headers["Content-Disposition"].startswith("inline; ")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
