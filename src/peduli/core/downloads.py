"""Headers of a file download, right for any file name (RFC 6266 and RFC 8187).

HTTP header values are Latin-1 at best, so a Korean, Arabic or emoji file name cannot go
into ``filename="…"`` as it is (the server refused to encode it and answered 500). The
name travels UTF-8 percent-encoded in ``filename*=UTF-8''…``, which every current browser
prefers, next to an ASCII ``filename="…"`` for the few clients that read only that one.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

# Characters an RFC 8187 ``attr-char`` may carry unencoded (besides letters and digits).
_ATTR_CHARS = "!#$&+-.^_`|~"
FALLBACK_NAME = "download"


def ascii_fallback(filename: str) -> str:
    """An ASCII stand-in for the name: accents folded, other letters replaced by ``_``.

    Quotes, backslashes and control characters never reach the quoted string; the
    extension is kept so the file still opens with the right program.
    """
    folded = unicodedata.normalize("NFKD", filename)
    kept = []
    for char in folded:
        if unicodedata.combining(char):
            continue
        if " " <= char <= "~" and char not in '"\\':
            kept.append(char)
        else:
            kept.append("_")
    name = "".join(kept).strip()
    suffix = PurePosixPath(name).suffix
    stem = name[: -len(suffix)] if suffix else name
    if not stem.strip("_ ."):
        stem = FALLBACK_NAME
    return f"{stem}{suffix}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` value for a file of this name."""
    kind = "inline" if inline else "attachment"
    clean = "".join(c for c in filename if c.isprintable()).strip() or FALLBACK_NAME
    encoded = quote(clean, safe=_ATTR_CHARS, encoding="utf-8")
    return f"{kind}; filename=\"{ascii_fallback(clean)}\"; filename*=UTF-8''{encoded}"


def download_headers(filename: str, *, inline: bool = False) -> dict[str, str]:
    """Headers of a personal file: its name, never sniffed, never cached."""
    return {
        "Content-Disposition": content_disposition(filename, inline=inline),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
