"""Crisis messages in a recipient's language (id, en, zh, fr), outside any web request.

Broadcast and reminder texts are built for all four languages at once and chosen per person
in SQL; this reads the installed catalogues (the same .po files the pages use) directly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from peduli.core.i18n import Message

LOCALE_DIR = Path(__file__).parent.parent / "locale"


@lru_cache
def _catalogue(language: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for po_path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if message.id and message.string and "fuzzy" not in message.flags:
                found[str(message.id)] = str(message.string)
    return found


def translate_to(language: str, message: Message) -> str:
    """``message`` in ``language`` (English when it is not translated)."""
    if language == "en":
        return str(message)
    translated = _catalogue(language).get(message.msgid, message.msgid)
    try:
        return translated.format(**message.params) if message.params else translated
    except (KeyError, IndexError, ValueError):
        return str(message)
