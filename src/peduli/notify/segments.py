"""How long an SMS is: its encoding, its length in characters and in segments.

A text that uses only the GSM 03.38 alphabet goes as GSM-7: 160 characters in one SMS,
153 per part when it is split (the rest of each part carries the joining header); the
characters of the extension table (``{ } [ ] ~ \\ | ^ €`` and the form feed) take two.
Any other character sends the whole text as UCS-2: 70 per single SMS, 67 per part, each
character outside the Basic Multilingual Plane (an emoji) taking two UTF-16 units. A
two-unit character is never cut between two parts.
``static/sms-length.js`` counts the same way in the compose page as the officer types.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SmsLength:
    """What a text costs as an SMS: ``units`` are septets (GSM-7) or UTF-16 units (UCS-2)."""

    encoding: Encoding
    characters: int
    units: int
    segments: int

    @property
    def per_segment(self) -> int:
        """How many units one segment holds at this length (single or part of several)."""
        single, part = (
            (GSM_SINGLE, GSM_PART) if self.encoding == Encoding.GSM7 else (UCS2_SINGLE, UCS2_PART)
        )
        return single if self.segments <= 1 else part


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` is in the GSM-7 alphabet or its extension."""
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def measure(text: str) -> SmsLength:
    """The encoding, characters, units and segments of ``text`` sent as one SMS message."""
    if is_gsm7(text):
        encoding, single, part = Encoding.GSM7, GSM_SINGLE, GSM_PART
        sizes = [2 if c in GSM_EXTENSION else 1 for c in text]
    else:
        encoding, single, part = Encoding.UCS2, UCS2_SINGLE, UCS2_PART
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return SmsLength(encoding, len(text), sum(sizes), _segments(sizes, single, part))


def _segments(sizes: list[int], single: int, part: int) -> int:
    """Parts needed; a two-unit character (an escape pair, a surrogate pair) is never split
    across two parts, so a part may end one unit short."""
    total = sum(sizes)
    if total <= single:
        return 1 if total else 0
    parts, used = 1, 0
    for size in sizes:
        if used + size > part:
            parts, used = parts + 1, 0
        used += size
    return parts
